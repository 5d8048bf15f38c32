import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { withPlannerSettings } from "@/db/planner";
import { holdStaged, lockSeriesAudience, releaseUnstaged } from "@/lib/audience/holdings";

/**
 * The mass-removal guard (docs/design.md, "The sync, precisely"): a run that would take away more than this share of a group's current
 * addresses, and more than this many, applies nothing until a person confirms. A group emptied by mistake in
 * Azure (or a half-broken permission) must not silently empty a newsletter's audience.
 */
export const REVIEW_SHARE = 0.2;
export const REVIEW_MIN_REMOVALS = 50;

export function needsReview(current: number, wouldRemove: number): boolean {
  return wouldRemove > REVIEW_MIN_REMOVALS && wouldRemove > current * REVIEW_SHARE;
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
  input: { jobId: string; sourceId: string; seriesId: string; guard: boolean },
): Promise<ApplyCounts> {
  const { jobId, sourceId, seriesId } = input;
  const staged = { jobId };
  await lockSeriesAudience(tx, seriesId);
  return withPlannerSettings(tx, ["applyMemory"], async () => {
    const gone = await releaseUnstaged(tx, { seriesId, sourceId, staged });
    const removed = gone.released;

    if (input.guard && removed > REVIEW_MIN_REMOVALS) {
      const [c] = await queryRows<{ remaining: number; would_add: number }>(
        tx,
        sql`SELECT (SELECT count(*) FROM recipient_sources WHERE source_id = ${sourceId}::uuid)::int AS remaining,
                   (SELECT count(*) FROM sync_staging st WHERE st.job_id = ${jobId}::uuid
                      AND NOT EXISTS (SELECT 1 FROM recipient_sources rs
                                      WHERE rs.source_id = ${sourceId}::uuid AND rs.email_normalized = st.email_normalized))::int AS would_add`,
      );
      const current = Number(c.remaining) + removed;
      if (needsReview(current, removed)) throw new NeedsReviewSignal({ current, wouldRemove: removed, wouldAdd: Number(c.would_add) });
    }

    const held = await holdStaged(tx, { seriesId, sourceId, staged });
    return { added: held.held, removed, recipientsAdded: held.added, recipientsRemoved: gone.removed, total: held.total };
  });
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
