/**
 * Arranging sync-engine state in tests: an organization with an editor and a series, a directory connection
 * whose client secret is sealed exactly as the product seals it (so the real Graph client can reach the sandbox
 * with it), and catalog groups. Graph itself is always the sandbox tenant (test/reliability/sandbox-harness.ts).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import * as s from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { connectionSecretAad, sealSecret } from "@/lib/crypto/seal";
import { GraphRequestError } from "@/lib/directory/entra/errors";

/** Graph's failed-request error, for product tests that classify one (they reach Entra only through test/). */
export { GraphRequestError };

// Tests seal with a fixed key rather than a generated development file.
process.env.ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString("base64");

const hex = () => randomBytes(4).toString("hex");

export async function makeOrgWithUser(db: Db, role: "editor" | "admin" = "editor") {
  const [org] = await db.insert(s.organizations).values({ name: `Org ${hex()}` }).returning();
  const email = `${role}-${hex()}@example.test`;
  const [user] = await db.insert(s.users).values({ email, emailNormalized: email, name: `${role} ${hex()}` }).returning();
  await db.insert(s.memberships).values({ userId: user.id, organizationId: org.id, role });
  const [series] = await db.insert(s.series).values({ organizationId: org.id, name: `Series ${hex()}` }).returning();
  const actor: Actor = { userId: user.id, email, name: user.name, memberships: [{ organizationId: org.id, organizationName: org.name, role }] };
  return { org, user, series, actor };
}

export async function addUserTo(db: Db, organizationId: string, role: "editor" | "admin"): Promise<Actor> {
  const email = `${role}-${hex()}@example.test`;
  const [user] = await db.insert(s.users).values({ email, emailNormalized: email, name: `${role} ${hex()}` }).returning();
  const [org] = await db.select().from(s.organizations).where(eq(s.organizations.id, organizationId));
  await db.insert(s.memberships).values({ userId: user.id, organizationId, role });
  return { userId: user.id, email, name: user.name, memberships: [{ organizationId, organizationName: org.name, role }] };
}

export interface ConnectionOptions {
  tenantId?: string;
  clientId?: string;
  secretValue?: string;
  secretId?: string;
  secretExpiresOn?: string;
  groupObjectIds?: string[];
  syncContacts?: boolean;
  useUsernameFallback?: boolean;
  cadence?: "weekly" | "daily";
  status?: "draft" | "active";
  lastScheduledAt?: Date | null;
}

/** A connection serving the given organizations, its secret sealed and bound to the row's id like the product does. */
export async function makeConnection(db: Db, organizationIds: string[], opts: ConnectionOptions = {}) {
  const id = randomUUID();
  const secretValue = opts.secretValue ?? `sv~${hex()}${hex()}`;
  const sealed = sealSecret(secretValue, connectionSecretAad(id));
  const [connection] = await db
    .insert(s.directoryConnections)
    .values({
      id,
      name: `Contoso ${hex()}`,
      tenantId: opts.tenantId ?? randomUUID(),
      clientId: opts.clientId ?? randomUUID(),
      secretId: opts.secretId ?? randomUUID(),
      secretHint: secretValue.slice(0, 3),
      secretSealed: sealed.sealed,
      secretKeyId: sealed.keyId,
      secretExpiresOn: opts.secretExpiresOn ?? "2099-01-01",
      groupObjectIds: opts.groupObjectIds ?? [],
      syncContacts: opts.syncContacts ?? false,
      useUsernameFallback: opts.useUsernameFallback ?? false,
      cadence: opts.cadence ?? "weekly",
      ownerName: "Ida Admin",
      ownerEmail: "ida@example.test",
      status: opts.status ?? "active",
      lastScheduledAt: opts.lastScheduledAt ?? null,
    })
    .returning();
  if (organizationIds.length) await db.insert(s.connectionOrganizations).values(organizationIds.map((organizationId) => ({ connectionId: id, organizationId })));
  return connection;
}

export async function makeGroup(db: Db, connectionId: string, opts: { objectId?: string; displayName?: string; deletedAt?: Date | null } = {}) {
  const [group] = await db
    .insert(s.directoryGroups)
    .values({
      connectionId,
      objectId: opts.objectId ?? randomUUID(),
      displayName: opts.displayName ?? `Group ${hex()}`,
      kind: "security",
      deletedAt: opts.deletedAt ?? null,
    })
    .returning();
  return group;
}
