import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import type { Diagnosis } from "@/lib/directory/types";
import {
  cancelJob,
  cancelSupersededReviews,
  completeJob,
  failJob,
  holdJob,
  holdJobForReview,
  requeueForReplication,
  requeueJob,
} from "@/lib/jobs/queue";
import { jsonSafe } from "@/lib/text/sanitize";
import type { ApplyCounts, ReviewNumbers } from "./apply";
import type { JobMode, SyncJobResult } from "@/db/schema";

export { holdJob };

/**
 * How each way a sync run ends is written down: the source's badge and the run's ledger row here, the job's
 * status through lib/jobs (the only writer of it). Every ending checks that this worker still holds the job
 * (lease owner, status running) so that a worker which lost its lease cannot overwrite what the one that took
 * over recorded.
 */
export interface RunRef {
  jobId: string;
  runId: string;
  sourceId: string;
  owner: string;
}

/** Every jsonb written here goes through jsonSafe: recording a failure can never fail on what the failure said. */
const json = (v: unknown) => JSON.stringify(jsonSafe(v));

/** Opens the ledger row of one attempt; earlier attempts still marked running died with their worker. */
export async function openRun(db: Executor, job: { id: string; sourceId: string; seriesId: string; reason: string }): Promise<string> {
  await db.execute(
    sql`UPDATE sync_runs SET outcome = 'interrupted', finished_at = now() WHERE job_id = ${job.id}::uuid AND outcome = 'running'`,
  );
  const [row] = await queryRows<{ id: string }>(
    db,
    sql`INSERT INTO sync_runs (job_id, source_id, series_id, trigger)
        VALUES (${job.id}::uuid, ${job.sourceId}::uuid, ${job.seriesId}::uuid, ${job.reason}) RETURNING id`,
  );
  return row.id;
}

/**
 * Copies the job's counters to its run row: the ledger reads as "this job, as of the end of this attempt"
 * (pages, members, skipped and throttling accumulate across the attempts of a resumed job).
 */
async function closeRun(tx: Executor, ref: RunRef, outcome: string, extra: { added?: number; removed?: number; error?: Diagnosis | null }) {
  await tx.execute(
    sql`UPDATE sync_runs r SET outcome = ${outcome}::run_outcome, finished_at = now(),
          pages = j.pages, members_seen = j.members_seen, retries = j.retries, throttle_wait_ms = j.throttle_wait_ms,
          skipped = jsonb_build_object('disabled', j.skipped_disabled, 'noAddress', j.skipped_no_address, 'duplicate', j.skipped_duplicate, 'contactsOff', j.skipped_contacts_off),
          added = ${extra.added ?? 0}, removed = ${extra.removed ?? 0},
          error = ${extra.error ? json(extra.error) : null}::jsonb
        FROM sync_jobs j WHERE r.id = ${ref.runId}::uuid AND j.id = ${ref.jobId}::uuid`,
  );
}

const skippedOfJob = sql`jsonb_build_object('disabled', j.skipped_disabled, 'noAddress', j.skipped_no_address, 'duplicate', j.skipped_duplicate, 'contactsOff', j.skipped_contacts_off)`;

/**
 * The applied run: inside the apply's transaction, so the audience and the badge change together. The caller
 * has locked the job with holdJob before applying.
 */
export async function recordSynced(tx: Executor, ref: RunRef, counts: ApplyCounts): Promise<void> {
  await tx.execute(
    sql`UPDATE audience_sources s SET state = 'synced', member_count = ${counts.total}, skipped = ${skippedOfJob},
          last_synced_at = now(), last_good_sync_at = now(), last_error = NULL, review = NULL, updated_at = now()
        FROM sync_jobs j WHERE s.id = ${ref.sourceId}::uuid AND j.id = ${ref.jobId}::uuid`,
  );
  // The run's ledger copies the job's counters before the job ends.
  await closeRun(tx, ref, "synced", { added: counts.added, removed: counts.removed });
  await completeJob(tx, ref, counts);
  // A successful run supersedes any staged set that was waiting for review.
  await cancelSupersededReviews(tx, ref.sourceId, ref.jobId);
}

/** The guard stopped the run: the staged set is kept for the confirmation, nothing else changes. */
export async function recordNeedsReview(db: Executor, ref: RunRef, numbers: ReviewNumbers): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await holdJob(tx, ref))) return false;
    await cancelSupersededReviews(tx, ref.sourceId, ref.jobId);
    const review = { ...numbers, jobId: ref.jobId };
    await tx.execute(
      sql`UPDATE audience_sources SET state = 'needs_review', review = ${json(review)}::jsonb, last_synced_at = now(), updated_at = now()
          WHERE id = ${ref.sourceId}::uuid`,
    );
    await holdJobForReview(tx, ref, numbers);
    await closeRun(tx, ref, "needs_review", { added: 0, removed: 0 });
    return true;
  });
}

/**
 * A failed run applies nothing: the source keeps its holdings and its last good sync time, and shows the
 * diagnosis. What was staged is dropped (a failed listing is not resumed; the next run starts afresh).
 */
export async function recordFailed(db: Executor, ref: RunRef, diagnosis: Diagnosis, opts: { mode: JobMode }): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await holdJob(tx, ref))) return false;
    if (opts.mode === "sync") {
      await tx.execute(
        sql`UPDATE audience_sources SET state = 'error', last_error = ${json(diagnosis)}::jsonb, last_synced_at = now(), updated_at = now()
            WHERE id = ${ref.sourceId}::uuid`,
      );
    }
    await closeRun(tx, ref, "failed", { error: diagnosis });
    await failJob(tx, ref, diagnosis);
    return true;
  });
}

/** A preview never touches the audience; its staging is dropped once counted. */
export async function recordPreviewed(db: Executor, ref: RunRef, result: SyncJobResult): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await holdJob(tx, ref))) return false;
    await closeRun(tx, ref, "previewed", {});
    await completeJob(tx, ref, result);
    return true;
  });
}

/** Time budget used up, or a long throttling pause: back to the queue, cursor and staging kept. */
export async function recordInterrupted(db: Executor, ref: RunRef, runAfterMs: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await holdJob(tx, ref))) return false;
    await requeueJob(tx, ref, { runAfterMs });
    await closeRun(tx, ref, "interrupted", {});
    return true;
  });
}

/**
 * Graph kept failing transiently (5xx, a body that broke off, stalled or was not JSON) after the session's
 * retries: back to the queue after `runAfterMs`, cursor and staging kept, so the next attempt resumes at the
 * page that failed. The diagnosis is kept on the job and its run; the source shows it is queued again, its
 * audience untouched. Returns false when the lease was lost.
 */
export async function recordRetryLater(db: Executor, ref: RunRef, diagnosis: Diagnosis, runAfterMs: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await holdJob(tx, ref))) return false;
    await requeueJob(tx, ref, { runAfterMs, error: diagnosis });
    // The badge says the group waits for its turn again (its audience is untouched meanwhile).
    await tx.execute(sql`UPDATE audience_sources SET state = 'queued', updated_at = now() WHERE id = ${ref.sourceId}::uuid AND state = 'syncing'`);
    await closeRun(tx, ref, "interrupted", { error: diagnosis });
    return true;
  });
}

/**
 * A 404 on a group Roster first saw less than 15 minutes ago may be directory replication, not a deletion:
 * Microsoft documents that a recently created group can answer 404 for a while and says to retry after a delay
 * (https://learn.microsoft.com/en-us/graph/api/team-put-teams, https://learn.microsoft.com/en-us/graph/api/group-update).
 * Back to the queue once, after `runAfterMs`; returns false when the job already had its retry, the group is
 * older, or the lease was lost — then the 404 counts as a deletion.
 */
export async function recordReplicationRetry(db: Executor, ref: RunRef, directoryGroupId: string, runAfterMs: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await holdJob(tx, ref))) return false;
    if (!(await requeueForReplication(tx, ref, { directoryGroupId, runAfterMs }))) return false;
    await tx.execute(sql`UPDATE audience_sources SET state = 'queued', updated_at = now() WHERE id = ${ref.sourceId}::uuid AND state = 'syncing'`);
    await closeRun(tx, ref, "interrupted", {});
    return true;
  });
}

/** How many attempts of a job ended in recordRetryLater so far. */
export async function transientRequeues(db: Executor, jobId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM sync_runs WHERE job_id = ${jobId}::uuid AND outcome = 'interrupted' AND error IS NOT NULL`,
  );
  return Number(row?.n ?? 0);
}

/** The source was unticked while its job waited: nothing to do, nothing to show. */
export async function recordCancelled(db: Executor, ref: RunRef): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await holdJob(tx, ref))) return false;
    await closeRun(tx, ref, "interrupted", {});
    await cancelJob(tx, ref);
    return true;
  });
}

/** Marks the connection failing (expired or wrong secret, app removed…) so the admin sees it on its page. */
export async function recordConnectionFailure(db: Executor, connectionId: string, diagnosis: Diagnosis): Promise<void> {
  await db.execute(
    sql`UPDATE directory_connections SET health = 'failing', last_error = ${json(diagnosis)}::jsonb, updated_at = now()
        WHERE id = ${connectionId}::uuid`,
  );
}
