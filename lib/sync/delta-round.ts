import "server-only";
import { eq, sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { directoryConnections } from "@/db/schema";
import { reconcileDriftAlert } from "@/lib/alerts/detect";
import { recordAlerts, type AlertCandidate } from "@/lib/alerts/record";
import type { ContributedAddress } from "@/lib/audience/eligibility";
import { addHoldings, lockSeriesAudience, releaseHoldings } from "@/lib/audience/holdings";
import { connectionCredentialContext } from "@/lib/connections/credential-config";
import { loadDeltaState, saveDeltaState } from "@/lib/directory/delta-state";
import type { IncrementalReads } from "@/lib/directory/provider";
import { providerForConnection } from "@/lib/directory/registry";
import type { DeltaCursor, Diagnosis } from "@/lib/directory/types";
import { MembershipGraph, type GraphOptions, type SourceChanges } from "@/lib/directory/membership-graph";
import { openReviewJob } from "@/lib/jobs/queue";
import { jsonSafe } from "@/lib/text/sanitize";
import { logError } from "@/lib/log";
import type { ReviewNumbers } from "./apply";
import { sourceIsServed } from "./access";
import { classifyFailure, groupDeletedDiagnosis, type DeletedGroupKind } from "./failure";
import { openConnectionGraph, type OpenGraphSession } from "./graph-session";
import { recordConnectionFailure } from "./outcomes";
import { CallRemovalGuard, exceedsThreshold, thresholdOf, type RemovalThreshold } from "./removal-guard";
import { stageWholeSet } from "./staging";

/**
 * One incremental round for a connection (docs/adr/0012-incremental-sync-membership-graph.md, docs/design.md
 * "The sync, precisely"): every synced group of the connection at once, series by series.
 *
 * - A **delta round** reads the connection's delta streams from the saved cursor, applies the changes to the
 *   membership graph, and turns them into the addresses each source (series × synced group) gains and loses.
 * - A **full pass** enumerates every synced group and the groups nested in them afresh (a seed of a new graph
 *   and cursor) and brings each source's holdings to exactly the graph's set. It runs for a first round, when
 *   Graph rejects the saved token (expired after 7 days, or 410 resyncRequired), when a newly ticked group is
 *   not in the graph yet, on support's "full re-read", and as the weekly reconcile, whose differences are the
 *   drift delta missed (recorded, shown, and alerted when not 0).
 *
 * Either way the round applies in ONE transaction, through lib/audience/holdings.ts (the only writer of the
 * audience), with the mass-removal guard of a full sync (lib/sync/apply.ts) per source, a ledger row per source
 * it changed (sync_runs, kind delta or full) with its per-reason skipped counts, and the new graph and cursor
 * (lib/directory/delta-state.ts). A round that fails anywhere, reading or applying, applies nothing and leaves
 * the previous token and graph in place: the next round reads the same changes again.
 */

export type RoundMode = "delta" | "full";
export type FullReason = "first" | "requested" | "reconcile" | "expired" | "reset" | "new groups";

export interface RoundOptions {
  openGraph?: OpenGraphSession;
  /** A full pass on purpose: support's "full re-read" / `sync --full` ("requested"), or the schedule's reconcile. */
  full?: "requested" | "reconcile";
  /** The ledger's trigger: "schedule", "manual", "cli". */
  trigger: string;
  /** Epoch ms: the longest a Retry-After may make the round sleep is what is left until then. */
  deadline?: number;
  /** `Prefer: odata.maxpagesize` for the delta pages (tests use small pages). */
  maxPageSize?: number;
  /** Work nobody waits for: Graph is told it is low priority. */
  background?: boolean;
  retryPolicy?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** A cron call's connection-wide guard, shared with its jobs; a round of its own otherwise. */
  removalGuard?: CallRemovalGuard;
}

export interface RoundReport {
  connectionId: string;
  /** Null when the connection has no synced group to keep. */
  mode: RoundMode | null;
  fullReason: FullReason | null;
  /** applied: committed (possibly with nothing to change); failed: nothing applied; superseded: another round won. */
  outcome: "applied" | "failed" | "superseded" | "idle";
  sources: number;
  changedSources: number;
  /** Holdings gained and lost over every source. */
  added: number;
  removed: number;
  needsReview: number;
  deletedGroups: number;
  /** A reconcile's (or a requested full pass's) differences delta had missed; null for other rounds. */
  drift: number | null;
  /** Graph requests the round made. */
  requests: number;
  error: Diagnosis | null;
  /** What the round did to each source it touched (ledger outcome and holdings gained and lost). */
  sourceResults: Array<{ sourceId: string; outcome: "synced" | "needs_review" | "failed"; added: number; removed: number }>;
  /** Loading the state and reading the directory (with applying the changes to the graph) / the transaction. */
  timings: { readMs: number; applyMs: number };
}

interface RoundSource {
  id: string;
  seriesId: string;
  label: string;
  state: string;
  memberCount: number;
  skipped: Record<string, number>;
  lastGoodSyncAt: string | null;
  review: { jobId?: string; connection?: ReviewNumbers["connection"] } | null;
  groupRowId: string;
  groupKind: string | null;
  objectId: string;
  /** A job of the source is queued or running: its full listing applies soon; this round leaves it be. */
  busy: boolean;
}

class Superseded extends Error {
  constructor() {
    super("another round of this connection committed first");
  }
}

const json = (v: unknown) => JSON.stringify(jsonSafe(v));

async function roundSources(db: Executor, connectionId: string): Promise<RoundSource[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`SELECT s.id, s.series_id, s.label, s.state, s.member_count, s.skipped, s.last_good_sync_at, s.review,
               g.id AS group_row_id, g.kind AS group_kind, g.object_id,
               EXISTS (SELECT 1 FROM sync_jobs j WHERE j.source_id = s.id AND j.mode = 'sync' AND j.status IN ('queued', 'running')) AS busy
        FROM audience_sources s JOIN directory_groups g ON g.id = s.directory_group_id
        WHERE s.connection_id = ${connectionId}::uuid AND s.selected AND s.kind = 'directory_group' AND g.deleted_at IS NULL
          AND ${sourceIsServed("s")}
        ORDER BY s.series_id, s.id`,
  );
  const parse = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);
  return rows.map((r) => ({
    id: String(r.id),
    seriesId: String(r.series_id),
    label: String(r.label),
    state: String(r.state),
    memberCount: Number(r.member_count),
    skipped: (parse(r.skipped) as Record<string, number> | null) ?? {},
    lastGoodSyncAt: r.last_good_sync_at == null ? null : String(r.last_good_sync_at),
    review: (parse(r.review) as RoundSource["review"]) ?? null,
    groupRowId: String(r.group_row_id),
    groupKind: (r.group_kind as string | null) ?? null,
    objectId: String(r.object_id),
    busy: Boolean(r.busy),
  }));
}

/** The saved state's version (its last write), locked when inside the round's transaction. */
async function stateVersion(db: Executor, connectionId: string, lock = false): Promise<string | null> {
  const rows = await queryRows<{ v: string }>(
    db,
    lock
      ? sql`SELECT updated_at::text AS v FROM directory_delta_states WHERE connection_id = ${connectionId}::uuid FOR UPDATE`
      : sql`SELECT updated_at::text AS v FROM directory_delta_states WHERE connection_id = ${connectionId}::uuid`,
  );
  return rows[0]?.v ?? null;
}

async function heldAddresses(tx: Executor, sourceId: string): Promise<Set<string>> {
  const rows = await queryRows<{ k: string }>(tx, sql`SELECT email_normalized AS k FROM recipient_sources WHERE source_id = ${sourceId}::uuid`);
  return new Set(rows.map((r) => r.k));
}

async function openLedgerRow(tx: Executor, source: RoundSource, input: { trigger: string; kind: RoundMode; jobId?: string | null }): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    tx,
    sql`INSERT INTO sync_runs (job_id, source_id, series_id, trigger, kind)
        VALUES (${input.jobId ?? null}::uuid, ${source.id}::uuid, ${source.seriesId}::uuid, ${input.trigger}, ${input.kind}) RETURNING id`,
  );
  return row.id;
}

async function closeLedgerRow(
  tx: Executor,
  runId: string,
  input: { outcome: string; added?: number; removed?: number; membersSeen?: number; pages?: number; skipped?: Record<string, number>; error?: Diagnosis | null },
): Promise<void> {
  await tx.execute(
    sql`UPDATE sync_runs SET outcome = ${input.outcome}::run_outcome, finished_at = now(), added = ${input.added ?? 0}, removed = ${input.removed ?? 0},
          members_seen = ${input.membersSeen ?? 0}, pages = ${input.pages ?? 0}, skipped = ${json(input.skipped ?? {})}::jsonb,
          error = ${input.error ? json(input.error) : null}::jsonb
        WHERE id = ${runId}::uuid`,
  );
}

const holdingRows = (addresses: Iterable<ContributedAddress>) => [...addresses].map((a) => ({ email: a.email, name: a.name, objectId: a.objectId }));

/** Runs one round for the connection (a delta round, or a full pass when one is needed or asked for). */
export async function runConnectionRound(db: Executor, connectionId: string, opts: RoundOptions): Promise<RoundReport> {
  const report: RoundReport = {
    connectionId,
    mode: null,
    fullReason: null,
    outcome: "idle",
    sources: 0,
    changedSources: 0,
    added: 0,
    removed: 0,
    needsReview: 0,
    deletedGroups: 0,
    drift: null,
    requests: 0,
    error: null,
    sourceResults: [],
    timings: { readMs: 0, applyMs: 0 },
  };
  const started = performance.now();
  const [connection] = await db.select().from(directoryConnections).where(eq(directoryConnections.id, connectionId));
  if (!connection || connection.status !== "active") return report;
  const sources = await roundSources(db, connectionId);
  report.sources = sources.length;
  if (sources.length === 0) return report;

  const options: GraphOptions = { useUsernameFallback: connection.useUsernameFallback, contacts: connection.syncContacts };
  const groupIds = [...new Set(sources.map((s) => s.objectId.toLowerCase()))].sort();
  const version = await stateVersion(db, connectionId);
  const state = version === null ? null : await loadDeltaState(db, connectionId, options);
  let fullReason: FullReason | null = !state ? "first" : (opts.full ?? null);
  if (!fullReason && state) {
    const known = new Set(state.graph.sourceGroupIds());
    if (groupIds.some((g) => !known.has(g))) fullReason = "new groups";
  }

  let requestsBefore = 0;
  let session: Awaited<ReturnType<OpenGraphSession>> | null = null;
  try {
    session = await (opts.openGraph ?? openConnectionGraph)(db, {
      connectionId,
      maxRetryAfterMs: opts.deadline === undefined ? undefined : opts.deadline - Date.now(),
      background: opts.background,
      retryPolicy: opts.retryPolicy,
    });
    requestsBefore = session.stats.requests;
    const incremental: IncrementalReads | undefined = session.incremental;
    if (!incremental) throw new Error(`The ${session.provider.label} provider has no change tracking: its connections sync by full enumeration only.`);
    let graph: MembershipGraph | null = null;
    let cursor: DeltaCursor | null = null;
    let changed = new Map<string, SourceChanges>();
    const deletedSources = new Set<string>();
    // A round that brought no change leaves the graph as it was: only its token is saved, not the snapshot.
    let graphChanged = false;
    if (!fullReason && state) {
      report.mode = "delta";
      try {
        const round = await incremental.readRound(state.graph, state.cursor, { contacts: options.contacts, maxPageSize: opts.maxPageSize });
        const sourceSet = new Set(groupIds);
        // A synced group deleted in Azure keeps its last contribution and shows Error until it is unticked
        // (docs/design.md, "Deleted in Azure"); a deleted NESTED group takes its members with it.
        const changes = round.changes.filter((c) => {
          if (c.kind === "groupDeleted" && sourceSet.has(c.groupId.toLowerCase())) {
            deletedSources.add(c.groupId.toLowerCase());
            return false;
          }
          return true;
        });
        graph = state.graph;
        const kept = groupIds.filter((g) => !deletedSources.has(g));
        const before = state.graph.sourceGroupIds().map((g) => g.toLowerCase()).sort();
        if (before.join() !== kept.join()) {
          graph.setSources(kept);
          graphChanged = true;
        }
        if (changes.length > 0) graphChanged = true;
        changed = new Map(graph.apply(changes).map((c) => [c.sourceGroupId, c]));
        cursor = round.cursor;
      } catch (error) {
        // The directory no longer accepts the saved state (expired, or reset): a full pass seeds a new one.
        const resync = session.provider.classify(error).resyncRequired;
        if (!resync) throw error;
        fullReason = resync;
      }
    }
    if (fullReason) {
      report.mode = "full";
      graphChanged = true;
      graph = new MembershipGraph(options, groupIds);
      try {
        cursor = await incremental.seed(graph, groupIds, { contacts: options.contacts });
      } catch (error) {
        // A ticked group that is gone (deleted since the last round saw it): it keeps its members and shows
        // Error, and the others are enumerated without it, rather than the whole connection failing each round.
        if (!session.provider.classify(error).notFound) throw error;
        const present = new Set((await session.getGroupsByIds(groupIds)).map((g) => g.id.toLowerCase()));
        const gone = groupIds.filter((g) => !present.has(g));
        if (gone.length === 0) throw error;
        gone.forEach((g) => deletedSources.add(g));
        const kept = groupIds.filter((g) => !deletedSources.has(g));
        graph = new MembershipGraph(options, kept);
        cursor = await incremental.seed(graph, kept, { contacts: options.contacts });
      }
    }
    report.fullReason = fullReason;
    report.requests = session.stats.requests - requestsBefore;
    report.timings.readMs = Math.round(performance.now() - started);
    const applyStarted = performance.now();
    await applyRound(db, {
      graphChanged,
      connectionId,
      version,
      sources,
      graph: graph!,
      cursor: cursor!,
      changed,
      deletedSources,
      fullReason,
      trigger: opts.trigger,
      report,
      threshold: thresholdOf(connection),
      removalGuard: opts.removalGuard ?? new CallRemovalGuard(),
    });
    report.outcome = "applied";
    report.timings.applyMs = Math.round(performance.now() - applyStarted);
    return report;
  } catch (error) {
    report.requests = session ? session.stats.requests - requestsBefore : 0;
    report.fullReason = fullReason;
    if (error instanceof Superseded) {
      report.outcome = "superseded";
      return report;
    }
    report.outcome = "failed";
    report.added = report.removed = report.changedSources = report.needsReview = report.deletedGroups = 0;
    report.sourceResults = [];
    report.drift = null;
    const failure = classifyFailure(error, { provider: session?.provider ?? providerForConnection(connection), groupObjectId: null, secretExpiresOn: connection.secretExpiresOn ?? undefined, credential: connectionCredentialContext(connection) });
    report.error = failure.diagnosis;
    if (failure.diagnosis.code === "unknown") logError(`delta round of connection ${connectionId} failed`, error);
    if (failure.kind === "connection") await recordConnectionFailure(db, connectionId, failure.diagnosis);
    // The ledger says that the round ran and failed; the sources keep their audience, badge and last good sync.
    await db.transaction(async (tx) => {
      for (const source of sources) {
        if (source.busy) continue;
        const runId = await openLedgerRow(tx, source, { trigger: opts.trigger, kind: report.mode ?? "delta" });
        await closeLedgerRow(tx, runId, { outcome: failure.kind === "throttled" ? "interrupted" : "failed", error: failure.diagnosis });
      }
    });
    return report;
  }
}

async function applyRound(
  db: Executor,
  input: {
    graphChanged: boolean;
    connectionId: string;
    version: string | null;
    sources: RoundSource[];
    graph: MembershipGraph;
    cursor: DeltaCursor;
    changed: Map<string, SourceChanges>;
    deletedSources: Set<string>;
    fullReason: FullReason | null;
    trigger: string;
    report: RoundReport;
    threshold: RemovalThreshold;
    removalGuard: CallRemovalGuard;
  },
): Promise<void> {
  const { graph, report, fullReason } = input;
  const mode: RoundMode = fullReason ? "full" : "delta";
  const countsDrift = fullReason === "reconcile" || fullReason === "requested";
  const reserved: string[] = [];
  try {
  await db.transaction(async (tx) => {
    // Series first (the order every audience writer takes), then the connection's state, whose version tells
    // whether another round committed since this one loaded it.
    for (const seriesId of [...new Set(input.sources.map((s) => s.seriesId))].sort()) await lockSeriesAudience(tx, seriesId);
    if ((await stateVersion(tx, input.connectionId, true)) !== input.version) throw new Superseded();

    let drift = 0;
    const alerts: AlertCandidate[] = [];
    const counted = { added: 0, removed: 0, changedSources: 0, needsReview: 0, deletedGroups: 0 };
    const sourceResults: RoundReport["sourceResults"] = [];
    for (const source of input.sources) {
      const g = source.objectId.toLowerCase();
      if (input.deletedSources.has(g)) {
        const diagnosis = groupDeletedDiagnosis(source.objectId, undefined, { kind: source.groupKind as DeletedGroupKind | null });
        await tx.execute(sql`UPDATE directory_groups SET deleted_at = coalesce(deleted_at, now()) WHERE id = ${source.groupRowId}::uuid`);
        await tx.execute(
          sql`UPDATE audience_sources SET state = 'error', last_error = ${json(diagnosis)}::jsonb, last_synced_at = now(), updated_at = now() WHERE id = ${source.id}::uuid`,
        );
        const runId = await openLedgerRow(tx, source, { trigger: input.trigger, kind: mode });
        await closeLedgerRow(tx, runId, { outcome: "failed", error: diagnosis });
        sourceResults.push({ sourceId: source.id, outcome: "failed", added: 0, removed: 0 });
        counted.deletedGroups++;
        continue;
      }
      if (source.busy) continue;
      // The whole set, not a difference: a full pass, and a source whose holdings are not a good sync's (never
      // synced, or in Error) — a difference on top of those would leave a partial audience.
      const replace = mode === "full" || source.lastGoodSyncAt === null || source.state === "error";
      const change = input.changed.get(g);
      if (!replace && !change) continue;

      let added: ContributedAddress[];
      let removed: string[];
      let current: number;
      let target: Map<string, ContributedAddress> | null = null;
      if (replace || source.state === "needs_review") {
        target = graph.recipients(g);
        const held = await heldAddresses(tx, source.id);
        added = [...target.values()].filter((a) => !held.has(a.emailNormalized));
        removed = [...held].filter((k) => !target!.has(k));
        current = held.size;
      } else {
        added = change!.added;
        removed = change!.removed;
        current = source.memberCount;
      }

      // A source waiting for review keeps waiting: its held set follows the directory, so that confirming it
      // applies what the directory holds now. Why it was held stays: a hold by the connection-wide total keeps
      // its figures, or the dialog would show a removal under the group's own threshold as held for no reason.
      if (source.state === "needs_review" && typeof source.review?.jobId === "string") {
        await stageWholeSet(tx, source.review.jobId, [...target!.values()]);
        const wide = source.review.connection;
        const review = { current, wouldRemove: removed.length, wouldAdd: added.length, ...(wide ? { connection: wide } : {}), jobId: source.review.jobId };
        await tx.execute(sql`UPDATE audience_sources SET review = ${json(review)}::jsonb, updated_at = now() WHERE id = ${source.id}::uuid`);
        continue;
      }
      // A source with nothing to change has no ledger row, except in a reconcile or a requested full pass,
      // where every source's row records that it was checked (and its drift, 0 or not).
      if (added.length === 0 && removed.length === 0 && !countsDrift && source.state === "synced" && source.lastGoodSyncAt !== null) continue;

      const counts = graph.counts(g);
      const skipped = { disabled: counts.disabled, noAddress: counts.noAddress, duplicate: counts.duplicate, contactsOff: Number(source.skipped.contactsOff ?? 0) };
      const membersSeen = counts.addresses + counts.disabled + counts.noAddress + counts.duplicate;

      // The guard of a full sync: the source's own figures, then the connection-wide total of the call.
      let connectionWide: { current: number; removedBefore: number } | undefined;
      let held = exceedsThreshold(input.threshold, current, removed.length);
      if (!held && removed.length > 0) {
        const key = `round:${source.id}`;
        const baseline = await input.removalGuard.baselineOf(tx, input.connectionId);
        const r = input.removalGuard.reserve(key, input.connectionId, input.threshold, baseline, removed.length);
        if (r.ok) reserved.push(key);
        else {
          held = true;
          connectionWide = { current: baseline, removedBefore: r.removedBefore };
        }
      }
      if (held) {
        target ??= graph.recipients(g);
        const numbers = { current, wouldRemove: removed.length, wouldAdd: added.length, ...(connectionWide ? { connection: connectionWide } : {}) };
        const jobId = await openReviewJob(tx, { sourceId: source.id, seriesId: source.seriesId, connectionId: input.connectionId, reason: input.trigger, result: numbers });
        await stageWholeSet(tx, jobId, [...target.values()]);
        await tx.execute(
          sql`UPDATE audience_sources SET state = 'needs_review', review = ${json({ ...numbers, jobId })}::jsonb, last_synced_at = now(), updated_at = now()
              WHERE id = ${source.id}::uuid`,
        );
        const runId = await openLedgerRow(tx, source, { trigger: input.trigger, kind: mode, jobId });
        await closeLedgerRow(tx, runId, { outcome: "needs_review", membersSeen, skipped });
        sourceResults.push({ sourceId: source.id, outcome: "needs_review", added: 0, removed: 0 });
        counted.needsReview++;
        continue;
      }

      const gone = removed.length > 0 ? await releaseHoldings(tx, { seriesId: source.seriesId, sourceId: source.id, emails: removed, why: { removed: "left the group", sourceId: source.id } }) : { released: 0, removed: 0 };
      const got = added.length > 0 ? await addHoldings(tx, { seriesId: source.seriesId, sourceId: source.id, rows: holdingRows(added), why: { added: "joined the group", sourceId: source.id } }) : { held: 0, added: 0 };
      const memberCount = current + got.held - gone.released;
      await tx.execute(
        sql`UPDATE audience_sources SET state = 'synced', member_count = ${memberCount}, skipped = ${json(skipped)}::jsonb, last_synced_at = now(),
              last_good_sync_at = now(), last_error = NULL, review = NULL, updated_at = now()
            WHERE id = ${source.id}::uuid`,
      );
      const runId = await openLedgerRow(tx, source, { trigger: input.trigger, kind: mode });
      await closeLedgerRow(tx, runId, { outcome: "synced", added: got.held, removed: gone.released, membersSeen, skipped });
      sourceResults.push({ sourceId: source.id, outcome: "synced", added: got.held, removed: gone.released });
      counted.added += got.held;
      counted.removed += gone.released;
      if (got.held + gone.released > 0) counted.changedSources++;
      if (countsDrift && got.held + gone.released > 0) {
        drift += got.held + gone.released;
        if (fullReason === "reconcile") {
          alerts.push(reconcileDriftAlert({ connectionId: input.connectionId, reconcileRunId: runId, seriesId: source.seriesId, groupName: source.label, added: got.held, removed: gone.released }));
        }
      }
    }
    await recordAlerts(tx, alerts);
    if (input.graphChanged) await saveDeltaState(tx, input.connectionId, { graph, cursor: input.cursor, kind: mode, drift: countsDrift ? drift : undefined });
    else {
      await tx.execute(
        sql`UPDATE directory_delta_states SET cursor = ${JSON.stringify(input.cursor)}::jsonb, last_delta_at = now(), updated_at = now()
            WHERE connection_id = ${input.connectionId}::uuid`,
      );
    }
    Object.assign(report, counted, { drift: countsDrift ? drift : null, sourceResults });
  });
  } catch (error) {
    // Nothing committed: the removals reserved against the connection-wide guard did not happen.
    for (const key of reserved) input.removalGuard.cancel(key);
    throw error;
  }
}

/** Whether the connection keeps incremental state (its synced groups are kept by delta rounds). */
export async function hasDeltaState(db: Executor, connectionId: string): Promise<boolean> {
  return (await stateVersion(db, connectionId)) !== null;
}

/**
 * The connections a cron call keeps fresh: active, with at least one ticked group (served, not deleted).
 */
export async function connectionsWithSyncedGroups(db: Executor): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`SELECT DISTINCT c.id FROM directory_connections c
        JOIN audience_sources s ON s.connection_id = c.id AND s.selected AND s.kind = 'directory_group'
        JOIN directory_groups g ON g.id = s.directory_group_id AND g.deleted_at IS NULL
        WHERE c.status = 'active' AND ${sourceIsServed("s")}
        ORDER BY c.id`,
  );
  return rows.map((r) => r.id);
}
