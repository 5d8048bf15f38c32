import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { audienceSources, syncJobs } from "@/db/schema";
import { MAX_TRANSIENT_REQUEUES } from "@/lib/sync/retry-policy";
import type { Diagnosis, ReviewNumbers, SkippedCounts, SourceStateView, SyncRunSummary, SyncState } from "./types";

/** How many past runs each group's details list. */
export const RUNS_PER_SOURCE = 5;

export function asDiagnosis(value: unknown): Diagnosis | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  const text = (x: unknown) => (typeof x === "string" ? x : undefined);
  const title = text(v.title) ?? text(v.message);
  if (!title) return null;
  return { code: text(v.code) ?? "unknown", title, fix: text(v.fix) ?? "", details: text(v.details) };
}

export function asSkipped(value: unknown): SkippedCounts {
  const out: SkippedCounts = {};
  if (!value || typeof value !== "object") return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const n = Number(v);
    if (Number.isFinite(n) && n > 0) out[k] = n;
  }
  return out;
}

function asReview(value: unknown): ReviewNumbers | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  const c = v.connection && typeof v.connection === "object" ? (v.connection as Record<string, unknown>) : null;
  return {
    current: Number(v.current ?? 0),
    wouldRemove: Number(v.wouldRemove ?? 0),
    wouldAdd: Number(v.wouldAdd ?? 0),
    ...(c ? { connection: { current: Number(c.current ?? 0), removedBefore: Number(c.removedBefore ?? 0) } } : {}),
  };
}

const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

/** The state a source shows: an active job outranks the stored state; an unticked source holds nothing. */
export function displayedState(selected: boolean, stored: SyncState, activeJob: string | null): SyncState {
  if (!selected) return "not_synced";
  if (activeJob === "running") return "syncing";
  if (activeJob === "queued") return "queued";
  return stored;
}

/**
 * The job as the badge tells it: "running" only while a worker holds its lease (it is reading); a running
 * job whose lease ran out lost its worker and waits to be claimed again, which is Queued to the editor.
 */
export function activeJobStatus(status: string | null, leaseLive: boolean | null): string | null {
  return status === "running" && !leaseLive ? "queued" : status;
}

/**
 * Every directory source of a series on one connection, with the active run's progress and the last runs.
 * Callers authorize (see overview.ts). Sources per series are few (the groups an editor ticked), so this is
 * cheap enough to poll every second or two.
 */
export async function directorySourceStates(db: Executor, seriesId: string, connectionId: string): Promise<SourceStateView[]> {
  const rows = await db
    .select({
      source: audienceSources,
      jobStatus: syncJobs.status,
      jobLeaseLive: sql<boolean | null>`${syncJobs.leaseExpiresAt} > now()`,
      jobMembersSeen: syncJobs.membersSeen,
      jobPages: syncJobs.pages,
      jobError: syncJobs.error,
      jobRunAfter: syncJobs.runAfter,
      jobRequeues: sql<number | null>`(select count(*)::int from sync_runs q where q.job_id = ${syncJobs.id} and q.outcome = 'interrupted' and q.error is not null)`,
    })
    .from(audienceSources)
    .leftJoin(
      syncJobs,
      and(eq(syncJobs.sourceId, audienceSources.id), eq(syncJobs.mode, "sync"), inArray(syncJobs.status, ["queued", "running"])),
    )
    .where(
      and(
        eq(audienceSources.seriesId, seriesId),
        eq(audienceSources.connectionId, connectionId),
        inArray(audienceSources.kind, ["directory_group", "directory_all"]),
      ),
    );
  if (rows.length === 0) return [];

  const runs = await queryRows<{
    id: string;
    source_id: string;
    outcome: SyncRunSummary["outcome"];
    trigger: string;
    kind: SyncRunSummary["kind"];
    started_at: string | Date;
    finished_at: string | Date | null;
    members_seen: number;
    added: number;
    removed: number;
    skipped: unknown;
    error: unknown;
    job_result: unknown;
  }>(
    db,
    sql`select * from (
          select r.id, r.source_id, r.outcome, r.trigger, r.kind, r.started_at, r.finished_at, r.members_seen, r.added, r.removed,
                 r.skipped, r.error, case when r.outcome = 'needs_review' then j.result end as job_result,
                 row_number() over (partition by r.source_id order by r.started_at desc, r.id) as rn
          from sync_runs r
          left join sync_jobs j on j.id = r.job_id
          where r.series_id = ${seriesId} and r.outcome <> 'previewed'
            and r.source_id in (${sql.join(rows.map((r) => sql`${r.source.id}`), sql`, `)})
        ) ranked where rn <= ${RUNS_PER_SOURCE} order by started_at desc`,
  );
  const runsBySource = new Map<string, SyncRunSummary[]>();
  for (const r of runs) {
    const list = runsBySource.get(r.source_id) ?? [];
    list.push({
      id: r.id,
      outcome: r.outcome,
      trigger: r.trigger,
      kind: r.kind,
      startedAt: iso(r.started_at)!,
      finishedAt: iso(r.finished_at),
      membersSeen: Number(r.members_seen),
      added: Number(r.added),
      removed: Number(r.removed),
      skipped: asSkipped(typeof r.skipped === "string" ? JSON.parse(r.skipped) : r.skipped),
      error: asDiagnosis(typeof r.error === "string" ? JSON.parse(r.error) : r.error),
      // A run held for review applied nothing (+0 −0); what it would do is on its job.
      review: r.outcome === "needs_review" ? asReview(typeof r.job_result === "string" ? JSON.parse(r.job_result) : r.job_result) : null,
    });
    runsBySource.set(r.source_id, list);
  }

  return rows
    .map(({ source: s, jobStatus, jobLeaseLive, jobMembersSeen, jobPages, jobError, jobRunAfter, jobRequeues }): SourceStateView => {
      const state = displayedState(s.selected, s.state, activeJobStatus(jobStatus, jobLeaseLive));
      const active = state === "queued" || state === "syncing";
      const retryError = state === "queued" && jobStatus === "queued" ? asDiagnosis(jobError) : null;
      return {
        sourceId: s.id,
        groupId: s.directoryGroupId,
        kind: s.kind === "directory_all" ? "directory_all" : "directory_group",
        label: s.label,
        selected: s.selected,
        state,
        progress: active ? { membersSeen: jobMembersSeen ?? 0, pages: jobPages ?? 0 } : null,
        // Requeued by a transient failure: say so, rather than a plain Queued that hides minutes of retrying.
        retry:
          retryError && jobRunAfter && Number(jobRequeues ?? 0) > 0
            ? { error: retryError, at: iso(jobRunAfter)!, attempt: Number(jobRequeues) + 1, of: MAX_TRANSIENT_REQUEUES + 1 }
            : null,
        memberCount: s.memberCount,
        skipped: asSkipped(s.skipped),
        lastSyncedAt: iso(s.lastSyncedAt),
        lastGoodSyncAt: iso(s.lastGoodSyncAt),
        lastError: state === "error" || s.lastError ? asDiagnosis(s.lastError) : null,
        review: state === "needs_review" ? asReview(s.review) : null,
        lastRuns: runsBySource.get(s.id) ?? [],
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label));
}
