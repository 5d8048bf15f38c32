import { exclusionApi } from "@/lib/audience/exclusion-api";
import { getDb } from "@/lib/db";
import { logError } from "@/lib/log";

/**
 * The newsletter platform's unsubscribe endpoint, authenticated with a per-organization API token
 * (`npm run roster -- tokens create`); lib/audience/exclusion-api.ts holds the contract. No session and no
 * cookie is involved, so there is no cross-site concern: a browser cannot send the bearer token on its own.
 */
type Params = { params: Promise<{ seriesId: string }> };

async function handle(request: Request, { params }: Params, method: "POST" | "DELETE"): Promise<Response> {
  const { seriesId } = await params;
  try {
    const reply = await exclusionApi(await getDb(), request, seriesId, method);
    return Response.json(reply.body, { status: reply.status, headers: { "cache-control": "no-store" } });
  } catch (error) {
    logError("exclusion API failed", error);
    return Response.json({ error: { code: "internal", message: "Something went wrong on our side. Please try again." } }, { status: 500 });
  }
}

export const POST = (request: Request, ctx: Params) => handle(request, ctx, "POST");
export const DELETE = (request: Request, ctx: Params) => handle(request, ctx, "DELETE");
