/**
 * The reliability tests' arrangement: one sandbox tenant server per test file (HTTPS, trusted through
 * NODE_EXTRA_CA_CERTS as `npm run test:unit` sets it), the product's real Graph stack pointed at it, and a
 * Roster database holding a connection with the tenant's sealed secret and its groups in the catalog.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import * as s from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { updateSelection } from "@/lib/sync/verbs";
import { makeConnection, makeGroup, makeOrgWithUser } from "@/test/support/factories";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { callSandbox } from "@/sandbox/control/client";

export interface ManifestGroup {
  id: string;
  displayName: string;
  groupTypes: string[];
  transitive: { users: number; enabled: number; disabled: number; enabledWithMail: number; groups: number; contacts: number };
}

export interface Manifest {
  tenantId: string;
  apps: { name: string; clientId: string; secrets: { secretId: string; value: string; expiresAt: string; expired: boolean }[] }[];
  groups: ManifestGroup[];
  users: { id: string; mail: string | null; accountEnabled: boolean }[] | null;
}

export interface GroupDetail extends ManifestGroup {
  recipients: { mail: string[]; upnFallback: string[]; contacts: string[] } | null;
  skipped: { disabled: string[]; upnOnly: string[]; noAddress: string[]; contactsWithoutMail: string[] } | null;
}

export interface LoggedRequest {
  seq: number;
  at: number;
  kind: string;
  url: string;
  status: number;
  consistencyLevel: string | null;
  select: string[] | null;
  top: number | null;
  retryAfter: number | null;
  /** Graph's error code or Entra's AADSTS code of a refused request. */
  error: string | null;
  fault: string | null;
}

export async function startTenantServer(): Promise<Sandbox> {
  const sb = await startSandbox({ port: 0, demo: false });
  // The product reads these per session: every connection of this test process talks to the sandbox.
  process.env.ENTRA_AUTHORITY_HOST = sb.url;
  process.env.GRAPH_BASE_URL = sb.url;
  return sb;
}

export const control = <T>(sb: Sandbox, path: string, method = "GET", body?: unknown) => callSandbox<T>(sb.url, method, path, body);

export const createTenant = (sb: Sandbox, spec: Record<string, unknown>) => control<Manifest>(sb, "/tenants", "POST", spec);
export const groupDetail = (sb: Sandbox, tenantId: string, groupId: string) => control<GroupDetail>(sb, `/tenants/${tenantId}/groups/${groupId}`);
export const setFaults = (sb: Sandbox, tenantId: string, faults: Record<string, unknown>) => control(sb, `/tenants/${tenantId}/faults`, "POST", faults);
export const mutate = (sb: Sandbox, tenantId: string, ...ops: Record<string, unknown>[]) => control(sb, `/tenants/${tenantId}/mutations`, "POST", { ops });
export const requestLog = async (sb: Sandbox, tenantId: string) =>
  (await control<{ requests: LoggedRequest[] }>(sb, `/tenants/${tenantId}/requests`)).requests;

/** What a Roster database holds for one tenant: an editor's series and a connection with the catalog. */
export interface Arranged {
  manifest: Manifest;
  actor: Actor;
  seriesId: string;
  organizationId: string;
  connectionId: string;
  clientId: string;
  /** Sandbox group id → directory_groups.id */
  catalog: Map<string, string>;
  select(groupObjectIds: string[], entireDirectory?: boolean): Promise<{ queued: number; removed: number }>;
}

export async function arrangeTenant(
  db: Db,
  sb: Sandbox,
  spec: Record<string, unknown>,
  opts: { useUsernameFallback?: boolean; syncContacts?: boolean; appName?: string; role?: "admin" | "editor" } = {},
): Promise<Arranged> {
  const manifest = await createTenant(sb, spec);
  const { appName = "Roster Directory Sync", role, ...connectionOpts } = opts;
  const app = manifest.apps.find((a) => a.name === appName) ?? manifest.apps[0];
  const secret = app.secrets.find((x) => !x.expired)!;
  const { org, series, actor } = await makeOrgWithUser(db, role);
  const connection = await makeConnection(db, [org.id], {
    tenantId: manifest.tenantId,
    clientId: app.clientId,
    secretValue: secret.value,
    secretId: secret.secretId,
    secretExpiresOn: secret.expiresAt.slice(0, 10),
    ...connectionOpts,
  });
  const catalog = new Map<string, string>();
  for (const g of manifest.groups) catalog.set(g.id, (await makeGroup(db, connection.id, { objectId: g.id, displayName: g.displayName })).id);
  return {
    manifest,
    actor,
    seriesId: series.id,
    organizationId: org.id,
    connectionId: connection.id,
    clientId: app.clientId,
    catalog,
    select: (ids, entireDirectory = false) =>
      updateSelection(db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: ids.map((id) => catalog.get(id)!), entireDirectory }),
  };
}

export async function audienceOf(db: Db, seriesId: string): Promise<string[]> {
  const { eq } = await import("drizzle-orm");
  const rows = await db.select({ e: s.recipients.emailNormalized }).from(s.recipients).where(eq(s.recipients.seriesId, seriesId));
  return rows.map((r) => r.e).sort();
}

/** The largest groups first: multi-page listings are what the reliability cases need. */
export function largestGroups(m: Manifest, n: number): ManifestGroup[] {
  return [...m.groups].sort((a, b) => b.transitive.users - a.transitive.users).slice(0, n);
}

/** The address of numbered user `n` in a tenant made by arrangeNumberedTenant. */
export const numberedMail = (n: number) => `user${n}@contoso.example`;

/**
 * A tenant whose groups hold exactly the numbered users given (`user<n>@contoso.example`, one user per number,
 * inclusive ranges), built in an empty sandbox tenant through its control API and entered in Roster's catalog.
 * For tests whose arithmetic needs exact memberships rather than a scenario's. `opts` are arrangeTenant's
 * (the editor's role, the connection's username fallback and contacts).
 */
export async function arrangeNumberedTenant(
  db: Db,
  sb: Sandbox,
  groups: Record<string, [number, number][]>,
  opts: Parameters<typeof arrangeTenant>[3] = {},
): Promise<Arranged & { groupId(name: string): string; userId(n: number): string }> {
  const t = await arrangeTenant(db, sb, { scenario: "empty" }, opts);
  const groupIds = new Map(Object.keys(groups).map((name) => [name, randomUUID()]));
  const userIds = new Map<number, string>();
  const memberOf = new Map<number, string[]>();
  for (const [name, ranges] of Object.entries(groups)) {
    for (const [from, to] of ranges) for (let n = from; n <= to; n++) memberOf.set(n, [...(memberOf.get(n) ?? []), groupIds.get(name)!]);
  }
  const ops: Record<string, unknown>[] = [...groupIds].map(([displayName, id]) => ({ op: "addGroup", group: { id, displayName } }));
  for (const [n, ids] of [...memberOf].sort((a, b) => a[0] - b[0])) {
    const id = randomUUID();
    userIds.set(n, id);
    ops.push({ op: "addUser", user: { id, displayName: `User ${n}`, mail: numberedMail(n), userPrincipalName: numberedMail(n) }, groupIds: ids });
  }
  await mutate(sb, t.manifest.tenantId, ...ops);
  for (const [displayName, id] of groupIds) t.catalog.set(id, (await makeGroup(db, t.connectionId, { objectId: id, displayName })).id);
  return {
    ...t,
    groupId: (name) => groupIds.get(name)!,
    userId: (n) => {
      const id = userIds.get(n);
      if (!id) throw new Error(`user ${n} is in no group of this tenant`);
      return id;
    },
  };
}
