import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { executeCount, queryRows, type Executor } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { requireSeries } from "@/lib/auth/actor";
import { notFound } from "@/lib/errors";
import { isUuid } from "@/lib/uuid";

/**
 * The change log (db/schema.ts, audience_changes) is written by a trigger on `recipients`, so it holds exactly
 * the addresses each statement added or removed, whoever wrote them. A writer says why, for its own transaction:
 * every statement after this call until the transaction ends is recorded with these reasons.
 */
export interface ChangeContext {
  /** Why addresses entered: "joined the group", "added by hand", "CSV import staff.csv", "exclusion lifted". */
  added?: string;
  /** Why addresses left: "left the group", "excluded", "source removed", "removed from the manual list". */
  removed?: string;
  jobId?: string | null;
  sourceId?: string | null;
  actor?: string | null;
}

export async function describeChanges(tx: Executor, context: ChangeContext): Promise<void> {
  await tx.execute(sql`SELECT set_config('roster.audience_change', ${JSON.stringify(context)}, true)`);
}

/** How long entries are kept (CHANGE_LOG_RETENTION_DAYS, default 180). */
export const DEFAULT_RETENTION_DAYS = 180;

export function retentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number.parseInt(env.CHANGE_LOG_RETENTION_DAYS ?? "", 10);
  return Number.isFinite(n) && n >= 1 ? n : DEFAULT_RETENTION_DAYS;
}

/**
 * Deletes entries older than the retention, at most `batch` per call so one cron call stays short; the next call
 * carries on. Returns how many went.
 */
export async function pruneChangeLog(db: Executor, opts: { now?: Date; days?: number; batch?: number } = {}): Promise<number> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - (opts.days ?? retentionDays()) * 86_400_000);
  return executeCount(
    db,
    sql`DELETE FROM audience_changes WHERE id IN (
          SELECT id FROM audience_changes WHERE created_at < ${cutoff.toISOString()}::timestamptz ORDER BY id LIMIT ${opts.batch ?? 50_000})`,
  );
}

export interface ChangeRow {
  email: string;
  change: "added" | "removed";
  reason: string | null;
  actor: string | null;
  createdAt: Date;
}

export interface ChangeList {
  rows: ChangeRow[];
  total: number;
  added: number;
  removed: number;
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The changes of one run (`runId`), or of the whole series, newest first; searchable by address. A run of
 * another series, or no run at all, answers "not found".
 */
export async function listChanges(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; runId?: string | null; q?: string | null; limit?: number },
): Promise<ChangeList> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  const conditions: SQL[] = [sql`c.series_id = ${series.id}::uuid`];
  let runKind: string | null = null;
  if (input.runId) {
    if (!isUuid(input.runId)) throw notFound("That run");
    const [run] = await queryRows<{ job_id: string | null; outcome: string; finished_at: string | Date | null; kind: string }>(
      db,
      sql`SELECT r.job_id, r.outcome, r.finished_at, s.kind FROM sync_runs r JOIN audience_sources s ON s.id = r.source_id
          WHERE r.id = ${input.runId}::uuid AND r.series_id = ${series.id}::uuid`,
    );
    if (!run) throw notFound("That run");
    // Only the attempt that synced applied anything; the job's other attempts changed nobody.
    if (run.outcome !== "synced" || !run.finished_at) return { rows: [], total: 0, added: 0, removed: 0 };
    // The run's changes are those its apply transaction made: that transaction closed the run with now(), which
    // is also every change row's created_at (a transaction's now() is its start time), so the match is exact
    // for the apply and names no other transaction's changes, whoever wrote them and with or without a context.
    // Compared in SQL: PostgreSQL keeps microseconds, which a JavaScript Date (milliseconds) would lose.
    conditions.push(
      sql`(c.job_id = ${run.job_id}::uuid OR (c.job_id IS NULL AND c.created_at = (SELECT r.finished_at FROM sync_runs r WHERE r.id = ${input.runId}::uuid)))`,
    );
    runKind = run.kind;
  }
  const q = input.q?.trim().slice(0, 200) ?? "";
  const where = sql.join(conditions, sql` AND `);
  const [counts] = await queryRows<{ added: number | string; removed: number | string }>(
    db,
    sql`SELECT count(*) FILTER (WHERE c.change = 'added') AS added, count(*) FILTER (WHERE c.change = 'removed') AS removed
        FROM audience_changes c WHERE ${where}`,
  );
  const filtered = q ? sql`${where} AND c.email ILIKE ${likePattern(q)}` : where;
  const [{ n }] = await queryRows<{ n: number | string }>(db, sql`SELECT count(*) AS n FROM audience_changes c WHERE ${filtered}`);
  const rows = await queryRows<{ email: string; change: "added" | "removed"; reason: string | null; actor: string | null; created_at: string | Date }>(
    db,
    sql`SELECT c.email, c.change::text AS change, c.reason, c.actor, c.created_at FROM audience_changes c
        WHERE ${filtered} ORDER BY c.id DESC LIMIT ${Math.min(Math.max(input.limit ?? 500, 1), 100_000)}`,
  );
  return {
    rows: rows.map((r) => ({ email: r.email, change: r.change, reason: r.reason ?? syncReason(runKind, r.change), actor: r.actor, createdAt: new Date(r.created_at) })),
    total: Number(n),
    added: Number(counts.added),
    removed: Number(counts.removed),
  };
}

/**
 * A sync's reason when its writer named none: a directory run adds the group's (or directory's) eligible members
 * and removes those no longer among them.
 */
function syncReason(kind: string | null, change: "added" | "removed"): string | null {
  if (!kind) return null;
  const where = kind === "directory_all" ? "the directory" : "the group";
  return change === "added" ? `in ${where}` : `no longer in ${where} (left it, disabled, or without an address)`;
}

/** A cell as spreadsheet software reads it safely: quoted, and never starting a formula (=, +, -, @). */
export function csvCell(value: string | null | undefined): string {
  const text = value ?? "";
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function changesCsv(rows: ChangeRow[]): string {
  const lines = ["email,change,reason,by,at"];
  for (const r of rows) lines.push([r.email, r.change, r.reason, r.actor, r.createdAt.toISOString()].map(csvCell).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
