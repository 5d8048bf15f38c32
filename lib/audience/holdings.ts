import { sql, type SQL } from "drizzle-orm";
import { executeCount, queryRows, type Executor } from "@/db/client";
import { withPlannerSettings } from "@/db/planner";
import { normalizeEmail } from "@/lib/email";
import { describeChanges, type ChangeContext } from "./change-log";

/**
 * The audience invariant in set-based SQL: a series has a `recipients` row for an address exactly while at
 * least one of its sources holds that address in `recipient_sources` and the series does not exclude it
 * (`series_exclusions`). This file is the only writer of those two tables: manual entry and CSV import change
 * holdings through addHoldings / releaseHoldings, the directory sync through releaseUnstaged / holdStaged (a
 * whole staged set at once), each inside the transaction that changes the source, so the invariant holds at
 * every commit.
 *
 * Exclusions are honoured here, in each statement that creates recipients (`notExcluded`), as an anti-join the
 * planner runs once per statement; a statement-level trigger on `recipients` (migration statement_exclusion_check)
 * refuses any statement that lets an excluded address in anyway, so a new writer that forgets fails loudly
 * (docs/adr/0014-exclusions-change-log-thresholds.md).
 *
 * Rows travel as arrays bound to `unnest(...)`: a fixed handful of bind parameters per statement whatever the
 * row count (the protocol caps a statement at 65,535), and one round trip per chunk rather than per row.
 */

export interface HoldingRow {
  email: string;
  name?: string | null;
  /** Directory object id the address came from (directory sources only). */
  objectId?: string | null;
}

/** Rows per statement: bounds the size of one message and of one statement's memory, not the parameter count. */
const CHUNK = 10_000;

/**
 * Serializes audience changes per series. Without it, one transaction could release the last holding of an
 * address while another, still uncommitted, adds a new holding for it and finds the recipient row present:
 * after both commit the address would be held but not a recipient. The row lock is taken FOR NO KEY UPDATE so
 * that inserts referencing the series (which take KEY SHARE) are not blocked. Held until the transaction ends.
 */
export async function lockSeriesAudience(tx: Executor, seriesId: string): Promise<void> {
  await tx.execute(sql`SELECT id FROM series WHERE id = ${seriesId} FOR NO KEY UPDATE`);
}

/**
 * The condition every insert into `recipients` carries: neither a personal exclusion of the series
 * (`series_exclusions`) nor a group exclusion's members (`group_exclusion_members`) name the address. `key` is the
 * inserted row's normalized address, a column of the statement (a constant of the caller, never input).
 */
export function notExcluded(seriesId: string, key: string): SQL {
  const k = sql.raw(key);
  return sql`NOT EXISTS (SELECT 1 FROM series_exclusions x WHERE x.series_id = ${seriesId}::uuid AND x.email_normalized = ${k})
    AND NOT EXISTS (SELECT 1 FROM group_exclusion_members g WHERE g.series_id = ${seriesId}::uuid AND g.email_normalized = ${k})`;
}

/** First spelling wins within one batch, as it does across batches (recipients keep the first spelling seen). */
function distinctByAddress(rows: HoldingRow[]) {
  const seen = new Map<string, { emailNormalized: string; email: string; name: string | null; objectId: string | null }>();
  for (const row of rows) {
    const email = row.email.trim();
    const key = normalizeEmail(email);
    if (!key || seen.has(key)) continue;
    seen.set(key, { emailNormalized: key, email, name: row.name?.trim() || null, objectId: row.objectId ?? null });
  }
  return [...seen.values()];
}

/**
 * Makes `sourceId` hold each address (already-held ones are left as they are) and creates the recipients that
 * did not exist yet, except for excluded addresses: those are held (so lifting the exclusion brings them back)
 * but never become recipients (lib/audience/exclusions.ts). Returns how many holdings were new and how many recipients were added to the series.
 */
export async function addHoldings(
  tx: Executor,
  input: { seriesId: string; sourceId: string; rows: HoldingRow[]; why?: ChangeContext },
): Promise<{ held: number; added: number }> {
  const rows = distinctByAddress(input.rows);
  if (rows.length === 0) return { held: 0, added: 0 };
  await lockSeriesAudience(tx, input.seriesId);
  await describeChanges(tx, { added: "added", sourceId: input.sourceId, ...input.why });
  let held = 0;
  let added = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const keys = sql.param(chunk.map((r) => r.emailNormalized));
    const emails = sql.param(chunk.map((r) => r.email));
    const names = sql.param(chunk.map((r) => r.name));
    const objectIds = sql.param(chunk.map((r) => r.objectId));
    held += await executeCount(
      tx,
      sql`INSERT INTO recipient_sources (source_id, series_id, email_normalized, email, name, object_id)
          SELECT ${input.sourceId}::uuid, ${input.seriesId}::uuid, t.k, t.e, t.n, t.o
          FROM unnest(${keys}::text[], ${emails}::text[], ${names}::text[], ${objectIds}::text[]) AS t(k, e, n, o)
          ON CONFLICT (source_id, email_normalized) DO NOTHING`,
    );
    added += await executeCount(
      tx,
      sql`INSERT INTO recipients (series_id, email_normalized, email, name)
          SELECT ${input.seriesId}::uuid, t.k, t.e, t.n
          FROM unnest(${keys}::text[], ${emails}::text[], ${names}::text[]) AS t(k, e, n)
          WHERE ${notExcluded(input.seriesId, "t.k")}
          ON CONFLICT (series_id, email_normalized) DO NOTHING`,
    );
  }
  return { held, added };
}

/**
 * Drops `sourceId`'s holdings (all of them when `emails` is omitted) and then the recipients that no other
 * source of the series still holds. Two statements on purpose: a data-modifying CTE's siblings see the table
 * as it was before the statement, so a single statement would still find the holdings it just deleted.
 */
export async function releaseHoldings(
  tx: Executor,
  input: { seriesId: string; sourceId: string; emails?: string[]; why?: ChangeContext },
): Promise<{ released: number; removed: number }> {
  await lockSeriesAudience(tx, input.seriesId);
  // Releasing everything is a source going away (a group unticked, a connection deleted, an import removed).
  await describeChanges(tx, { removed: input.emails === undefined ? "source removed" : "removed", sourceId: input.sourceId, ...input.why });
  if (input.emails === undefined) {
    const released = await executeCount(tx, sql`DELETE FROM recipient_sources WHERE source_id = ${input.sourceId}::uuid`);
    if (released === 0) return { released, removed: 0 };
    const removed = await executeCount(
      tx,
      sql`DELETE FROM recipients r
          WHERE r.series_id = ${input.seriesId}::uuid
            AND NOT EXISTS (SELECT 1 FROM recipient_sources rs
                            WHERE rs.series_id = r.series_id AND rs.email_normalized = r.email_normalized)`,
    );
    return { released, removed };
  }
  const keys = [...new Set(input.emails.map(normalizeEmail).filter(Boolean))];
  let released = 0;
  let removed = 0;
  for (let i = 0; i < keys.length; i += CHUNK) {
    const chunk = sql.param(keys.slice(i, i + CHUNK));
    released += await executeCount(
      tx,
      sql`DELETE FROM recipient_sources
          WHERE source_id = ${input.sourceId}::uuid AND email_normalized = ANY(${chunk}::text[])`,
    );
    removed += await executeCount(
      tx,
      sql`DELETE FROM recipients r
          WHERE r.series_id = ${input.seriesId}::uuid AND r.email_normalized = ANY(${chunk}::text[])
            AND NOT EXISTS (SELECT 1 FROM recipient_sources rs
                            WHERE rs.series_id = r.series_id AND rs.email_normalized = r.email_normalized)`,
    );
  }
  return { released, removed };
}

/**
 * A set of addresses a directory sync staged (`sync_staging` rows of one job, written by lib/sync/staging.ts):
 * what a directory source is to hold once the sync applies. Read here, never written.
 */
export interface StagedSet {
  jobId: string;
}

/**
 * Drops the source's holdings that are missing from the staged set, and with them the recipients no other
 * source of the series holds. The caller holds the series lock (lockSeriesAudience) and decides, from the
 * counts, whether to go on (the sync's mass-removal guard rolls the transaction back).
 */
export async function releaseUnstaged(
  tx: Executor,
  input: { seriesId: string; sourceId: string; staged: StagedSet; why?: SyncChangeReasons },
): Promise<{ released: number; removed: number }> {
  const { seriesId, sourceId } = input;
  const jobId = input.staged.jobId;
  const release = (only: SQL) =>
    // One statement is enough here, unlike a general release: the recipients check skips this source's own rows,
    // so it does not matter that it still sees the holdings the sibling CTE is deleting.
    withPlannerSettings(tx, ["hashAntiJoin"], () =>
      queryRows<{ released: number; removed: number }>(
        tx,
        sql`WITH gone AS (
              DELETE FROM recipient_sources rs
              WHERE rs.source_id = ${sourceId}::uuid ${only}
                AND NOT EXISTS (SELECT 1 FROM sync_staging st WHERE st.job_id = ${jobId}::uuid AND st.email_normalized = rs.email_normalized)
              RETURNING rs.email_normalized
            ), dropped AS (
              DELETE FROM recipients r USING gone g
              WHERE r.series_id = ${seriesId}::uuid AND r.email_normalized = g.email_normalized
                AND NOT EXISTS (SELECT 1 FROM recipient_sources o
                                WHERE o.series_id = ${seriesId}::uuid AND o.email_normalized = r.email_normalized
                                  AND o.source_id <> ${sourceId}::uuid)
              RETURNING 1
            )
            SELECT (SELECT count(*) FROM gone)::int AS released, (SELECT count(*) FROM dropped)::int AS removed`,
      ),
    ).then(([row]) => ({ released: Number(row.released), removed: Number(row.removed) }));
  if (!input.why) return release(sql``);
  // The change log's reasons (lib/audience/change-log.ts): the holdings of members the listing found disabled
  // first, then the rest, who are no longer among the members. The ids are the job's (at most the group's
  // disabled members), matched by a hashed semi-join.
  const context = { jobId, sourceId, actor: input.why.actor ?? null };
  await describeChanges(tx, { ...context, removed: input.why.disabled });
  const disabled = await release(
    sql`AND rs.object_id IN (SELECT unnest(j.disabled_object_ids) FROM sync_jobs j WHERE j.id = ${jobId}::uuid)`,
  );
  await describeChanges(tx, { ...context, removed: input.why.left, added: input.why.joined });
  const left = await release(sql``);
  return { released: disabled.released + left.released, removed: disabled.removed + left.removed };
}

/** What a directory apply tells the change log: why its addresses entered and left. */
export interface SyncChangeReasons {
  joined: string;
  left: string;
  disabled: string;
  actor?: string | null;
}

/**
 * Makes the source hold every staged address it did not hold yet, and creates the recipients that did not
 * exist and are not excluded; returns those counts and the size of the staged set. Run after releaseUnstaged,
 * under the same lock. Excluded addresses are held all the same, so lifting the exclusion brings them back.
 *
 * Rows go in sorted by address (the staging key's own order, read from its index): each btree then grows at its
 * right edge or in clustered runs instead of at random pages. No ON CONFLICT: holders of the series lock are the
 * only writers of its holdings and recipients, so the anti-joins are exact, and a speculative insert per row
 * costs more than the join (with ON CONFLICT and no nested loops instead, the whole-directory bench went from
 * about 1.5 to 2.2 times its lower bound).
 */
export async function holdStaged(
  tx: Executor,
  input: { seriesId: string; sourceId: string; staged: StagedSet },
): Promise<{ held: number; added: number; total: number }> {
  const { seriesId, sourceId } = input;
  const jobId = input.staged.jobId;
  const [row] = await withPlannerSettings(tx, ["indexProbes"], () =>
    queryRows<{ held: number; added: number; total: number }>(
      tx,
      sql`WITH held AS (
            INSERT INTO recipient_sources (source_id, series_id, email_normalized, email, name, object_id)
            SELECT ${sourceId}::uuid, ${seriesId}::uuid, st.email_normalized, st.email, st.name, st.object_id
            FROM sync_staging st
            WHERE st.job_id = ${jobId}::uuid
              AND NOT EXISTS (SELECT 1 FROM recipient_sources rs WHERE rs.source_id = ${sourceId}::uuid AND rs.email_normalized = st.email_normalized)
            ORDER BY st.email_normalized
            RETURNING email_normalized, email, name
          ), added AS (
            INSERT INTO recipients (series_id, email_normalized, email, name)
            SELECT ${seriesId}::uuid, h.email_normalized, h.email, h.name FROM held h
            WHERE NOT EXISTS (SELECT 1 FROM recipients r WHERE r.series_id = ${seriesId}::uuid AND r.email_normalized = h.email_normalized)
              AND ${notExcluded(seriesId, "h.email_normalized")}
            RETURNING 1
          )
          SELECT (SELECT count(*) FROM held)::int AS held, (SELECT count(*) FROM added)::int AS added,
                 (SELECT count(*) FROM sync_staging WHERE job_id = ${jobId}::uuid)::int AS total`,
    ),
  );
  return { held: Number(row.held), added: Number(row.added), total: Number(row.total) };
}

/** Labels of the sources that hold an address in a series (after a removal: "still here because of …"). */
export async function holdersOf(tx: Executor, seriesId: string, email: string): Promise<string[]> {
  const rows = await queryRows<{ label: string }>(
    tx,
    sql`SELECT s.label FROM recipient_sources rs JOIN audience_sources s ON s.id = rs.source_id
        WHERE rs.series_id = ${seriesId}::uuid AND rs.email_normalized = ${normalizeEmail(email)}
        ORDER BY s.created_at`,
  );
  return rows.map((r) => r.label);
}
