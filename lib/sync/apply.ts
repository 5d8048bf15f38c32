import "server-only";
import { sql } from "drizzle-orm";
import { executeCount, queryRows, type Executor } from "@/db/client";
import { lockSeriesAudience } from "@/lib/audience/holdings";
import type { Mirrored } from "./pipeline";

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
 * Brings a source's holdings to exactly the job's staged set, set-based, inside the caller's transaction:
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
  await lockSeriesAudience(tx, seriesId);
  // The sort and hashes of a large group fit in memory instead of spilling to disk; for this transaction only.
  await tx.execute(sql`SET LOCAL work_mem = '64MB'`);

  const gone = await removeUnstaged(tx, input);
  const removed = gone.removed;

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

  // Rows go in sorted by address (the staging key's own order, read from its index): each btree then grows at
  // its right edge or in clustered runs instead of at random pages. No ON CONFLICT: holders of the series lock
  // are the only writers of its holdings and recipients, so the anti-joins are exact, and a speculative insert
  // per row costs more than the join (with ON CONFLICT and no nested loops instead, the whole-directory bench went
  // from about 1.5 to 2.2 times its lower bound).
  //
  // No sequential scans: this statement inserts into the very tables its anti-joins read. When their statistics
  // say "empty" (a new install, a table analyzed while small), the planner would otherwise scan recipients once
  // per added row in a nested loop, and each scan also reads every page the statement has added so far:
  // quadratic, 54 s instead of 1 s for a 92,000-member first sync (measured). Through the indexes, each probe
  // costs the same whatever the statement has written.
  await tx.execute(sql`SET LOCAL enable_seqscan = off`);
  const [added] = await queryRows<{ added: number; created: number; total: number }>(
    tx,
    sql`WITH added AS (
          INSERT INTO recipient_sources (source_id, series_id, email_normalized, email, name, object_id)
          SELECT ${sourceId}::uuid, ${seriesId}::uuid, st.email_normalized, st.email, st.name, st.object_id
          FROM sync_staging st
          WHERE st.job_id = ${jobId}::uuid
            AND NOT EXISTS (SELECT 1 FROM recipient_sources rs WHERE rs.source_id = ${sourceId}::uuid AND rs.email_normalized = st.email_normalized)
          ORDER BY st.email_normalized
          RETURNING email_normalized, email, name
        ), created AS (
          INSERT INTO recipients (series_id, email_normalized, email, name)
          SELECT ${seriesId}::uuid, a.email_normalized, a.email, a.name FROM added a
          WHERE NOT EXISTS (SELECT 1 FROM recipients r WHERE r.series_id = ${seriesId}::uuid AND r.email_normalized = a.email_normalized)
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM added)::int AS added, (SELECT count(*) FROM created)::int AS created,
               (SELECT count(*) FROM sync_staging WHERE job_id = ${jobId}::uuid)::int AS total`,
  );
  await tx.execute(sql`RESET enable_seqscan`);
  return {
    added: Number(added.added),
    removed,
    recipientsAdded: Number(added.created),
    recipientsRemoved: gone.dropped,
    total: Number(added.total),
  };
}

/**
 * The final step of a pipelined apply (pipeline.ts), inside its transaction: every staged page is already
 * mirrored, so what remains is
 *  - removals. The source now holds its old addresses plus the ones the mirror added; when that is exactly as
 *    many as were staged, none of the old ones is missing and there is nothing to remove (the weekly re-sync of
 *    an unchanged group), which the pipeline's own tallies tell without a query. Otherwise the anti-join with
 *    staging finds them, and must find exactly that many.
 *  - when the pipeline wrote holdings only: the recipients the new holdings lack. Any new holding may lack one
 *    (another writer may have released the address while ours was uncommitted), so the anti-join runs over all
 *    of the source's holdings (through the indexes: see applyStagedSet); old ones never lack one.
 * The caller holds the series' audience lock, taken before the job's (see run-job.ts).
 */
export async function completeMirroredSet(
  tx: Executor,
  input: { jobId: string; sourceId: string; seriesId: string; guard: boolean; mirrored: Mirrored },
): Promise<ApplyCounts> {
  const { sourceId, seriesId, mirrored } = input;
  const held = mirrored.heldBefore + mirrored.added;
  const unstaged = held - mirrored.staged;
  let gone = { removed: 0, dropped: 0 };
  if (unstaged !== 0) {
    await tx.execute(sql`SET LOCAL work_mem = '64MB'`);
    gone = await removeUnstaged(tx, input);
    if (gone.removed !== unstaged) {
      throw new Error(`pipelined apply out of step with staging: held ${held}, staged ${mirrored.staged}, removed ${gone.removed}`);
    }
    if (input.guard && needsReview(mirrored.heldBefore, gone.removed)) {
      throw new NeedsReviewSignal({ current: mirrored.heldBefore, wouldRemove: gone.removed, wouldAdd: mirrored.added });
    }
  }
  let created = mirrored.created;
  if (!mirrored.holdsSeries && mirrored.added > 0) {
    await tx.execute(sql`SET LOCAL enable_seqscan = off`);
    created = await executeCount(
      tx,
      sql`INSERT INTO recipients (series_id, email_normalized, email, name)
          SELECT ${seriesId}::uuid, rs.email_normalized, rs.email, rs.name FROM recipient_sources rs
          WHERE rs.source_id = ${sourceId}::uuid
            AND NOT EXISTS (SELECT 1 FROM recipients r WHERE r.series_id = ${seriesId}::uuid AND r.email_normalized = rs.email_normalized)
          ORDER BY rs.email_normalized`,
    );
    await tx.execute(sql`RESET enable_seqscan`);
  }
  return { added: mirrored.added, removed: gone.removed, recipientsAdded: created, recipientsRemoved: gone.dropped, total: mirrored.staged };
}

/**
 * Removals: the source's holdings missing from the job's staging, and with them the recipients no other source
 * of the series holds. The caller holds the series lock.
 */
async function removeUnstaged(tx: Executor, input: { jobId: string; sourceId: string; seriesId: string }): Promise<{ removed: number; dropped: number }> {
  const { jobId, sourceId, seriesId } = input;
  // The planner judges the anti-join below from statistics that lag both tables: staging was just filled and the
  // holdings were just written by the previous sync, so it expects a few hundred rows and probes the staging
  // index once per holding (92,000 probes, each visiting the heap, for a 100,000-member group). One hash of the
  // staged set is several times cheaper at that size and no dearer when small; for this statement only.
  await tx.execute(sql`SET LOCAL enable_nestloop = off`);
  // One statement is enough here, unlike a general release: the recipients check skips this source's own rows,
  // so it does not matter that it still sees the holdings the sibling CTE is deleting.
  const [gone] = await queryRows<{ removed: number; dropped: number }>(
    tx,
    sql`WITH gone AS (
          DELETE FROM recipient_sources rs
          WHERE rs.source_id = ${sourceId}::uuid
            AND NOT EXISTS (SELECT 1 FROM sync_staging st WHERE st.job_id = ${jobId}::uuid AND st.email_normalized = rs.email_normalized)
          RETURNING rs.email_normalized
        ), dropped AS (
          DELETE FROM recipients r USING gone g
          WHERE r.series_id = ${seriesId}::uuid AND r.email_normalized = g.email_normalized
            AND NOT EXISTS (SELECT 1 FROM recipient_sources o
                            WHERE o.series_id = ${seriesId}::uuid AND o.email_normalized = r.email_normalized
                              AND o.source_id <> ${sourceId}::uuid)
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone)::int AS removed, (SELECT count(*) FROM dropped)::int AS dropped`,
  );
  await tx.execute(sql`RESET enable_nestloop`);
  return { removed: Number(gone.removed), dropped: Number(gone.dropped) };
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
