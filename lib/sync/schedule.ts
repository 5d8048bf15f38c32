import "server-only";
import { enqueueJobs } from "@/lib/jobs/queue";
import { sql } from "drizzle-orm";
import { executeCount, queryRows, type Executor } from "@/db/client";
import { markUnservedSources, sourceIsServed } from "./access";
import { GROUP_EXCLUSION_REASON } from "./group-exclusions";
import type { Cadence } from "@/db/schema";

export type { Cadence };

/**
 * The start of the current scheduling period: Monday 00:00 UTC for weekly connections, today 00:00 UTC for
 * daily ones. A connection is due once per period, whenever the first cron call of that period comes (a
 * missed Monday is caught up on Tuesday).
 */
export function periodStart(cadence: Cadence, now: Date): Date {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (cadence === "daily") return day;
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * 86_400_000);
}

export function isDue(cadence: Cadence, lastScheduledAt: Date | null, now: Date): boolean {
  return lastScheduledAt === null || lastScheduledAt.getTime() < periodStart(cadence, now).getTime();
}

/**
 * Queues a scheduled sync for every ticked group of every active connection that is due, and returns how many
 * jobs it queued. Claiming the period is a conditional update, so overlapping cron calls queue each period
 * once; sources with an active job join it (the one-active-job index); sources waiting for review are left
 * waiting: only a person may confirm a mass removal.
 */
export async function scheduleDue(db: Executor, now: Date = new Date()): Promise<number> {
  return (await scheduleDueConnections(db, now)).queued;
}

/** scheduleDue, also naming the connections whose period this call claimed (their catalogs are refreshed too). */
export async function scheduleDueConnections(db: Executor, now: Date = new Date()): Promise<{ queued: number; connectionIds: string[] }> {
  const connections = await queryRows<{ id: string; cadence: Cadence; last_scheduled_at: string | Date | null }>(
    db,
    sql`SELECT id, cadence, last_scheduled_at FROM directory_connections WHERE status = 'active'`,
  );
  let queued = 0;
  const claimedIds: string[] = [];
  for (const c of connections) {
    const last = c.last_scheduled_at ? new Date(c.last_scheduled_at) : null;
    if (!isDue(c.cadence, last, now)) continue;
    const start = periodStart(c.cadence, now);
    queued += await db.transaction(async (tx) => {
      const claimed = await executeCount(
        tx,
        sql`UPDATE directory_connections SET last_scheduled_at = ${now.toISOString()}::timestamptz
            WHERE id = ${c.id}::uuid AND (last_scheduled_at IS NULL OR last_scheduled_at < ${start.toISOString()}::timestamptz)`,
      );
      if (claimed === 0) return 0;
      claimedIds.push(c.id);
      // Organizations the connection stopped serving: their sources show it now and are not queued.
      await markUnservedSources(tx, c.id);
      // Group exclusions of the connection's groups are read again with them (lib/sync/group-exclusions.ts).
      const exclusions = await enqueueJobs(tx, {
        mode: "preview",
        reason: GROUP_EXCLUSION_REASON,
        sources: sql`SELECT s.id, s.series_id, s.connection_id FROM audience_sources s
                     WHERE s.connection_id = ${c.id}::uuid AND ${sourceIsServed("s")}
                       AND EXISTS (SELECT 1 FROM series_group_exclusions g WHERE g.source_id = s.id)`,
      });
      return exclusions + await enqueueJobs(tx, {
        mode: "sync",
        reason: "schedule",
        sources: sql`SELECT s.id, s.series_id, s.connection_id FROM audience_sources s
                     WHERE s.connection_id = ${c.id}::uuid AND s.selected AND s.kind IN ('directory_group', 'directory_all')
                       AND s.state <> 'needs_review' AND ${sourceIsServed("s")}
                       -- Groups kept by delta rounds are reconciled by the round's full pass instead (lib/sync/delta-cadence.ts).
                       AND NOT (s.kind = 'directory_group' AND EXISTS (SELECT 1 FROM directory_delta_states d WHERE d.connection_id = s.connection_id))`,
      });
    });
  }
  return { queued, connectionIds: claimedIds };
}
