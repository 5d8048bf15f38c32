import "server-only";
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { connectionOrganizations, directoryConnections } from "@/db/schema";
import { requireSeries, type Actor } from "@/lib/auth/actor";
import { requireAdminArea } from "@/lib/auth/admin-area";
import { logError } from "@/lib/log";
import { refreshCatalog, type CatalogRefresh } from "@/lib/connections/catalog";
import { providerForConnection } from "@/lib/directory/registry";
import { asUser, organizationsOf, requireConnectionAdmin } from "./access";
import { recordConnectionAudit } from "./audit";
import { toConnectionView, type ConnectionView } from "./view";
import type { CloudValue } from "@/db/schema";

function adminOrganizationIds(actor: Actor): string[] {
  return actor.memberships.filter((m) => m.role === "admin").map((m) => m.organizationId);
}

/** Connections serving any organization the actor administers, newest first. Admins only. */
export async function listConnections(db: Executor, actor: Actor | null): Promise<ConnectionView[]> {
  const a = requireAdminArea(actor);
  const orgIds = adminOrganizationIds(a);
  const ids = await db
    .selectDistinct({ id: connectionOrganizations.connectionId })
    .from(connectionOrganizations)
    .where(inArray(connectionOrganizations.organizationId, orgIds));
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(directoryConnections)
    .where(inArray(directoryConnections.id, ids.map((r) => r.id)))
    .orderBy(desc(directoryConnections.createdAt));
  const orgs = await organizationsOf(db, rows.map((r) => r.id));
  return rows.map((r) => toConnectionView(r, orgs.get(r.id) ?? []));
}

export async function getConnection(db: Executor, actor: Actor | null, connectionId: string): Promise<ConnectionView> {
  const { row, organizations } = await requireConnectionAdmin(db, asUser(actor), connectionId);
  return toConnectionView(row, organizations);
}

export interface SeriesConnection {
  id: string;
  name: string;
  cloud: CloudValue;
  health: ConnectionView["health"];
  groupsRefreshedAt: string | null;
  limitedToSelectedGroups: boolean;
  syncContacts: boolean;
  useUsernameFallback: boolean;
}

/** The active connections serving a series' organization (for the editors' dialog). Editors may call it. */
export async function connectionsForSeries(db: Executor, actor: Actor | null, seriesId: string): Promise<SeriesConnection[]> {
  const series = await requireSeries(db, actor, seriesId, "editor");
  const rows = await db
    .select({ c: directoryConnections })
    .from(directoryConnections)
    .innerJoin(connectionOrganizations, eq(connectionOrganizations.connectionId, directoryConnections.id))
    .where(and(eq(connectionOrganizations.organizationId, series.organizationId), eq(directoryConnections.status, "active")))
    .orderBy(directoryConnections.createdAt);
  return rows.map(({ c }) => ({
    id: c.id,
    name: c.name,
    cloud: c.cloud,
    health: c.health,
    groupsRefreshedAt: c.groupsRefreshedAt?.toISOString() ?? null,
    limitedToSelectedGroups: c.groupObjectIds.length > 0,
    syncContacts: c.syncContacts,
    useUsernameFallback: c.useUsernameFallback,
  }));
}

/** The connection page's "Refresh groups". Failures come back as a diagnosis, not an exception. */
export async function refreshConnectionGroups(
  db: Executor,
  actor: Actor | null,
  connectionId: string,
): Promise<{ ok: true; refresh: CatalogRefresh } | { ok: false; title: string; fix: string; details?: string }> {
  const by = asUser(actor);
  const { row, organizations } = await requireConnectionAdmin(db, by, connectionId);
  try {
    const refresh = await refreshCatalog(db, row.id);
    await recordConnectionAudit(db, by, "connection.refresh_groups", row.id, organizations.map((o) => o.id), { ...refresh });
    return { ok: true, refresh };
  } catch (error) {
    logError(`group catalog refresh for connection ${row.id} failed`, error);
    const d = providerForConnection(row).diagnose(error, { secretExpiresOn: row.secretExpiresOn ?? undefined });
    return { ok: false, title: d.title, fix: d.fix, details: d.details };
  }
}

/** Connections whose secret or certificate needs attention, for the banner on every admin page. */
export async function secretExpiryAlerts(db: Executor, actor: Actor | null) {
  if (!actor || !actor.memberships.some((m) => m.role === "admin")) return [];
  const views = await listConnections(db, actor);
  return views
    .flatMap((v) => (v.credentialExpiry?.status.banner ? [{ id: v.id, name: v.name, clientId: v.clientId, expiry: v.credentialExpiry }] : []));
}

/** Every connection, for the operator CLI (support staff with database access act with the server's authority). */
export async function listAllConnections(db: Executor): Promise<ConnectionView[]> {
  const rows = await db.select().from(directoryConnections).orderBy(desc(directoryConnections.createdAt));
  const orgs = await organizationsOf(db, rows.map((r) => r.id));
  return rows.map((r) => toConnectionView(r, orgs.get(r.id) ?? []));
}
