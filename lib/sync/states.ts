import "server-only";
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { audienceSources } from "@/db/schema";
import { requireSeries, type Actor } from "@/lib/auth/actor";
import { requireSeriesConnectionOrContribution } from "@/lib/dialog/connections";
import { directorySourceStates } from "@/lib/dialog/source-states";
import type { SourceStateView } from "@/lib/dialog/types";

/**
 * Every directory source of a series (of one connection, or of all), with live progress while a run is
 * active ("12,000 members so far": the job's members_seen, committed page by page) and the last five runs.
 */
export async function sourceStates(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; connectionId?: string | null },
): Promise<SourceStateView[]> {
  if (input.connectionId) {
    const { series, connection } = await requireSeriesConnectionOrContribution(db, actor, input.seriesId, input.connectionId);
    return directorySourceStates(db, series.id, connection.id);
  }
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  const connections = await db
    .selectDistinct({ id: audienceSources.connectionId })
    .from(audienceSources)
    .where(
      and(
        eq(audienceSources.seriesId, series.id),
        isNotNull(audienceSources.connectionId),
        inArray(audienceSources.kind, ["directory_group", "directory_all"]),
      ),
    );
  const lists = await Promise.all(connections.map((c) => directorySourceStates(db, series.id, c.id!)));
  return lists.flat();
}
