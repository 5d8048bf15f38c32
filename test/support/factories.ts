/**
 * Arranging sync-engine state in tests: an organization with an editor and a series, a directory connection
 * whose client secret is sealed exactly as the product seals it (so the real Graph client can reach the sandbox
 * with it), catalog groups, and a fake Graph for tests that exercise the engine without HTTP.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import * as s from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { connectionSecretAad, sealSecret } from "@/lib/crypto/seal";
import { GraphRequestError } from "@/lib/directory/entra/errors";

/** Graph's failed-request error, for product tests that make a fake Graph fail (they reach Entra only through test/). */
export { GraphRequestError };
import { directorySessionOf } from "@/lib/directory/entra/provider";
import type { GraphSession } from "@/lib/directory/entra/types";
import type { OpenGraphSession } from "@/lib/sync/graph-session";

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

// ── A fake Graph: the engine's behaviour without HTTP ────────────────────────

export interface FakeMember {
  id?: string;
  displayName?: string;
  mail?: string | null;
  userPrincipalName?: string | null;
  accountEnabled?: boolean;
}

export interface FakeDirectory {
  /** Users of each group (object id), nesting already flattened. */
  groups: Map<string, FakeMember[]>;
  /** Contacts of each group. */
  groupContacts?: Map<string, FakeMember[]>;
  users?: FakeMember[];
  contacts?: FakeMember[];
  pageSize?: number;
  /** Called before each request with its 1-based number and URL; throw to fail that request. */
  beforeRequest?: (n: number, url: string) => void | Promise<void>;
  /** Cursors issued before this generation are rejected with 400 (an expired skiptoken). */
  cursorGeneration?: number;
}

export const user = (n: number, extra: FakeMember = {}): FakeMember => ({
  id: `u-${n}`,
  displayName: `User ${n}`,
  mail: `user${n}@contoso.example`,
  userPrincipalName: `user${n}@contoso.onmicrosoft.example`,
  accountEnabled: true,
  ...extra,
});

export function users(from: number, to: number, extra: FakeMember = {}): FakeMember[] {
  return Array.from({ length: to - from + 1 }, (_, i) => user(from + i, extra));
}

/**
 * Serves the collections lib/directory/entra/members.ts reads, page by page, with opaque nextLinks carrying the offset.
 * Records every URL requested (`requests`).
 */
export function fakeGraph(dir: FakeDirectory): { open: OpenGraphSession; requests: string[]; sessions: number } {
  const state = { requests: [] as string[], sessions: 0 };
  const collection = (path: string): FakeMember[] | null => {
    // One uncast listing, typed like Graph's directoryObject collection: users, then org contacts.
    const group = path.match(/\/groups\/([^/?]+)\/transitiveMembers(\?|$)/);
    if (group) {
      const id = decodeURIComponent(group[1]);
      if (!dir.groups.has(id)) return null;
      const typed = (ms: FakeMember[] | undefined, type: string) => (ms ?? []).map((m) => ({ "@odata.type": type, ...m }));
      return [...typed(dir.groups.get(id), "#microsoft.graph.user"), ...typed(dir.groupContacts?.get(id), "#microsoft.graph.orgContact")];
    }
    if (path.startsWith("/users")) return dir.users ?? [];
    if (path.startsWith("/contacts")) return dir.contacts ?? [];
    return null;
  };
  const open: OpenGraphSession = async () => {
    state.sessions++;
    const stats = { requests: 0, retries: 0, throttleWaitMs: 0 };
    const session: GraphSession = {
      stats,
      async tokenRoles() {
        return ["GroupMember.Read.All", "User.Read.All"];
      },
      async get<T>(url: string): Promise<T> {
        stats.requests++;
        state.requests.push(url);
        await dir.beforeRequest?.(state.requests.length, url);
        let path = url;
        let offset = 0;
        if (url.startsWith("https://fake.graph/next")) {
          const u = new URL(url);
          if (Number(u.searchParams.get("gen") ?? 0) < (dir.cursorGeneration ?? 0)) {
            throw new GraphRequestError({ status: 400, code: "Request_BadRequest", message: "Invalid $skiptoken.", path: url });
          }
          path = u.searchParams.get("path")!;
          offset = Number(u.searchParams.get("offset"));
        }
        const members = collection(path);
        if (!members) throw new GraphRequestError({ status: 404, code: "Request_ResourceNotFound", message: "Resource not found.", path });
        const size = dir.pageSize ?? 999;
        const value = members.slice(offset, offset + size).map((m) => ({ ...m }));
        const next =
          offset + size < members.length
            ? `https://fake.graph/next?gen=${dir.cursorGeneration ?? 0}&offset=${offset + size}&path=${encodeURIComponent(path)}`
            : undefined;
        return { value, ...(next ? { "@odata.nextLink": next } : {}) } as T;
      },
      // Whole pages at once: the streaming read is the real client's, tested against the sandbox.
      async getListPage<T>(url: string) {
        const page = await session.get<T & { "@odata.nextLink"?: string }>(url);
        return { nextLink: Promise.resolve(page["@odata.nextLink"] ?? null), page: Promise.resolve(page) };
      },
    };
    return directorySessionOf(session);
  };
  return {
    open,
    get requests() {
      return state.requests;
    },
    get sessions() {
      return state.sessions;
    },
  };
}
