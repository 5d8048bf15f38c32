import "server-only";
import { eq, sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { audienceSources, directoryConnections, directoryGroups } from "@/db/schema";
import type { DirectorySession } from "@/lib/directory/provider";
import { providerForConnection } from "@/lib/directory/registry";
import { connectionCredentialContext } from "@/lib/connections/credential-config";
import { logError } from "@/lib/log";
import { applyStagedSet, NeedsReviewSignal, previewNumbers } from "./apply";
import { thresholdOf, type CallRemovalGuard } from "./removal-guard";
import { enumerateIntoStaging, type EnumerationProgress } from "./enumerate";
import { sourceIsServed } from "./access";
import { classifyFailure, directoryUnavailableDiagnosis, groupDeletedDiagnosis, SyncFailure, unservedDiagnosis } from "./failure";
import type { OpenGraphSession } from "./graph-session";
import { renewLease, type SyncJob } from "@/lib/jobs/queue";
import { lockSeriesAudience } from "@/lib/audience/holdings";
import { applyGroupExclusionMembers, feedsGroupExclusion } from "@/lib/audience/group-exclusions";
import {
  holdJob,
  openRun,
  recordCancelled,
  recordConnectionFailure,
  recordFailed,
  recordInterrupted,
  recordReplicationRetry,
  recordNeedsReview,
  recordPreviewed,
  recordRetryLater,
  recordSynced,
  transientRequeues,
  type RunRef,
} from "./outcomes";
import { MAX_TRANSIENT_REQUEUES, REQUEUE_BASE_MS } from "./retry-policy";
import { LeaseLostError } from "./staging";

export type JobOutcome = "synced" | "needs_review" | "failed" | "interrupted" | "previewed" | "cancelled" | "lost";

export interface JobContext {
  owner: string;
  leaseMs: number;
  /** Epoch ms: no directory page is requested after this. */
  deadline: number;
  openGraph: OpenGraphSession;
  onPage?: (progress: EnumerationProgress) => void;
  /** A cron call's connection-wide removal guard (lib/sync/removal-guard.ts); absent outside cron calls. */
  removalGuard?: CallRemovalGuard;
  /** Filled in as the job runs: where its time went (for the CLI and the benchmark). */
  timings?: JobTimings;
}

export interface JobTimings {
  enumerateMs: number;
  /** From the end of the enumeration to the commit of the audience. */
  applyMs: number;
}

export { MAX_TRANSIENT_REQUEUES }; // see retry-policy.ts
/** The wait before a just-created group's 404 is asked again (directory replication). */
export const REPLICATION_RETRY_MS = 10_000;

async function loadSource(db: Executor, sourceId: string) {
  const [row] = await db
    .select({ source: audienceSources, group: directoryGroups, connection: directoryConnections })
    .from(audienceSources)
    .innerJoin(directoryConnections, eq(directoryConnections.id, audienceSources.connectionId))
    .leftJoin(directoryGroups, eq(directoryGroups.id, audienceSources.directoryGroupId))
    .where(eq(audienceSources.id, sourceId));
  if (!row) return null;
  // Checked on every run: the connection may have stopped serving the series' organization since the claim.
  const [served] = await queryRows<{ ok: boolean }>(db, sql`SELECT ${sourceIsServed("s")} AS ok FROM audience_sources s WHERE s.id = ${sourceId}::uuid`);
  return { ...row, served: Boolean(served?.ok) };
}

/**
 * Runs one claimed job to its end, or to the end of the time budget: enumerate into staging (resuming from the
 * saved cursor), then apply in one transaction (sync) or count (preview). Every way it can end is recorded by
 * outcomes.ts; the audience changes only on the synced path.
 */
export async function runClaimedJob(db: Executor, job: SyncJob, ctx: JobContext): Promise<JobOutcome> {
  const runId = await openRun(db, job);
  const ref: RunRef = { jobId: job.id, runId, sourceId: job.sourceId, owner: ctx.owner };
  const heartbeat = setInterval(() => {
    renewLease(db, job.id, ctx.owner, ctx.leaseMs).catch((e) => logError("sync lease renewal failed", e));
  }, Math.max(1_000, Math.floor(ctx.leaseMs / 3)));
  heartbeat.unref?.();

  let loaded: Awaited<ReturnType<typeof loadSource>> | null = null;
  let groupObjectId: string | null = null;
  try {
    loaded = await loadSource(db, job.sourceId);
    groupObjectId = loaded?.group?.objectId ?? null;
    if (!loaded || (job.mode === "sync" && !loaded.source.selected)) return (await recordCancelled(db, ref)) ? "cancelled" : "lost";
    const { source, group, connection } = loaded;
    if (!loaded.served) throw new SyncFailure("group", unservedDiagnosis());
    if (source.kind === "directory_group" && (!group || group.deletedAt)) throw new SyncFailure("group_deleted", groupDeletedDiagnosis(groupObjectId, undefined, { kind: group?.kind }));
    if (source.kind === "directory_all" && connection.groupObjectIds.length > 0) throw new SyncFailure("group", directoryUnavailableDiagnosis());
    if (job.mode === "sync") {
      await db.execute(sql`UPDATE audience_sources SET state = 'syncing', updated_at = now() WHERE id = ${source.id}::uuid`);
    }

    if (!job.enumerationDone) {
      // The session never sleeps through a Retry-After longer than what is left of the budget: the job goes
      // back to the queue instead, and the next call resumes it.
      const enumerateStarted = performance.now();
      const graph: DirectorySession = await ctx.openGraph(db, {
        connectionId: connection.id,
        maxRetryAfterMs: ctx.deadline - Date.now(),
        background: job.reason === "schedule",
      });
      const result = await enumerateIntoStaging(db, graph, {
        jobId: job.id,
        owner: ctx.owner,
        leaseMs: ctx.leaseMs,
        cursor: job.cursor,
        streams: providerForConnection(connection).streamsFor({
          groupObjectId: source.kind === "directory_group" ? groupObjectId : null,
          syncContacts: connection.syncContacts,
          hiddenMembership: group?.visibility === "HiddenMembership",
        }),
        rules: { useUsernameFallback: connection.useUsernameFallback },
        deadline: ctx.deadline,
        onPage: ctx.onPage,
      });
      if (ctx.timings) ctx.timings.enumerateMs = performance.now() - enumerateStarted;
      if (result === "paused") {
        return (await recordInterrupted(db, ref, 0)) ? "interrupted" : "lost";
      }
    }

    if (job.mode === "preview") {
      // A group exclusion's listing (lib/sync/group-exclusions.ts), or an editor's preview of an excluded group:
      // the complete staged set becomes the exclusion's members before the preview is recorded (which drops the
      // staging). For a source that feeds no exclusion this is one lookup.
      if (await feedsGroupExclusion(db, job.sourceId)) {
        await db.transaction(async (tx) => {
          await lockSeriesAudience(tx, job.seriesId);
          if (!(await holdJob(tx, ref))) throw new LeaseLostError(job.id);
          await applyGroupExclusionMembers(tx, { jobId: job.id, sourceId: job.sourceId, seriesId: job.seriesId });
        });
      }
      const counts = await previewNumbers(db, { jobId: job.id, seriesId: job.seriesId });
      const result = await previewResult(db, job.id, counts);
      return (await recordPreviewed(db, ref, result)) ? "previewed" : "lost";
    }

    const applyStarted = performance.now();
    try {
      await db.transaction(async (tx) => {
        // Series first, then the job: the order every audience writer takes, so none waits on another in a cycle.
        await lockSeriesAudience(tx, job.seriesId);
        if (!(await holdJob(tx, ref))) throw new LeaseLostError(job.id);
        const guard = { connectionId: connection.id, threshold: thresholdOf(connection), call: ctx.removalGuard };
        const counts = await applyStagedSet(tx, { jobId: job.id, sourceId: job.sourceId, seriesId: job.seriesId, guard, kind: source.kind === "directory_all" ? "directory_all" : "directory_group" });
        await recordSynced(tx, ref, counts);
      }).catch((error: unknown) => {
        ctx.removalGuard?.cancel(job.id);
        throw error;
      });
      if (ctx.timings) ctx.timings.applyMs = performance.now() - applyStarted;
      return "synced";
    } catch (error) {
      if (error instanceof NeedsReviewSignal) return (await recordNeedsReview(db, ref, error.numbers)) ? "needs_review" : "lost";
      throw error;
    }
  } catch (error) {
    if (error instanceof LeaseLostError) return "lost";
    // The provider of the source's connection explains the failure; one met before the source was read has none.
    const provider = providerForConnection(loaded?.connection);
    const request = provider.classify(error);
    const failure = classifyFailure(error, {
      provider,
      groupObjectId,
      secretExpiresOn: loaded?.connection.secretExpiresOn ?? undefined,
      groupKind: loaded?.group?.kind,
      credential: loaded ? connectionCredentialContext(loaded.connection) : undefined,
    });
    const group = loaded?.group;
    if (failure.kind === "throttled") {
      const waitMs = request.retryAfterMs ?? 60_000;
      return (await recordInterrupted(db, ref, waitMs)) ? "interrupted" : "lost";
    }
    // Retries ran out on a transient failure (a 5xx, a broken, stalled or non-JSON page): the job resumes from
    // its cursor later, with what it staged, rather than failing and starting over — a bounded number of times.
    if (request.transient && failure.kind !== "group_deleted") {
      const requeues = await transientRequeues(db, job.id);
      if (requeues < MAX_TRANSIENT_REQUEUES) {
        const waitMs = REQUEUE_BASE_MS * 2 ** requeues;
        return (await recordRetryLater(db, ref, failure.diagnosis, waitMs)) ? "interrupted" : "lost";
      }
    }
    // A group first seen moments ago may answer 404 while the directory replicates: one retry after a delay
    // before it is marked deleted (recordReplicationRetry says when). One this source synced before has replicated.
    const neverSynced = !loaded?.source.lastGoodSyncAt;
    if (failure.kind === "group_deleted" && request.notFound && group && neverSynced && !job.replicationRetried) {
      if (await recordReplicationRetry(db, ref, group.id, REPLICATION_RETRY_MS)) return "interrupted";
    }
    if (failure.diagnosis.code === "unknown") logError(`sync job ${job.id} failed`, error);
    if (failure.kind === "connection" && loaded) await recordConnectionFailure(db, loaded.connection.id, failure.diagnosis);
    // The catalog shows the group as deleted at once, without waiting for its next refresh (which clears the
    // mark if the group is restored in Azure).
    if (failure.kind === "group_deleted" && group && !group.deletedAt) {
      await db.execute(sql`UPDATE directory_groups SET deleted_at = now() WHERE id = ${group.id}::uuid`);
    }
    return (await recordFailed(db, ref, failure.diagnosis, { mode: job.mode })) ? "failed" : "lost";
  } finally {
    clearInterval(heartbeat);
  }
}

async function previewResult(db: Executor, jobId: string, counts: { total: number; alreadyPresent: number }) {
  const [job] = await queryRows<Record<string, unknown>>(
    db,
    sql`SELECT skipped_disabled, skipped_no_address, skipped_duplicate, skipped_contacts_off FROM sync_jobs WHERE id = ${jobId}::uuid`,
  );
  return {
    wouldAdd: counts.total - counts.alreadyPresent,
    alreadyPresent: counts.alreadyPresent,
    total: counts.total,
    skipped: { disabled: Number(job?.skipped_disabled ?? 0), noAddress: Number(job?.skipped_no_address ?? 0), duplicate: Number(job?.skipped_duplicate ?? 0), contactsOff: Number(job?.skipped_contacts_off ?? 0) },
  };
}
