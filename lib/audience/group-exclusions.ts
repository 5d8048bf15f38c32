import "server-only";
import { sql } from "drizzle-orm";
import { executeCount, queryRows, type Executor } from "@/db/client";
import { normalizeEmail } from "@/lib/email";
import { describeChanges } from "./change-log";
import { lockSeriesAudience, notExcluded } from "./holdings";

/**
 * Group exclusions' audience side (docs/adr/0014-exclusions-change-log-thresholds.md, "Group exclusions"): a
 * complete enumeration of the excluded group (a job's staged set) becomes the exclusion's members; the
 * recipients among them leave, and addresses no longer among them come back if a source holds them and nothing
 * else excludes them. Every later write into `recipients` leaves them out (holdings.ts, `notExcluded`).
 */

/** The group exclusions a source's enumeration feeds (one per series and group). */
async function exclusionsFedBy(tx: Executor, sourceId: string) {
  return queryRows<{ id: string; series_id: string; label: string; reason: string | null; excluded_by: string }>(
    tx,
    sql`SELECT id, series_id, label, reason, excluded_by FROM series_group_exclusions WHERE source_id = ${sourceId}::uuid`,
  );
}

/** Whether a source's listings feed a group exclusion. */
export async function feedsGroupExclusion(db: Executor, sourceId: string): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(db, sql`SELECT 1 AS one FROM series_group_exclusions WHERE source_id = ${sourceId}::uuid LIMIT 1`);
  return rows.length > 0;
}

/**
 * Re-creates the recipients a series should have and lacks: held by a source, not excluded (`notExcluded`),
 * with the oldest holding's spelling and name. After an exclusion shrinks or is lifted.
 */
export async function restoreHeldRecipients(tx: Executor, seriesId: string): Promise<number> {
  return executeCount(
    tx,
    sql`INSERT INTO recipients (series_id, email_normalized, email, name)
        SELECT DISTINCT ON (rs.email_normalized) rs.series_id, rs.email_normalized, rs.email, rs.name
        FROM recipient_sources rs
        WHERE rs.series_id = ${seriesId}::uuid
          AND NOT EXISTS (SELECT 1 FROM recipients r WHERE r.series_id = rs.series_id AND r.email_normalized = rs.email_normalized)
          AND ${notExcluded(seriesId, "rs.email_normalized")}
        ORDER BY rs.email_normalized, rs.created_at
        ON CONFLICT (series_id, email_normalized) DO NOTHING`,
  );
}

/**
 * Applies a complete enumeration (job `jobId`'s staged set) to the group exclusions its source feeds, in the
 * caller's transaction. Returns, per exclusion, how many members it now has and how many recipients left or came back.
 */
export async function applyGroupExclusionMembers(
  tx: Executor,
  input: { jobId: string; sourceId: string; seriesId: string },
): Promise<{ members: number; left: number; back: number }> {
  await lockSeriesAudience(tx, input.seriesId);
  let members = 0;
  let left = 0;
  let back = 0;
  for (const ge of await exclusionsFedBy(tx, input.sourceId)) {
    const why = `excluded: member of ${ge.label}${ge.reason ? ` (${ge.reason})` : ""}`;
    await describeChanges(tx, { removed: why, added: `no longer a member of the excluded group ${ge.label}`, sourceId: input.sourceId, jobId: input.jobId, actor: ge.excluded_by });
    const dropped = await executeCount(
      tx,
      sql`DELETE FROM group_exclusion_members m WHERE m.group_exclusion_id = ${ge.id}::uuid
            AND NOT EXISTS (SELECT 1 FROM sync_staging st WHERE st.job_id = ${input.jobId}::uuid AND st.email_normalized = m.email_normalized)`,
    );
    await tx.execute(
      sql`INSERT INTO group_exclusion_members (group_exclusion_id, series_id, email_normalized, email)
          SELECT ${ge.id}::uuid, ${ge.series_id}::uuid, st.email_normalized, st.email FROM sync_staging st WHERE st.job_id = ${input.jobId}::uuid
          ON CONFLICT (group_exclusion_id, email_normalized) DO NOTHING`,
    );
    left += await executeCount(
      tx,
      sql`DELETE FROM recipients r USING group_exclusion_members m
          WHERE m.group_exclusion_id = ${ge.id}::uuid AND r.series_id = ${ge.series_id}::uuid AND r.email_normalized = m.email_normalized`,
    );
    if (dropped > 0) back += await restoreHeldRecipients(tx, ge.series_id);
    const [{ n }] = await queryRows<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM group_exclusion_members WHERE group_exclusion_id = ${ge.id}::uuid`);
    await tx.execute(sql`UPDATE series_group_exclusions SET member_count = ${Number(n)}, refreshed_at = now() WHERE id = ${ge.id}::uuid`);
    members += Number(n);
  }
  return { members, left, back };
}

export interface GroupExclusionHit {
  label: string;
  reason: string | null;
  excludedBy: string;
  createdAt: Date;
}

/** The group exclusion that keeps an address out of a series, if any (the oldest): for the "why" lookup. */
export async function groupExclusionOf(db: Executor, seriesId: string, email: string): Promise<GroupExclusionHit | null> {
  const [row] = await queryRows<{ label: string; reason: string | null; excluded_by: string; created_at: string | Date }>(
    db,
    sql`SELECT g.label, g.reason, g.excluded_by, g.created_at FROM group_exclusion_members m
        JOIN series_group_exclusions g ON g.id = m.group_exclusion_id
        WHERE m.series_id = ${seriesId}::uuid AND m.email_normalized = ${normalizeEmail(email)}
        ORDER BY g.created_at LIMIT 1`,
  );
  return row ? { label: row.label, reason: row.reason, excludedBy: row.excluded_by, createdAt: new Date(row.created_at) } : null;
}
