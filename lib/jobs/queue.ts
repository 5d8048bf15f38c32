import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { executeCount, queryRows, type Executor } from "@/db/client";
import { syncJobs, type SyncJobResult } from "@/db/schema";
import type { Diagnosis } from "@/lib/directory/types";
import { notFound } from "@/lib/errors";
import { jsonSafe } from "@/lib/text/sanitize";
import type { JobMode } from "@/db/schema";

/**
 * The job queue: the only writer of a job's status (enqueue, claim, renew, complete, hold for review, requeue,
 * fail, cancel). Jobs are rows of sync_jobs (docs/design.md, "The sync, precisely";
 * docs/adr/0001-postgresql-job-queue.md): any number of cron calls, CLI workers and serverless functions claim
 * them side by side, coordinating only through PostgreSQL. A claim is a lease: a worker that dies simply stops
 * renewing it, and once it expires the job is claimed again and resumes from its last committed page.
 *
 * A directory sync (lib/sync) is the one kind of job today: it writes its listing's progress (cursor, pages,
 * counters) with each staged page (lib/sync/staging.ts), and leaves every change of status to this file. A job
 * that ends (done, failed, cancelled) drops what it staged here too; a job held for review keeps it.
 */
/** A job as a worker holds it; the disabled members' ids stay in the database for the apply (lib/audience/holdings.ts). */
export type SyncJob = Omit<typeof syncJobs.$inferSelect, "disabledObjectIds"> & {
  /** As of the claim: the connection still serves the series' organization (connection_organizations). */
  served?: boolean;
};
export type { JobMode };

export const DEFAULT_LEASE_MS = 120_000;
/** sync_jobs.max_attempts' default: attempts that may end without any recorded outcome before the job fails. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Queues a job for a source, or joins the one already queued or running (the partial unique index
 * sync_jobs_one_active_key allows one active job per source and mode). Returns the active job's id.
 */
export async function enqueueJob(
  tx: Executor,
  input: { sourceId: string; seriesId: string; connectionId: string; mode?: JobMode; reason: string; requestedBy?: string | null },
): Promise<{ jobId: string; created: boolean }> {
  const mode = input.mode ?? "sync";
  // Only while the connection serves the series' organization (checked here too, not only by the caller).
  const [served] = await queryRows<{ ok: boolean }>(
    tx,
    sql`SELECT EXISTS (SELECT 1 FROM connection_organizations co JOIN series se ON se.organization_id = co.organization_id
                       WHERE co.connection_id = ${input.connectionId}::uuid AND se.id = ${input.seriesId}::uuid) AS ok`,
  );
  if (!served?.ok) throw notFound("That directory connection");
  const inserted = await queryRows<{ id: string }>(
    tx,
    sql`INSERT INTO sync_jobs (source_id, series_id, connection_id, mode, reason, requested_by)
        VALUES (${input.sourceId}::uuid, ${input.seriesId}::uuid, ${input.connectionId}::uuid, ${mode}, ${input.reason},
                ${input.requestedBy ?? null}::uuid)
        ON CONFLICT (source_id, mode) WHERE status IN ('queued', 'running') DO NOTHING
        RETURNING id`,
  );
  if (inserted[0]) return { jobId: inserted[0].id, created: true };
  const [active] = await queryRows<{ id: string }>(
    tx,
    sql`SELECT id FROM sync_jobs WHERE source_id = ${input.sourceId}::uuid AND mode = ${mode} AND status IN ('queued', 'running')`,
  );
  if (!active) throw new Error("sync job neither inserted nor found active");
  return { jobId: active.id, created: false };
}

/** Raw rows come back snake_cased; this maps the columns the worker reads. */
function toJob(row: Record<string, unknown>): SyncJob {
  const d = (v: unknown) => (v == null ? null : new Date(v as string));
  return {
    id: row.id as string,
    sourceId: row.source_id as string,
    seriesId: row.series_id as string,
    connectionId: row.connection_id as string,
    mode: row.mode as JobMode,
    status: row.status as SyncJob["status"],
    reason: row.reason as string,
    requestedBy: (row.requested_by as string | null) ?? null,
    runAfter: d(row.run_after)!,
    leaseOwner: (row.lease_owner as string | null) ?? null,
    leaseExpiresAt: d(row.lease_expires_at),
    attempts: Number(row.attempts),
    lostAttempts: Number(row.lost_attempts ?? 0),
    maxAttempts: Number(row.max_attempts ?? DEFAULT_MAX_ATTEMPTS),
    cursor: (row.cursor as string | null) ?? null,
    enumerationDone: Boolean(row.enumeration_done),
    pages: Number(row.pages),
    membersSeen: Number(row.members_seen),
    skippedDisabled: Number(row.skipped_disabled),
    skippedNoAddress: Number(row.skipped_no_address),
    skippedDuplicate: Number(row.skipped_duplicate),
    skippedContactsOff: Number(row.skipped_contacts_off),
    retries: Number(row.retries),
    throttleWaitMs: Number(row.throttle_wait_ms),
    cursorRestarts: Number(row.cursor_restarts ?? 0),
    replicationRetried: Boolean(row.replication_retried),
    result: (typeof row.result === "string" ? JSON.parse(row.result) : row.result) as SyncJob["result"],
    error: (typeof row.error === "string" ? JSON.parse(row.error) : row.error) as SyncJob["error"],
    createdAt: d(row.created_at)!,
    startedAt: d(row.started_at),
    finishedAt: d(row.finished_at),
    served: row.served === undefined ? undefined : Boolean(row.served),
  };
}

/**
 * Claims the next job that is due, or whose lease expired because its worker died. `FOR UPDATE SKIP LOCKED`
 * lets concurrent claimers pass over each other's candidates instead of queueing behind them, and the status
 * change in the same statement means no two claimers can leave with the same job.
 */
export async function claimNextJob(
  db: Executor,
  input: { owner: string; leaseMs?: number; connectionId?: string; jobId?: string },
): Promise<SyncJob | null> {
  const leaseMs = input.leaseMs ?? DEFAULT_LEASE_MS;
  const onlyConnection = input.connectionId ? sql`AND connection_id = ${input.connectionId}::uuid` : sql``;
  const onlyJob = input.jobId ? sql`AND id = ${input.jobId}::uuid` : sql``;
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`UPDATE sync_jobs SET
          status = 'running', lease_owner = ${input.owner},
          lease_expires_at = now() + ${leaseMs} * interval '1 millisecond',
          attempts = attempts + 1, started_at = coalesce(started_at, now()),
          -- Taking over an expired lease: the attempt before ended without recording anything.
          lost_attempts = lost_attempts + (CASE WHEN status = 'running' THEN 1 ELSE 0 END)
        WHERE id = (
          SELECT id FROM sync_jobs
          WHERE ((status = 'queued' AND run_after <= now()) OR (status = 'running' AND lease_expires_at < now()))
            ${onlyConnection} ${onlyJob}
          -- Largest groups first among jobs queued together: the longest page chains start early, so a
          -- cron call's parallel workers finish together instead of waiting on one late giant.
          ORDER BY run_after, created_at,
                   (SELECT s.member_count FROM audience_sources s WHERE s.id = sync_jobs.source_id) DESC NULLS LAST
          LIMIT 1
          FOR UPDATE SKIP LOCKED)
        RETURNING *,
          EXISTS (SELECT 1 FROM connection_organizations co JOIN series se ON se.organization_id = co.organization_id
                  WHERE co.connection_id = sync_jobs.connection_id AND se.id = sync_jobs.series_id) AS served`,
  );
  return rows[0] ? toJob(rows[0]) : null;
}

/** Keeps a lease alive while a long page or apply runs. False when the lease was lost to another worker. */
export async function renewLease(db: Executor, jobId: string, owner: string, leaseMs = DEFAULT_LEASE_MS): Promise<boolean> {
  const n = await executeCount(
    db,
    sql`UPDATE sync_jobs SET lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
        WHERE id = ${jobId}::uuid AND lease_owner = ${owner} AND status = 'running'`,
  );
  return n > 0;
}

/** Cancels a source's active and awaiting-review jobs and drops what they staged. */
export async function cancelSourceJobs(tx: Executor, sourceId: string): Promise<number> {
  const cancelled = await queryRows<{ id: string }>(
    tx,
    sql`UPDATE sync_jobs SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
        WHERE source_id = ${sourceId}::uuid AND status IN ('queued', 'running', 'needs_review')
        RETURNING id`,
  );
  if (cancelled.length > 0) {
    await tx.execute(
      sql`DELETE FROM sync_staging WHERE job_id IN (${sql.join(cancelled.map((c) => sql`${c.id}::uuid`), sql`, `)})`,
    );
    await tx.execute(
      sql`UPDATE sync_runs SET outcome = 'interrupted', finished_at = now()
          WHERE job_id IN (${sql.join(cancelled.map((c) => sql`${c.id}::uuid`), sql`, `)}) AND outcome = 'running'`,
    );
  }
  return cancelled.length;
}

/** Jobs that could run now or later (queued, or running under a live or expired lease). */
export async function countRemainingJobs(db: Executor, connectionId?: string): Promise<number> {
  const only = connectionId ? sql`AND connection_id = ${connectionId}::uuid` : sql``;
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM sync_jobs WHERE status IN ('queued', 'running') ${only}`,
  );
  return Number(row?.n ?? 0);
}

/** A job whose attempts keep ending without a result has used up sync_jobs.max_attempts. */
export function attemptsExhausted(job: Pick<SyncJob, "lostAttempts" | "maxAttempts">): boolean {
  return job.lostAttempts >= job.maxAttempts;
}

export function attemptsExhaustedDiagnosis(job: Pick<SyncJob, "id" | "lostAttempts">) {
  return {
    code: "attempts_exhausted",
    title: `Stopped after ${job.lostAttempts} attempts that ended without a result`,
    fix:
      "Each attempt stopped before it could record how it ended (the server stopped, or the result could not be saved). " +
      "The audience keeps its last good sync. Use “Sync now” to try again; if it stops again, ask an admin to look for this sync job in the server log.",
    details: `Sync job ${job.id}.`,
  };
}

/**
 * The last resort when even recording a failure failed (outcomes.ts could not write): a fixed, minimal record
 * that cannot fail on content, releasing the lease so the group never stays Syncing. False if the job is no
 * longer this worker's, or the database refused this too.
 */
export async function recordMinimalFailure(db: Executor, job: Pick<SyncJob, "id" | "sourceId" | "mode">, owner: string): Promise<boolean> {
  const diagnosis = JSON.stringify({
    code: "unrecorded_failure",
    title: "The sync failed and its details could not be saved",
    fix: "The audience keeps its last good sync. Use “Sync now” to try again; if it fails again, ask an admin to look for this sync job in the server log.",
    details: `Sync job ${job.id}.`,
  });
  try {
    return await db.transaction(async (tx) => {
      const n = await executeCount(
        tx,
        sql`UPDATE sync_jobs SET status = 'failed', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
              error = ${diagnosis}::jsonb
            WHERE id = ${job.id}::uuid AND lease_owner = ${owner} AND status = 'running'`,
      );
      if (n === 0) return false;
      if (job.mode === "sync") {
        await tx.execute(
          sql`UPDATE audience_sources SET state = 'error', last_error = ${diagnosis}::jsonb, last_synced_at = now(), updated_at = now()
              WHERE id = ${job.sourceId}::uuid`,
        );
      }
      await tx.execute(sql`UPDATE sync_runs SET outcome = 'failed', finished_at = now() WHERE job_id = ${job.id}::uuid AND outcome = 'running'`);
      await tx.execute(sql`DELETE FROM sync_staging WHERE job_id = ${job.id}::uuid`);
      return true;
    });
  } catch {
    return false;
  }
}

/**
 * Jobs a worker could take right now: due and queued, or running under a lease that expired (its worker
 * died). Whatever kicks the worker (a poll's POST, an editor's action) asks this first.
 */
export async function countClaimableJobs(db: Executor, filter: { seriesId?: string; connectionId?: string } = {}): Promise<number> {
  const bySeries = filter.seriesId ? sql`AND series_id = ${filter.seriesId}::uuid` : sql``;
  const byConnection = filter.connectionId ? sql`AND connection_id = ${filter.connectionId}::uuid` : sql``;
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM sync_jobs
        WHERE ((status = 'queued' AND run_after <= now()) OR (status = 'running' AND lease_expires_at < now()))
          ${bySeries} ${byConnection}`,
  );
  return Number(row?.n ?? 0);
}

/** A claimed job, as the worker holding it names it. */
export interface JobRef {
  jobId: string;
  owner: string;
}

/** Locks the job if this worker still holds it (lease owner, status running). Every ending below needs it first. */
export async function holdJob(tx: Executor, ref: JobRef): Promise<boolean> {
  const rows = await queryRows(
    tx,
    sql`SELECT id FROM sync_jobs WHERE id = ${ref.jobId}::uuid AND lease_owner = ${ref.owner} AND status = 'running' FOR UPDATE`,
  );
  return rows.length > 0;
}

const json = (v: unknown) => JSON.stringify(jsonSafe(v));
const after = (ms: number) => sql`now() + ${Math.max(0, Math.round(ms))} * interval '1 millisecond'`;

/**
 * Ends or hands back a held job: the status, the lease released, and the caller's columns; what it staged is
 * dropped when it ends for good (done, failed, cancelled) and kept otherwise (queued again, or held for review).
 */
async function release(tx: Executor, jobId: string, status: "done" | "failed" | "cancelled" | "needs_review" | "queued", set: SQL): Promise<void> {
  const finished = status === "queued" ? sql`` : sql`, finished_at = now()`;
  await tx.execute(
    sql`UPDATE sync_jobs SET status = ${status}, lease_owner = NULL, lease_expires_at = NULL${finished}${set}
        WHERE id = ${jobId}::uuid`,
  );
  if (status === "done" || status === "failed" || status === "cancelled") {
    await tx.execute(sql`DELETE FROM sync_staging WHERE job_id = ${jobId}::uuid`);
  }
}

/** Done, with its result (a sync's counts, a preview's numbers). */
export async function completeJob(tx: Executor, ref: JobRef, result: SyncJobResult): Promise<void> {
  await release(tx, ref.jobId, "done", sql`, cursor = NULL, error = NULL, result = ${json(result)}::jsonb`);
}

/** Failed with a diagnosis. */
export async function failJob(tx: Executor, ref: JobRef, error: Diagnosis): Promise<void> {
  await release(tx, ref.jobId, "failed", sql`, error = ${json(error)}::jsonb`);
}

/** Nothing to do any more (its source was unticked while it waited). */
export async function cancelJob(tx: Executor, ref: JobRef): Promise<void> {
  await release(tx, ref.jobId, "cancelled", sql``);
}

/** Waits for a person (the mass-removal guard): its staged set is kept for the confirmation. */
export async function holdJobForReview(tx: Executor, ref: JobRef, result: SyncJobResult): Promise<void> {
  await release(tx, ref.jobId, "needs_review", sql`, result = ${json(result)}::jsonb`);
}

/** Back to the queue after `runAfterMs`, cursor and staging kept; with the diagnosis of a transient failure, if any. */
export async function requeueJob(tx: Executor, ref: JobRef, input: { runAfterMs: number; error?: Diagnosis }): Promise<void> {
  const error = input.error ? sql`, error = ${json(input.error)}::jsonb` : sql``;
  await release(tx, ref.jobId, "queued", sql`, run_after = ${after(input.runAfterMs)}${error}`);
}

/**
 * Back to the queue once for directory replication (a group first seen less than 15 minutes ago answering 404).
 * False when the job already had its retry or the group is older: then the 404 counts.
 */
export async function requeueForReplication(tx: Executor, ref: JobRef, input: { directoryGroupId: string; runAfterMs: number }): Promise<boolean> {
  const claimed = await queryRows<{ id: string }>(
    tx,
    sql`UPDATE sync_jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, replication_retried = true,
          run_after = ${after(input.runAfterMs)}
        WHERE id = ${ref.jobId}::uuid AND NOT replication_retried
          AND EXISTS (SELECT 1 FROM directory_groups g WHERE g.id = ${input.directoryGroupId}::uuid AND g.created_at > now() - interval '15 minutes')
        RETURNING id`,
  );
  return claimed.length > 0;
}

/** Cancels a source's jobs held for review other than `keepJobId`, and drops what they staged. */
export async function cancelSupersededReviews(tx: Executor, sourceId: string, keepJobId: string): Promise<void> {
  const old = await queryRows<{ id: string }>(
    tx,
    sql`UPDATE sync_jobs SET status = 'cancelled', finished_at = now()
        WHERE source_id = ${sourceId}::uuid AND status = 'needs_review' AND id <> ${keepJobId}::uuid RETURNING id`,
  );
  for (const { id } of old) await tx.execute(sql`DELETE FROM sync_staging WHERE job_id = ${id}::uuid`);
}

/**
 * Takes a job held for review back for its confirmation: running again, under `owner`'s lease for the length of
 * one apply. Null when the job is no longer waiting (superseded, cancelled).
 */
export async function resumeReviewedJob(tx: Executor, input: { jobId: string; sourceId: string; owner: string }): Promise<{ id: string; seriesId: string } | null> {
  const [job] = await queryRows<{ id: string; series_id: string }>(
    tx,
    sql`UPDATE sync_jobs SET status = 'running', lease_owner = ${input.owner}, lease_expires_at = now() + interval '10 minutes'
        WHERE id = ${input.jobId}::uuid AND source_id = ${input.sourceId}::uuid AND status = 'needs_review'
        RETURNING id, series_id`,
  );
  return job ? { id: job.id, seriesId: job.series_id } : null;
}

/**
 * Queues one job per source the query returns (columns id, series_id, connection_id), joining those already
 * active: the schedule's way to queue a whole connection in one statement. Returns how many were queued.
 */
export async function enqueueJobs(tx: Executor, input: { sources: SQL; mode: JobMode; reason: string }): Promise<number> {
  return executeCount(
    tx,
    sql`INSERT INTO sync_jobs (source_id, series_id, connection_id, mode, reason)
        SELECT q.id, q.series_id, q.connection_id, ${input.mode}, ${input.reason} FROM (${input.sources}) q
        ON CONFLICT (source_id, mode) WHERE status IN ('queued', 'running') DO NOTHING`,
  );
}

/**
 * A job born waiting for review: a delta round (lib/sync/delta-round.ts) whose changes would remove too many of
 * a source's addresses applies nothing and keeps the source's whole set for the confirmation, as a full sync
 * held by the guard does. Any earlier review of the source is superseded. Returns the job's id.
 */
export async function openReviewJob(
  tx: Executor,
  input: { sourceId: string; seriesId: string; connectionId: string; reason: string; result: SyncJobResult },
): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    tx,
    sql`INSERT INTO sync_jobs (source_id, series_id, connection_id, mode, status, reason, enumeration_done, attempts, started_at, finished_at, result)
        VALUES (${input.sourceId}::uuid, ${input.seriesId}::uuid, ${input.connectionId}::uuid, 'sync', 'needs_review', ${input.reason}, true, 1, now(), now(),
                ${json(input.result)}::jsonb)
        RETURNING id`,
  );
  await cancelSupersededReviews(tx, input.sourceId, row.id);
  return row.id;
}
