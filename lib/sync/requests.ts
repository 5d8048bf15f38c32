import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { audienceSources, directoryGroups, series as seriesTable } from "@/db/schema";
import { actorName, recordAudit, type AuditActor } from "@/lib/audit/record";
import { requireSeries, type Actor } from "@/lib/auth/actor";
import { lockSeriesAudience } from "@/lib/audience/holdings";
import { requireSeriesConnection } from "@/lib/dialog/connections";
import { invalidInput, notFound, RosterError } from "@/lib/errors";
import { requireDirectorySource } from "./access";
import { isUuid } from "@/lib/uuid";
import { applyStagedSet, type ApplyCounts } from "./apply";
import { enqueueJob, resumeReviewedJob } from "@/lib/jobs/queue";
import { openRun, recordSynced } from "./outcomes";
import { hasDeltaState, runConnectionRound } from "./delta-round";

/** What "Sync now" did: checked the connection for changes at once (a delta round), or queued a full sync. */
export type SyncNowResult =
  | { kind: "delta"; outcome: "synced" | "needs_review" | "failed" | "unchanged"; added: number; removed: number }
  | { kind: "queued"; jobId: string };

/**
 * "Sync now" on a group: a delta round of its connection when the connection keeps incremental state and the
 * group has had a good sync (seconds: only what changed is read; lib/sync/delta-round.ts), otherwise a queued
 * full sync. The answer describes this group only: a round covers the connection's other series too, whose
 * figures are not this editor's to see.
 */
export async function syncNow(db: Executor, actor: Actor | null, input: { sourceId: string }): Promise<SyncNowResult> {
  const { source } = await requireDirectorySource(db, actor, input.sourceId);
  if (!source.selected) throw invalidInput("Tick “Sync to audience” for this group first.");
  const incremental =
    source.kind === "directory_group" && source.state === "synced" && source.lastGoodSyncAt !== null && (await hasDeltaState(db, source.connectionId!));
  if (!incremental) return { kind: "queued", jobId: await requestSync(db, actor, input) };
  const round = await runConnectionRound(db, source.connectionId!, { trigger: "manual", deadline: Date.now() + SYNC_NOW_BUDGET_MS });
  if (round.outcome === "failed") {
    throw new RosterError("conflict", `Checking the directory for changes failed: ${round.error?.title ?? "unknown error"}. The group keeps its members; try again, or use Full re-read.`);
  }
  const mine = round.sourceResults.find((r) => r.sourceId === source.id);
  return { kind: "delta", outcome: mine?.outcome ?? "unchanged", added: mine?.added ?? 0, removed: mine?.removed ?? 0 };
}

/** How long "Sync now"'s delta round may wait out a Retry-After. */
const SYNC_NOW_BUDGET_MS = 30_000;

/**
 * "Full re-read" (support's second choice): the group's members listed whole again and applied exactly, as a
 * queued job, whatever delta rounds had built. Returns the job id.
 */
export async function requestFullReread(db: Executor, actor: Actor | null, input: { sourceId: string }): Promise<string> {
  return requestSync(db, actor, input, "reread");
}

/** Queues a full sync of a ticked group, or joins the one already queued or running. Returns the job id. */
export async function requestSync(db: Executor, actor: Actor | null, input: { sourceId: string }, reason = "manual"): Promise<string> {
  const { source } = await requireDirectorySource(db, actor, input.sourceId);
  if (!source.selected) throw invalidInput("Tick “Sync to audience” for this group first.");
  return db.transaction(async (tx) => {
    const { jobId, created } = await enqueueJob(tx, {
      sourceId: source.id,
      seriesId: source.seriesId,
      connectionId: source.connectionId!,
      reason,
      requestedBy: actor!.userId,
    });
    if (created && source.state !== "needs_review") {
      await tx.update(audienceSources).set({ state: "queued", updatedAt: new Date() }).where(eq(audienceSources.id, source.id));
    }
    return jobId;
  });
}

/**
 * Counts what ticking a group would do, without doing it: enumerates into staging like a sync, compares with
 * the audience, and drops the staging. A group never ticked gets an unselected source row to hang the job on.
 */
export async function requestPreview(db: Executor, actor: Actor | null, input: { seriesId: string; groupId: string }): Promise<string> {
  // The series first, then one answer for a group that does not exist and a group of a connection that does not
  // serve this organization: a foreign group id must not be told apart from a made-up one.
  await requireSeries(db, actor, input.seriesId, "editor");
  if (!isUuid(input.groupId)) throw notFound("That group");
  const [group] = await db.select().from(directoryGroups).where(eq(directoryGroups.id, input.groupId));
  if (!group) throw notFound("That group");
  const { series, connection } = await requireSeriesConnection(db, actor, input.seriesId, group.connectionId).catch((error: unknown) => {
    throw error instanceof RosterError && error.code === "not_found" ? notFound("That group") : error;
  });
  if (group.deletedAt) throw invalidInput(`“${group.displayName}” was deleted in Azure.`);
  return db.transaction(async (tx) => {
    const source = await ensureGroupSource(tx, { seriesId: series.id, connectionId: connection.id, group, createdBy: actor!.userId });
    const { jobId } = await enqueueJob(tx, {
      sourceId: source.id,
      seriesId: series.id,
      connectionId: connection.id,
      mode: "preview",
      reason: "preview",
      requestedBy: actor!.userId,
    });
    return jobId;
  });
}

/** An editor or admin confirms the removals the mass-removal guard held back. */
export async function confirmReview(db: Executor, actor: Actor | null, input: { sourceId: string }): Promise<ApplyCounts> {
  const { source } = await requireDirectorySource(db, actor, input.sourceId);
  return applyReviewedSet(db, { sourceId: source.id, by: { kind: "user", actor: actor! } });
}

/**
 * Applies the staged set a needs-review job kept, without the guard, in one transaction, with its audit entry
 * (review.confirm). Shared by the verb above and the operator CLI (an operator label, no user).
 */
export async function applyReviewedSet(db: Executor, input: { sourceId: string; by: Extract<AuditActor, { kind: "user" | "operator" }> }): Promise<ApplyCounts> {
  const confirmedBy = input.by.kind === "user" ? input.by.actor.userId : null;
  const [found] = await db.select({ seriesId: audienceSources.seriesId }).from(audienceSources).where(eq(audienceSources.id, input.sourceId));
  if (!found) throw notFound("That group");
  return db.transaction(async (tx) => {
    await lockSeriesAudience(tx, found.seriesId);
    const [source] = await tx.select().from(audienceSources).where(eq(audienceSources.id, input.sourceId));
    const jobId = source?.review?.jobId;
    if (!source || source.state !== "needs_review" || typeof jobId !== "string") {
      throw new RosterError("conflict", "This group has no removals waiting for review.");
    }
    if (!source.selected) throw new RosterError("conflict", "This group is no longer ticked.");
    const owner = `confirm:${confirmedBy ?? "operator"}`;
    const job = await resumeReviewedJob(tx, { jobId, sourceId: source.id, owner });
    if (!job) throw new RosterError("conflict", "The run waiting for review is gone; sync the group again.");
    const runId = await openRun(tx, { id: job.id, sourceId: source.id, seriesId: source.seriesId, reason: "confirm" });
    const counts = await applyStagedSet(tx, {
      jobId: job.id,
      sourceId: source.id,
      seriesId: source.seriesId,
      guard: false,
      kind: source.kind === "directory_all" ? "directory_all" : "directory_group",
      actor: actorName(input.by),
    });
    await recordSynced(tx, { jobId: job.id, runId, sourceId: source.id, owner }, counts);
    const [series] = await tx.select({ organizationId: seriesTable.organizationId }).from(seriesTable).where(eq(seriesTable.id, source.seriesId));
    await recordAudit(tx, input.by, {
      organizationId: series.organizationId,
      action: "review.confirm",
      targetType: "audience_source",
      targetId: source.id,
      details: { seriesId: source.seriesId, label: source.label, jobId: job.id, held: source.review, removed: counts.removed, recipientsRemoved: counts.recipientsRemoved, added: counts.added },
    });
    return counts;
  });
}

/**
 * The series' source row for a directory group, created unselected if the series never had one: what a preview
 * or a group exclusion's listing hangs its job on (a group never ticked contributes nothing through it).
 */
export async function ensureGroupSource(
  tx: Executor,
  input: { seriesId: string; connectionId: string; group: { id: string; displayName: string }; createdBy: string },
): Promise<{ id: string }> {
  await tx.execute(
    sql`INSERT INTO audience_sources (series_id, kind, label, connection_id, directory_group_id, selected, created_by)
        VALUES (${input.seriesId}::uuid, 'directory_group', ${input.group.displayName}, ${input.connectionId}::uuid, ${input.group.id}::uuid, false, ${input.createdBy}::uuid)
        ON CONFLICT (series_id, directory_group_id) WHERE kind = 'directory_group' DO NOTHING`,
  );
  const [source] = await tx
    .select({ id: audienceSources.id })
    .from(audienceSources)
    .where(and(eq(audienceSources.seriesId, input.seriesId), eq(audienceSources.directoryGroupId, input.group.id), eq(audienceSources.kind, "directory_group")));
  return source;
}
