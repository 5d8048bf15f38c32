import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { apiTokens, organizations } from "@/db/schema";
import { recordAudit, type AuditActor } from "@/lib/audit/record";
import { RosterError, invalidInput } from "@/lib/errors";
import { isUuid } from "@/lib/uuid";

/**
 * Per-organization API tokens for the newsletter platform (the unsubscribe endpoint). A token is `rst_` and 32
 * random bytes in base64url; only its SHA-256 is stored. A fast hash is right here, unlike for passwords: the
 * token has 256 bits of entropy, so there is nothing to guess, and every API call must look it up cheaply.
 * The token itself is returned once, by createApiToken, and never again.
 */
const PREFIX = "rst_";
const MAX_LABEL = 100;

export const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

export interface ApiTokenInfo {
  id: string;
  organizationId: string;
  organizationName: string;
  label: string;
  /** The first characters of the token, to tell tokens apart. */
  prefix: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

async function organizationNamed(db: Executor, name: string) {
  const [org] = await db.select().from(organizations).where(eq(organizations.name, name.trim()));
  if (org) return org;
  const known = await db.select({ name: organizations.name }).from(organizations).orderBy(organizations.name);
  const list = known.map((o) => `"${o.name}"`).join(", ") || "none yet";
  throw new RosterError("not_found", `No organization is named "${name.trim()}". Known organizations: ${list}.`);
}

/**
 * Creates a token for an organization. For the operator CLI, which runs with the database's own credentials
 * (like user creation): whoever can run it can already write the database.
 */
export async function createApiToken(
  db: Executor,
  by: AuditActor,
  input: { organization: string; label: string },
): Promise<{ token: string; info: ApiTokenInfo }> {
  const label = input.label.trim();
  if (!label) throw invalidInput("The label is empty: say what the token is for, e.g. “Newsletter platform”.");
  if (label.length > MAX_LABEL) throw invalidInput(`The label is too long: use at most ${MAX_LABEL} characters.`);
  const org = await organizationNamed(db, input.organization);
  const token = `${PREFIX}${randomBytes(32).toString("base64url")}`;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({ organizationId: org.id, label, tokenHash: hashToken(token), tokenPrefix: token.slice(0, PREFIX.length + 6), createdBy: by.kind === "user" ? by.actor.email : by.label })
      .returning();
    await recordAudit(tx, by, { organizationId: org.id, action: "api_token.create", targetType: "api_token", targetId: row.id, details: { label } });
    return { token, info: { ...toInfo(row), organizationName: org.name } };
  });
}

function toInfo(row: typeof apiTokens.$inferSelect): Omit<ApiTokenInfo, "organizationName"> {
  return {
    id: row.id,
    organizationId: row.organizationId,
    label: row.label,
    prefix: row.tokenPrefix,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

/** Every token (or one organization's), newest first; never the token or its hash. */
export async function listApiTokens(db: Executor, input: { organization?: string } = {}): Promise<ApiTokenInfo[]> {
  const org = input.organization ? await organizationNamed(db, input.organization) : null;
  const rows = await db
    .select({ token: apiTokens, organizationName: organizations.name })
    .from(apiTokens)
    .innerJoin(organizations, eq(organizations.id, apiTokens.organizationId))
    .where(org ? eq(apiTokens.organizationId, org.id) : undefined)
    .orderBy(desc(apiTokens.createdAt));
  return rows.map((r) => ({ ...toInfo(r.token), organizationName: r.organizationName }));
}

/** Revokes a token at once: the next call with it gets 401. Revoking twice is refused, so a typo is noticed. */
export async function revokeApiToken(db: Executor, by: AuditActor, id: string): Promise<ApiTokenInfo> {
  if (!isUuid(id)) throw new RosterError("not_found", `No API token has the id "${id}". List them with: tokens list`);
  return db.transaction(async (tx) => {
    const [row] = await tx.update(apiTokens).set({ revokedAt: new Date() }).where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt))).returning();
    if (!row) {
      const [old] = await tx.select().from(apiTokens).where(eq(apiTokens.id, id));
      throw old
        ? new RosterError("conflict", `The API token “${old.label}” was already revoked on ${old.revokedAt?.toISOString()}.`)
        : new RosterError("not_found", `No API token has the id "${id}". List them with: tokens list`);
    }
    await recordAudit(tx, by, { organizationId: row.organizationId, action: "api_token.revoke", targetType: "api_token", targetId: row.id, details: { label: row.label } });
    const [org] = await tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, row.organizationId));
    return { ...toInfo(row), organizationName: org?.name ?? "" };
  });
}

export interface TokenPrincipal {
  tokenId: string;
  organizationId: string;
  label: string;
}

/**
 * The organization an `Authorization: Bearer …` header speaks for, or null for a missing, malformed, unknown or
 * revoked token: the caller answers all of these with the same 401, so a response tells nothing about which.
 * The lookup is by the token's hash, so no comparison of secret bytes happens in JavaScript at all.
 */
export async function authenticateBearer(db: Executor, authorization: string | null): Promise<TokenPrincipal | null> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match || !match[1].startsWith(PREFIX) || match[1].length > 200) return null;
  const [row] = await db
    .update(apiTokens)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(apiTokens.tokenHash, hashToken(match[1])), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id, organizationId: apiTokens.organizationId, label: apiTokens.label });
  return row ? { tokenId: row.id, organizationId: row.organizationId, label: row.label } : null;
}
