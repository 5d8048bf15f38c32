import "server-only";
import type { Executor } from "@/db/client";
import { logError } from "@/lib/log";
import { connectionsWithSyncedGroups, runConnectionRound, type RoundReport } from "./delta-round";
import type { OpenGraphSession } from "./graph-session";
import type { CallRemovalGuard } from "./removal-guard";

/**
 * The freshness of incremental sync (docs/adr/0012-incremental-sync-membership-graph.md): every cron call (and
 * `roster sync --due`) runs a delta round for each active connection whose groups are synced; a connection
 * whose schedule came due this call gets the reconcile too — a delta round first (so that what the full pass
 * then finds is only what delta missed), then the full pass, which records that drift.
 */
export interface RoundsSummary {
  connections: number;
  deltaRounds: number;
  fullPasses: number;
  failed: number;
  added: number;
  removed: number;
  needsReview: number;
  /** Summed over this call's reconciles; null when none ran. */
  drift: number | null;
}

export async function runDeltaRounds(
  db: Executor,
  opts: {
    /** Connections whose period came due: reconciled by a full pass after their delta round. */
    reconcile?: Iterable<string>;
    openGraph?: OpenGraphSession;
    removalGuard?: CallRemovalGuard;
    /** Epoch ms: no Retry-After is slept past it. */
    deadline?: number;
    trigger?: string;
    onRound?: (report: RoundReport) => void;
  } = {},
): Promise<RoundsSummary> {
  const reconcile = new Set(opts.reconcile ?? []);
  const ids = await connectionsWithSyncedGroups(db);
  const summary: RoundsSummary = { connections: ids.length, deltaRounds: 0, fullPasses: 0, failed: 0, added: 0, removed: 0, needsReview: 0, drift: null };
  const tally = (r: RoundReport) => {
    if (r.mode === "delta") summary.deltaRounds++;
    if (r.mode === "full") summary.fullPasses++;
    if (r.outcome === "failed") summary.failed++;
    summary.added += r.added;
    summary.removed += r.removed;
    summary.needsReview += r.needsReview;
    if (r.drift !== null) summary.drift = (summary.drift ?? 0) + r.drift;
    opts.onRound?.(r);
  };
  const base = { openGraph: opts.openGraph, removalGuard: opts.removalGuard, deadline: opts.deadline, trigger: opts.trigger ?? "schedule", background: true };
  for (const id of ids) {
    try {
      const first = await runConnectionRound(db, id, base);
      tally(first);
      // A first round already was a full pass; a failed one leaves the reconcile to the next call.
      if (reconcile.has(id) && first.mode === "delta" && first.outcome === "applied") tally(await runConnectionRound(db, id, { ...base, full: "reconcile" }));
    } catch (error) {
      // A round records its own failures; this is the database failing under it. The other connections go on.
      summary.failed++;
      logError(`delta round of connection ${id} could not be recorded`, error);
    }
  }
  return summary;
}
