import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { withPlannerSettings } from "@/db/planner";
import { holdStaged, lockSeriesAudience, releaseUnstaged } from "@/lib/audience/holdings";
import { exceedsThreshold, type CallRemovalGuard, type RemovalThreshold } from "./removal-guard";

export { DEFAULT_REMOVAL_THRESHOLD, exceedsThreshold } from "./removal-guard";

/** The guard an apply runs under: the connection's figures and, in a cron call, the call's connection-wide total. */
export interface ApplyGuard {
  connectionId: string;
  threshold: RemovalThreshold;
  call?: CallRemovalGuard;
}

export interface ApplyCounts {
  /** Addresses this source newly holds / no longer holds. */
  added: number;
  removed: number;
  /** Recipients that entered / left the series' audience (an address other sources hold neither enters nor leaves). */
  recipientsAdded: number;
  recipientsRemoved: number;
  /** Addresses the source holds after the apply. */
  total: number;
}

export interface ReviewNumbers {
  current: number;
  wouldRemove: number;
  wouldAdd: number;
  /**
   * Set when the cron call's connection-wide guard held the run: the connection's addresses as the call found
   * them and what the call had already removed across the connection before this run.
   */
  connection?: { current: number; removedBefore: number };
}

/** Thrown inside the apply transaction so that the removals it already made roll back. */
export class NeedsReviewSignal extends Error {
  constructor(readonly numbers: ReviewNumbers) {
    super("mass removal needs review");
    this.name = "NeedsReviewSignal";
  }
}

/**
 * Brings a source's holdings to exactly the job's staged set, inside the caller's transaction, through
 * lib/audience (the only writer of the audience tables):
 *  1. removals: the source's holdings missing from staging, and with them the recipients no other source of
 *     the series holds;
 *  2. additions: staged addresses the source did not hold, and the recipients that did not exist yet.
 * Removals run first so that the guard can judge (and roll back) before anything is added; in the common case
 * nothing is removed and the guard costs one anti-join that the delete needs anyway.
 */
export async function applyStagedSet(
  tx: Executor,
  input: {
    jobId: string;
    sourceId: string;
    seriesId: string;
    guard: ApplyGuard | false;
    /** The source's kind (the change log says "the group" or "the directory"); a group by default. */
    kind?: "directory_group" | "directory_all";
    /** Who made this apply happen, for the change log: the person confirming a review; none for a sync. */
    actor?: string | null;
  },
): Promise<ApplyCounts> {
  const { jobId, sourceId, seriesId } = input;
  const staged = { jobId };
  await lockSeriesAudience(tx, seriesId);
  return withPlannerSettings(tx, ["applyMemory"], async () => {
    const gone = await releaseUnstaged(tx, { seriesId, sourceId, staged, why: syncReasons(input.kind ?? "directory_group", input.actor) });
    const removed = gone.released;

    const guard = input.guard;
    if (guard && removed > guard.threshold.minRemovals) {
      const current = (await heldBy(tx, sourceId)) + removed;
      if (exceedsThreshold(guard.threshold, current, removed)) {
        throw new NeedsReviewSignal({ current, wouldRemove: removed, wouldAdd: await wouldAdd(tx, jobId, sourceId) });
      }
    }
    if (guard && guard.call && removed > 0) {
      const baseline = await guard.call.baselineOf(tx, guard.connectionId);
      const reserved = guard.call.reserve(jobId, guard.connectionId, guard.threshold, baseline, removed);
      if (!reserved.ok) {
        throw new NeedsReviewSignal({
          current: (await heldBy(tx, sourceId)) + removed,
          wouldRemove: removed,
          wouldAdd: await wouldAdd(tx, jobId, sourceId),
          connection: { current: baseline, removedBefore: reserved.removedBefore },
        });
      }
    }

    const held = await holdStaged(tx, { seriesId, sourceId, staged });
    return { added: held.held, removed, recipientsAdded: held.added, recipientsRemoved: gone.removed, total: held.total };
  });
}

/** The change log's reasons for a directory apply (docs/design.md, "Exclusions", "Change log"). */
export function syncReasons(kind: "directory_group" | "directory_all", actor?: string | null) {
  const where = kind === "directory_all" ? "the directory" : "the group";
  return { joined: `joined ${where}`, left: `left ${where}`, disabled: "disabled", actor: actor ?? null };
}

/** Addresses the source holds (inside the apply: after its removals). */
async function heldBy(tx: Executor, sourceId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM recipient_sources WHERE source_id = ${sourceId}::uuid`);
  return Number(row.n);
}

/** Staged addresses the source does not hold yet: what a held run would add once confirmed. */
async function wouldAdd(tx: Executor, jobId: string, sourceId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    tx,
    sql`SELECT count(*)::int AS n FROM sync_staging st WHERE st.job_id = ${jobId}::uuid
          AND NOT EXISTS (SELECT 1 FROM recipient_sources rs WHERE rs.source_id = ${sourceId}::uuid AND rs.email_normalized = st.email_normalized)`,
  );
  return Number(row.n);
}

/** What a preview reports: how the staged set compares with the series' audience as it stands. */
export async function previewNumbers(db: Executor, input: { jobId: string; seriesId: string }): Promise<{ total: number; alreadyPresent: number }> {
  const [row] = await queryRows<{ total: number; present: number }>(
    db,
    sql`SELECT count(*)::int AS total,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM recipients r
                                              WHERE r.series_id = ${input.seriesId}::uuid AND r.email_normalized = st.email_normalized))::int AS present
        FROM sync_staging st WHERE st.job_id = ${input.jobId}::uuid`,
  );
  return { total: Number(row.total), alreadyPresent: Number(row.present) };
}
