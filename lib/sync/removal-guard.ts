import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";

/**
 * The mass-removal guard (docs/design.md, "The sync, precisely"; docs/adr/0014-exclusions-change-log-thresholds.md):
 * a run that would take away more than `sharePercent` % of a group's current addresses, and more than
 * `minRemovals` of them, applies nothing until a person confirms. A group emptied by mistake in Azure (or a
 * half-broken permission) must not silently empty a newsletter's audience. Each connection sets its own two
 * figures (directory_connections.review_share_percent / review_min_removals); these are their defaults.
 */
export interface RemovalThreshold {
  sharePercent: number;
  minRemovals: number;
}

export const DEFAULT_REMOVAL_THRESHOLD: RemovalThreshold = { sharePercent: 20, minRemovals: 50 };
/** What an admin may set: a share of 1–100 %, an absolute figure of 0–1,000,000 removals. */
export const THRESHOLD_LIMITS = { sharePercent: { min: 1, max: 100 }, minRemovals: { min: 0, max: 1_000_000 } } as const;

/** True when removing `wouldRemove` of `current` addresses crosses both figures. Integer arithmetic, no rounding. */
export function exceedsThreshold(threshold: RemovalThreshold, current: number, wouldRemove: number): boolean {
  return wouldRemove > threshold.minRemovals && wouldRemove * 100 > current * threshold.sharePercent;
}

/** The figures of a connection row (either spelling of its columns). */
export function thresholdOf(connection: { reviewSharePercent: number; reviewMinRemovals: number }): RemovalThreshold {
  return { sharePercent: connection.reviewSharePercent, minRemovals: connection.reviewMinRemovals };
}

/**
 * The second guard: one cron call's removals summed over every group of a connection. Many groups each losing
 * a little (each under the per-group guard) add up to a mass removal when the cause is the connection itself
 * (a permission narrowed, a scoping change in Azure). The call's total is judged against the connection's
 * addresses as the call found them (the sum of its ticked sources' member counts, read once per call) with the
 * connection's own figures. The run that would cross it stops at Needs review like any held run, with the
 * connection-wide numbers, and the runs after it in the same call are judged against the same total.
 *
 * Reservations are taken synchronously between the count and the apply's commit (JavaScript runs one check at
 * a time, so concurrent jobs of one call cannot both slip under the limit); a run whose apply fails gives its
 * reservation back.
 */
export class CallRemovalGuard {
  private readonly removed = new Map<string, number>();
  private readonly baseline = new Map<string, Promise<number>>();
  private readonly reservations = new Map<string, { connectionId: string; count: number }>();

  /** The connection's addresses when this call first looked: the sum of its ticked directory sources' counts. */
  baselineOf(db: Executor, connectionId: string): Promise<number> {
    let found = this.baseline.get(connectionId);
    if (!found) {
      found = queryRows<{ n: number | string | null }>(
        db,
        sql`SELECT coalesce(sum(member_count), 0)::bigint AS n FROM audience_sources
            WHERE connection_id = ${connectionId}::uuid AND selected AND kind IN ('directory_group', 'directory_all')`,
      ).then(([row]) => Number(row?.n ?? 0));
      this.baseline.set(connectionId, found);
    }
    return found;
  }

  /** Removed so far in this call across the connection (reservations included). */
  removedSoFar(connectionId: string): number {
    return this.removed.get(connectionId) ?? 0;
  }

  /**
   * Reserves `count` removals of a job against the connection's total, or answers the numbers to hold the
   * run with when they would cross the threshold. No await between the check and the reservation.
   */
  reserve(jobId: string, connectionId: string, threshold: RemovalThreshold, baseline: number, count: number): { ok: true } | { ok: false; removedBefore: number } {
    if (count === 0) return { ok: true };
    const before = this.removedSoFar(connectionId);
    if (exceedsThreshold(threshold, baseline, before + count)) return { ok: false, removedBefore: before };
    this.removed.set(connectionId, before + count);
    this.reservations.set(jobId, { connectionId, count });
    return { ok: true };
  }

  /** A job's apply did not commit: its removals did not happen. */
  cancel(jobId: string): void {
    const r = this.reservations.get(jobId);
    if (!r) return;
    this.reservations.delete(jobId);
    this.removed.set(r.connectionId, Math.max(0, this.removedSoFar(r.connectionId) - r.count));
  }
}
