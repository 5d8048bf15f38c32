import "server-only";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { series as seriesTable } from "@/db/schema";
import { RosterError } from "@/lib/errors";
import { authenticateBearer } from "@/lib/tokens/api-tokens";
import { isUuid } from "@/lib/uuid";
import { excludeAddressOf, liftExclusionOf } from "./exclusions";

/** A request body is a couple of short fields; anything much larger is not one. */
export const MAX_BODY_BYTES = 16 * 1024;

export interface ApiReply {
  status: number;
  body: Record<string, unknown>;
}

const refusal = (status: number, code: string, message: string): ApiReply => ({ status, body: { error: { code, message } } });

async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new RosterError("too_large", `The body is larger than ${MAX_BODY_BYTES / 1024} KB.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RosterError("invalid_input", 'The body is not JSON. Send {"email": "…", "reason": "…"} with Content-Type: application/json.');
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new RosterError("invalid_input", 'The body must be a JSON object: {"email": "…", "reason": "…"}.');
  }
  return value as Record<string, unknown>;
}

/**
 * The unsubscribe contract the newsletter platform relies on (docs/design.md, "Exclusions"):
 *   POST   /api/series/{seriesId}/exclusions  {"email", "reason"}  → 201 excluded, 200 already excluded
 *   DELETE /api/series/{seriesId}/exclusions  {"email"}            → 200 lifted (or was not excluded)
 * A missing, wrong or revoked token, and a token of another organization, get 401; an unknown series gets 404;
 * a body that is not JSON or lacks a valid address gets 400. The token is checked before anything else, so an
 * anonymous caller learns nothing, not even whether a series exists.
 */
export async function exclusionApi(db: Executor, request: Request, seriesId: string, method: "POST" | "DELETE"): Promise<ApiReply> {
  const principal = await authenticateBearer(db, request.headers.get("authorization"));
  if (!principal) return refusal(401, "unauthenticated", "A valid API token is required: Authorization: Bearer <token>.");
  const [series] = isUuid(seriesId) ? await db.select().from(seriesTable).where(eq(seriesTable.id, seriesId)) : [];
  if (!series) return refusal(404, "not_found", "That series was not found.");
  // The token speaks for one organization only; another organization's series is refused like a bad token.
  if (series.organizationId !== principal.organizationId) return refusal(401, "unauthenticated", "This API token is not valid for that series.");
  const by = { kind: "token", tokenId: principal.tokenId, label: principal.label } as const;
  try {
    const body = await readJson(request);
    if (method === "POST") {
      if (body.reason !== undefined && body.reason !== null && typeof body.reason !== "string") {
        throw new RosterError("invalid_input", '"reason" must be a string.');
      }
      const r = await excludeAddressOf(db, by, series, { email: body.email, reason: (body.reason as string | undefined) ?? null });
      return { status: r.created ? 201 : 200, body: { email: r.email, excluded: true, alreadyExcluded: !r.created, leftAudience: r.leftAudience } };
    }
    const r = await liftExclusionOf(db, by, series, body.email);
    return { status: 200, body: { email: r.email, excluded: false, wasExcluded: r.lifted, backInAudience: r.restored } };
  } catch (error) {
    if (error instanceof RosterError) return refusal(error.status, error.code, error.message);
    throw error;
  }
}
