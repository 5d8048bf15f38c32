import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { requireSeries } from "@/lib/auth/actor";
import type { SourceKind } from "@/db/schema";
import { isUuid } from "@/lib/uuid";

export type { SourceKind };

export interface SourceRef {
  id: string;
  kind: SourceKind;
  label: string;
}

export interface RecipientRow {
  id: number;
  email: string;
  name: string | null;
  sources: SourceRef[];
}

export interface RecipientPage {
  rows: RecipientRow[];
  /** Recipients matching the search and filter (not the whole audience). */
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

export const MAX_PAGE_SIZE = 200;

/** The audience size. The caller has already authorized the series (the page did, via requireSeries). */
export async function countRecipients(db: Executor, seriesId: string): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(db, sql`SELECT count(*) AS n FROM recipients WHERE series_id = ${seriesId}::uuid`);
  return Number(row?.n ?? 0);
}

/** ILIKE treats % and _ as wildcards; someone searching for "first_last" means the underscore. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listRecipients(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; q?: string | null; sourceId?: string | null; page?: number; pageSize?: number },
): Promise<RecipientPage> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  const pageSize = Math.min(Math.max(Math.trunc(input.pageSize ?? 50), 1), MAX_PAGE_SIZE);
  const q = input.q?.trim().slice(0, 200) ?? "";
  const conditions: SQL[] = [sql`r.series_id = ${series.id}::uuid`];
  if (q) conditions.push(sql`(r.email ILIKE ${likePattern(q)} OR r.name ILIKE ${likePattern(q)})`);
  if (input.sourceId) {
    // An id that is not a uuid (or is another series' source) simply matches nothing.
    const sourceId = isUuid(input.sourceId) ? input.sourceId : "00000000-0000-0000-0000-000000000000";
    conditions.push(sql`EXISTS (SELECT 1 FROM recipient_sources f WHERE f.source_id = ${sourceId}::uuid
                                AND f.series_id = r.series_id AND f.email_normalized = r.email_normalized)`);
  }
  const where = sql.join(conditions, sql` AND `);
  const [{ n }] = await queryRows<{ n: string | number }>(db, sql`SELECT count(*) AS n FROM recipients r WHERE ${where}`);
  const total = Number(n);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(Math.trunc(input.page ?? 1), 1), pageCount);

  const rows = await queryRows<{ id: string | number; email: string; name: string | null; sources: SourceRef[] | string }>(
    db,
    sql`WITH page AS (
          SELECT r.id, r.email, r.name, r.email_normalized, r.series_id FROM recipients r
          WHERE ${where}
          ORDER BY r.email_normalized
          LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}
        )
        SELECT p.id, p.email, p.name,
          coalesce(json_agg(json_build_object('id', s.id, 'kind', s.kind, 'label', s.label) ORDER BY s.created_at)
                   FILTER (WHERE s.id IS NOT NULL), '[]') AS sources
        FROM page p
        LEFT JOIN recipient_sources rs ON rs.series_id = p.series_id AND rs.email_normalized = p.email_normalized
        LEFT JOIN audience_sources s ON s.id = rs.source_id
        GROUP BY p.id, p.email, p.name, p.email_normalized
        ORDER BY p.email_normalized`,
  );
  return {
    rows: rows.map((r) => ({
      id: Number(r.id),
      email: r.email,
      name: r.name,
      sources: typeof r.sources === "string" ? (JSON.parse(r.sources) as SourceRef[]) : r.sources,
    })),
    total,
    page,
    pageSize,
    pageCount,
  };
}

export interface SourceSummary extends SourceRef {
  /** Addresses this source holds in the series. */
  holdings: number;
  createdAt: string;
}

/** The series' sources that hold at least one address, for the source filter and the sources summary. */
export async function listSources(db: Executor, actor: Actor | null, seriesId: string): Promise<SourceSummary[]> {
  const series = await requireSeries(db, actor, seriesId, "editor");
  const rows = await queryRows<{ id: string; kind: SourceKind; label: string; holdings: string | number; created_at: string | Date }>(
    db,
    sql`SELECT s.id, s.kind, s.label, s.created_at, count(rs.email_normalized) AS holdings
        FROM audience_sources s
        JOIN recipient_sources rs ON rs.source_id = s.id
        WHERE s.series_id = ${series.id}::uuid
        GROUP BY s.id, s.kind, s.label, s.created_at
        ORDER BY s.created_at`,
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    label: r.label,
    holdings: Number(r.holdings),
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

export interface AudienceSourceState extends SourceRef {
  /** Addresses this source holds in the series. */
  holdings: number;
  /** A directory source's state as the dialog shows it; null for hand-added and CSV sources. */
  state: "queued" | "syncing" | "synced" | "needs_review" | "error" | null;
}

/**
 * The audience's summary above the table: every source that holds an address or is ticked to sync, with
 * its state (directory groups: Queued, Syncing, Synced, Needs review, Error) and how many addresses it holds.
 */
export async function audienceSummary(db: Executor, actor: Actor | null, seriesId: string): Promise<AudienceSourceState[]> {
  const series = await requireSeries(db, actor, seriesId, "editor");
  const rows = await queryRows<{ id: string; kind: SourceKind; label: string; state: string; job: string | null; holdings: string | number }>(
    db,
    sql`SELECT s.id, s.kind, s.label, s.state::text AS state,
          (SELECT CASE WHEN bool_or(j.status = 'running' AND j.lease_expires_at > now()) THEN 'running' ELSE 'queued' END
             FROM sync_jobs j WHERE j.source_id = s.id AND j.mode = 'sync' AND j.status IN ('queued', 'running')
             HAVING count(*) > 0) AS job,
          (SELECT count(*) FROM recipient_sources rs WHERE rs.source_id = s.id) AS holdings
        FROM audience_sources s
        WHERE s.series_id = ${series.id}::uuid
          AND ((s.selected AND s.kind IN ('directory_group', 'directory_all'))
               OR EXISTS (SELECT 1 FROM recipient_sources rs WHERE rs.source_id = s.id))
        ORDER BY s.created_at, s.id`,
  );
  return rows.map((r) => {
    const directory = r.kind === "directory_group" || r.kind === "directory_all";
    const state = !directory ? null : r.job === "running" ? "syncing" : r.job === "queued" ? "queued" : r.state;
    return {
      id: r.id,
      kind: r.kind,
      label: r.label,
      holdings: Number(r.holdings),
      state: state === "not_synced" ? "queued" : (state as AudienceSourceState["state"]),
    };
  });
}
