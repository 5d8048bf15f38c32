import "server-only";
import { and, count, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { connectionOrganizations, directoryConnections, directoryGroups } from "@/db/schema";
import { requireSeries, type Actor } from "@/lib/auth/actor";
import { notFound } from "@/lib/errors";
import type { ConnectionSummary } from "./types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The series (if the actor may edit it) and a connection that serves its organization. A connection of
 * another organization answers "not found", like one that does not exist, so ids cannot be probed.
 */
export async function requireSeriesConnection(db: Executor, actor: Actor | null, seriesId: string, connectionId: string) {
  const series = await requireSeries(db, actor, seriesId, "editor");
  if (!UUID.test(connectionId)) throw notFound("That directory connection");
  const [row] = await db
    .select({ connection: directoryConnections })
    .from(directoryConnections)
    .innerJoin(connectionOrganizations, eq(connectionOrganizations.connectionId, directoryConnections.id))
    .where(and(eq(directoryConnections.id, connectionId), eq(connectionOrganizations.organizationId, series.organizationId)));
  if (!row) throw notFound("That directory connection");
  return { series, connection: row.connection };
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
  };
}
