import "server-only";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Executor } from "@/db/client";
import { requireSeries, type Actor } from "@/lib/auth/actor";
import { allProviders } from "@/lib/directory/registry";
import { announceJobEnded } from "@/lib/jobs/announce";
import { logError } from "@/lib/log";
import type { EnumerationProgress } from "./enumerate";
import { openConnectionGraph, type OpenGraphSession } from "./graph-session";
import { attemptsExhausted, attemptsExhaustedDiagnosis, claimNextJob, countClaimableJobs, countRemainingJobs, DEFAULT_LEASE_MS, recordMinimalFailure, type SyncJob } from "@/lib/jobs/queue";
import type { Diagnosis } from "@/lib/directory/types";
import { unservedDiagnosis } from "./failure";
import { openRun, recordFailed } from "./outcomes";
import type { CallRemovalGuard } from "./removal-guard";
import { runClaimedJob, type JobOutcome, type JobTimings } from "./run-job";

export type WorkEvent =
  | { type: "claimed"; job: SyncJob }
  | { type: "page"; progress: EnumerationProgress }
  | { type: "finished"; job: SyncJob; outcome: JobOutcome; timings: JobTimings };

export interface RunQueuedWorkOptions {
  /** Wall-clock budget for this call; throttling waits count against it like everything else. */
  budgetMs: number;
  /** Lease owner name; unique per call by default. */
  owner?: string;
  connectionId?: string;
  /** Only this job (the CLI's `sync --series --group`). */
  jobId?: string;
  /** Jobs run side by side; the provider's per-tenant cap bounds the requests they make together. */
  concurrency?: number;
  leaseMs?: number;
  openGraph?: OpenGraphSession;
  onProgress?: (event: WorkEvent) => void;
  /** The cron call's connection-wide removal guard (lib/sync/removal-guard.ts), shared by the call's jobs. */
  removalGuard?: CallRemovalGuard;
}

export interface WorkSummary {
  claimed: number;
  /** Synced or previewed. */
  completed: number;
  failed: number;
  needsReview: number;
  /** Handed back to the queue (time budget, long throttling pause); resumed by the next call. */
  interrupted: number;
  cancelled: number;
  /** Jobs still queued or running after this call. */
  remaining: number;
}

/**
 * A job that must not run (out of attempts, or its connection no longer serves the series' organization) fails
 * with its diagnosis and releases its lease, without contacting Graph.
 */
async function giveUp(db: Executor, job: SyncJob, owner: string, diagnosis: Diagnosis): Promise<JobOutcome> {
  const runId = await openRun(db, job);
  const recorded = await recordFailed(db, { jobId: job.id, runId, sourceId: job.sourceId, owner }, diagnosis, { mode: job.mode });
  return recorded ? "failed" : "lost";
}

/** Matches the providers' default per-tenant cap (Entra's: 8): each job has at most one page request in flight. */
export const DEFAULT_CONCURRENCY = Math.max(...allProviders().map((p) => p.defaultMaxInFlight));

export function workerName(prefix = "worker"): string {
  return `${prefix}:${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

/**
 * The worker the cron route, the CLI and server actions (through `after()`) share: claims due jobs and runs
 * them until the queue is empty or the budget is spent. No job is started after the budget; a running job
 * stops requesting pages at the budget and goes back to the queue with its cursor, so the call returns within
 * the budget plus one page and one apply.
 */
export async function runQueuedWork(db: Executor, opts: RunQueuedWorkOptions): Promise<WorkSummary> {
  const deadline = Date.now() + Math.max(0, opts.budgetMs);
  const owner = opts.owner ?? workerName();
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const openGraph = opts.openGraph ?? openConnectionGraph;
  const summary: WorkSummary = { claimed: 0, completed: 0, failed: 0, needsReview: 0, interrupted: 0, cancelled: 0, remaining: 0 };

  const tally = (outcome: JobOutcome) => {
    if (outcome === "synced" || outcome === "previewed") summary.completed++;
    else if (outcome === "failed") summary.failed++;
    else if (outcome === "needs_review") summary.needsReview++;
    else if (outcome === "interrupted") summary.interrupted++;
    else if (outcome === "cancelled") summary.cancelled++;
  };

  async function loop() {
    while (Date.now() < deadline) {
      const job = await claimNextJob(db, { owner, leaseMs, connectionId: opts.connectionId, jobId: opts.jobId });
      if (!job) return;
      summary.claimed++;
      opts.onProgress?.({ type: "claimed", job });
      const timings: JobTimings = { enumerateMs: 0, applyMs: 0 };
      let outcome: JobOutcome;
      try {
        // Checked on every claim: a connection that stopped serving the series' organization fetches nothing more.
        outcome = job.served === false
          ? await giveUp(db, job, owner, unservedDiagnosis())
          : attemptsExhausted(job)
          ? await giveUp(db, job, owner, attemptsExhaustedDiagnosis(job))
          : await runClaimedJob(db, job, {
          owner,
          leaseMs,
          deadline,
          openGraph,
          timings,
          removalGuard: opts.removalGuard,
          onPage: opts.onProgress ? (progress) => opts.onProgress!({ type: "page", progress }) : undefined,
        });
      } catch (error) {
        // Even recording the failure failed. A fixed, minimal record is tried (it cannot fail on content);
        // when the database itself went away, the lease expires and another call takes the job again, up to
        // the job's max_attempts. This call carries on with the rest.
        logError(`sync job ${job.id} could not be recorded`, error);
        outcome = (await recordMinimalFailure(db, job, owner)) ? "failed" : "lost";
      }
      tally(outcome);
      announceJobEnded(job.seriesId);
      opts.onProgress?.({ type: "finished", job, outcome, timings });
      if (opts.jobId) return;
    }
  }

  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY));
  await Promise.all(Array.from({ length: opts.jobId ? 1 : concurrency }, loop));
  summary.remaining = await countRemainingJobs(db, opts.connectionId);
  return summary;
}

/**
 * Whether a series has work a worker could take now: a due queued job, or one whose lease expired because its
 * worker died (its group still reads Syncing). The dialog POSTs while it polls and the editors' actions ask
 * the same, so such a job is picked up at once instead of at the next cron call. Editors of the series only.
 */
export async function seriesWorkToKick(db: Executor, actor: Actor | null, seriesId: string): Promise<boolean> {
  const series = await requireSeries(db, actor, seriesId, "editor");
  return (await countClaimableJobs(db, { seriesId: series.id })) > 0;
}
