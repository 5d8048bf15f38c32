import "server-only";
import { and, count, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { audienceSources, connectionOrganizations, directoryConnections, directoryDeltaStates, directoryGroups } from "@/db/schema";
import { requireSeries, type Actor } from "@/lib/auth/actor";
import { notFound } from "@/lib/errors";
import type { ConnectionSummary } from "./types";
import { isUuid } from "@/lib/uuid";

/**
 * The series (if the actor may edit it) and a connection that serves its organization. A connection of
 * another organization answers "not found", like one that does not exist, so ids cannot be probed.
 */
export async function requireSeriesConnection(db: Executor, actor: Actor | null, seriesId: string, connectionId: string) {
  const series = await requireSeries(db, actor, seriesId, "editor");
  if (!isUuid(connectionId)) throw notFound("That directory connection");
  const [row] = await db
    .select({ connection: directoryConnections })
    .from(directoryConnections)
    .innerJoin(connectionOrganizations, eq(connectionOrganizations.connectionId, directoryConnections.id))
    .where(and(eq(directoryConnections.id, connectionId), eq(connectionOrganizations.organizationId, series.organizationId)));
  if (!row) throw notFound("That directory connection");
  return { series, connection: row.connection };
}

/**
 * Like requireSeriesConnection, and also a connection that stopped serving the series' organization while the
 * series still has ticked sources on it: those contributions stay visible (Error, "no longer available to
 * this organization", with their counts) and removable, but nothing new is fetched from it. `served` says
 * which: callers refuse anything but unticking and reading what the series already holds when it is false.
 */
export async function requireSeriesConnectionOrContribution(db: Executor, actor: Actor | null, seriesId: string, connectionId: string) {
  const series = await requireSeries(db, actor, seriesId, "editor");
  if (!isUuid(connectionId)) throw notFound("That directory connection");
  const [row] = await db.select().from(directoryConnections).where(eq(directoryConnections.id, connectionId));
  if (!row) throw notFound("That directory connection");
  const [served] = await db
    .select({ id: connectionOrganizations.connectionId })
    .from(connectionOrganizations)
    .where(and(eq(connectionOrganizations.connectionId, connectionId), eq(connectionOrganizations.organizationId, series.organizationId)));
  if (served) return { series, connection: row, served: true };
  const [held] = await db
    .select({ id: audienceSources.id })
    .from(audienceSources)
    .where(
      and(
        eq(audienceSources.seriesId, series.id),
        eq(audienceSources.connectionId, connectionId),
        eq(audienceSources.selected, true),
        inArray(audienceSources.kind, ["directory_group", "directory_all"]),
      ),
    )
    .limit(1);
  if (!held) throw notFound("That directory connection");
  return { series, connection: row, served: false };
}

/** Connections a series still holds ticked sources on although they no longer serve its organization. */
export async function unservedContributionConnections(db: Executor, seriesId: string, organizationId: string) {
  return db
    .selectDistinct({ id: directoryConnections.id, name: directoryConnections.name })
    .from(audienceSources)
    .innerJoin(directoryConnections, eq(directoryConnections.id, audienceSources.connectionId))
    .where(
      and(
        eq(audienceSources.seriesId, seriesId),
        eq(audienceSources.selected, true),
        inArray(audienceSources.kind, ["directory_group", "directory_all"]),
        sql`not exists (select 1 from connection_organizations co where co.connection_id = ${directoryConnections.id} and co.organization_id = ${organizationId}::uuid)`,
      ),
    );
}

/** What the dialog shows about a connection. Nothing secret: no sealed value, no hint, no key id. */
export async function summarizeConnection(
  db: Executor,
  connection: typeof directoryConnections.$inferSelect,
): Promise<ConnectionSummary> {
  const [{ n }] = await db
    .select({ n: count() })
    .from(directoryGroups)
    .where(and(eq(directoryGroups.connectionId, connection.id)));
  const [delta] = await db
    .select({ lastDeltaAt: directoryDeltaStates.lastDeltaAt, lastFullAt: directoryDeltaStates.lastFullAt, lastFullDrift: directoryDeltaStates.lastFullDrift })
    .from(directoryDeltaStates)
    .where(eq(directoryDeltaStates.connectionId, connection.id));
  return {
    id: connection.id,
    name: connection.name,
    health: connection.health,
    limitedToSelectedGroups: connection.groupObjectIds.length > 0,
    syncContacts: connection.syncContacts,
    cadence: connection.cadence,
    useUsernameFallback: connection.useUsernameFallback,
    groupsRefreshedAt: connection.groupsRefreshedAt?.toISOString() ?? null,
    catalogSize: Number(n),
    freshness: delta
      ? { lastDeltaAt: delta.lastDeltaAt?.toISOString() ?? null, lastFullAt: delta.lastFullAt.toISOString(), lastFullDrift: delta.lastFullDrift }
      : null,
  };
}
