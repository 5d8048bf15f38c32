import "server-only";
import { count, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { recipients } from "@/db/schema";
import { requireSeries, type Actor } from "@/lib/auth/actor";
import { notFound } from "@/lib/errors";
import { connectionsForSeries } from "@/lib/connections/queries";
import { requireSeriesConnectionOrContribution, summarizeConnection, unservedContributionConnections } from "./connections";
import { directorySourceStates } from "./source-states";
import type { DirectoryOverview } from "./types";

/**
 * What the "Manage from directory" dialog polls: the connections on offer, the chosen one, every directory
 * source of the series with its live state, and the audience's size. Without a connectionId the oldest
 * connection serving the organization is chosen.
 */
export async function directoryOverview(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; connectionId?: string | null },
): Promise<DirectoryOverview> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  const connections = (await connectionsForSeries(db, actor, series.id)).map(({ id, name }) => ({ id, name }));
  // Connections that stopped serving the organization stay on offer while the series holds groups from them,
  // so those groups can be seen (Error, "no longer available to this organization") and removed.
  for (const c of await unservedContributionConnections(db, series.id, series.organizationId)) {
    connections.push({ id: c.id, name: `${c.name} (no longer available to this organization)` });
  }
  const [{ n }] = await db.select({ n: count() }).from(recipients).where(eq(recipients.seriesId, series.id));
  const chosenId = input.connectionId || connections[0]?.id;
  if (!chosenId) {
    return { connections, connection: null, sources: [], selectedGroupIds: [], entireDirectory: null, anyActive: false, recipientCount: Number(n) };
  }
  if (input.connectionId && !connections.some((c) => c.id === input.connectionId)) throw notFound("That directory connection");
  const { connection } = await requireSeriesConnectionOrContribution(db, actor, series.id, chosenId);
  const states = await directorySourceStates(db, series.id, connection.id);
  const groups = states.filter((s) => s.kind === "directory_group");
  return {
    connections,
    connection: await summarizeConnection(db, connection),
    sources: groups,
    selectedGroupIds: groups.filter((s) => s.selected && s.groupId).map((s) => s.groupId!),
    entireDirectory: states.find((s) => s.kind === "directory_all") ?? null,
    anyActive: states.some((s) => s.state === "queued" || s.state === "syncing"),
    recipientCount: Number(n),
  };
}
