import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { recordAudit } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/actor";
import { requireSeries } from "@/lib/auth/actor";
import { notFound } from "@/lib/errors";
import { isUuid } from "@/lib/uuid";
import { importLabel, MAX_PROBLEMS_SHOWN } from "./csv-import";
import { CSV_LIMITS, decodeCsv, parseRecipientCsvYielding, type CsvProblem } from "./csv-recipients";
import { addHoldings, releaseHoldings } from "./holdings";

/**
 * Reversible CSV sources (docs/design.md, "Reversible sources"): an import can be removed, its recipients
 * leaving unless another source holds them, or replaced by a new file, applied as one diff (what the new file
 * lacks is released, what it adds is held) in one transaction.
 */

async function requireImport(db: Executor, seriesId: string, sourceId: string) {
  if (!isUuid(sourceId)) throw notFound("That import");
  const [row] = await queryRows<{ id: string; label: string }>(
    db,
    sql`SELECT id, label FROM audience_sources WHERE id = ${sourceId}::uuid AND series_id = ${seriesId}::uuid AND kind = 'csv'`,
  );
  if (!row) throw notFound("That import");
  return row;
}

export interface RemovalPreview {
  /** Addresses the import holds. */
  holds: number;
  /** Of those, recipients who leave the audience: no other source holds them. */
  leaving: number;
  /** The first of them, by address, so the editor sees who. */
  first: { email: string; name: string | null }[];
}

/** Who leaves if the import is removed: shown before the editor confirms. */
export async function previewImportRemoval(db: Executor, actor: Actor | null, input: { seriesId: string; sourceId: string }): Promise<RemovalPreview> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  await requireImport(db, series.id, input.sourceId);
  const leavingWhere = sql`rs.source_id = ${input.sourceId}::uuid
      AND EXISTS (SELECT 1 FROM recipients r WHERE r.series_id = rs.series_id AND r.email_normalized = rs.email_normalized)
      AND NOT EXISTS (SELECT 1 FROM recipient_sources o WHERE o.series_id = rs.series_id AND o.email_normalized = rs.email_normalized AND o.source_id <> rs.source_id)`;
  const [c] = await queryRows<{ holds: number | string; leaving: number | string }>(
    db,
    sql`SELECT (SELECT count(*) FROM recipient_sources WHERE source_id = ${input.sourceId}::uuid) AS holds,
               (SELECT count(*) FROM recipient_sources rs WHERE ${leavingWhere}) AS leaving`,
  );
  const first = await queryRows<{ email: string; name: string | null }>(
    db,
    sql`SELECT rs.email, rs.name FROM recipient_sources rs WHERE ${leavingWhere} ORDER BY rs.email_normalized LIMIT 100`,
  );
  return { holds: Number(c.holds), leaving: Number(c.leaving), first };
}

/** Removes an import: its holdings go, and with them the recipients no other source holds. */
export async function removeImport(db: Executor, actor: Actor | null, input: { seriesId: string; sourceId: string }): Promise<{ label: string; removed: number }> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  return db.transaction(async (tx) => {
    const source = await requireImport(tx, series.id, input.sourceId);
    const { removed } = await releaseHoldings(tx, { seriesId: series.id, sourceId: source.id, why: { removed: `import ${source.label} removed`, actor: actor!.name } });
    await tx.execute(sql`DELETE FROM audience_sources WHERE id = ${source.id}::uuid`);
    await recordAudit(tx, { kind: "user", actor: actor! }, { organizationId: series.organizationId, action: "import.remove", targetType: "audience_source", targetId: source.id, details: { fileName: source.label, removed } });
    return { label: source.label, removed };
  });
}

export interface ReplaceResult {
  label: string;
  totalRows: number;
  /** Recipients who entered / left the audience with the new file. */
  added: number;
  removed: number;
  rejected: number;
  problems: CsvProblem[];
}

/**
 * Replaces an import's file: the source keeps its place and takes the new file's name; addresses the new file
 * lacks are released and new ones held, in one transaction. A file with no valid row is refused (removing an
 * import is its own, confirmed action).
 */
export async function replaceImport(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; sourceId: string; fileName?: string | null; bytes: Uint8Array },
): Promise<ReplaceResult> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  await requireImport(db, series.id, input.sourceId);
  const fileName = importLabel(input.fileName);
  const parsed = await parseRecipientCsvYielding(decodeCsv(input.bytes, CSV_LIMITS), CSV_LIMITS);
  const rejected = parsed.problems.length;
  const problems = parsed.problems.slice(0, MAX_PROBLEMS_SHOWN);
  if (parsed.recipients.length === 0) {
    return { label: fileName, totalRows: parsed.totalRows, added: 0, removed: 0, rejected, problems };
  }
  return db.transaction(async (tx) => {
    const source = await requireImport(tx, series.id, input.sourceId);
    const keep = new Set(parsed.recipients.map((r) => r.email.trim().toLowerCase()));
    const held = await queryRows<{ email_normalized: string }>(tx, sql`SELECT email_normalized FROM recipient_sources WHERE source_id = ${source.id}::uuid`);
    const gone = held.map((r) => r.email_normalized).filter((e) => !keep.has(e));
    const why = { added: `import replaced by ${fileName}`, removed: `not in ${fileName}, which replaced ${source.label}`, actor: actor!.name };
    const { removed } = gone.length ? await releaseHoldings(tx, { seriesId: series.id, sourceId: source.id, emails: gone, why }) : { removed: 0 };
    const { added } = await addHoldings(tx, { seriesId: series.id, sourceId: source.id, rows: parsed.recipients, why });
    await tx.execute(
      sql`UPDATE audience_sources SET label = ${fileName}, updated_at = now(), created_by = ${actor!.userId}::uuid,
            details = ${JSON.stringify({ fileName, rows: parsed.totalRows, imported: parsed.recipients.length, rejected, replaced: source.label, uploadedAt: new Date().toISOString() })}::jsonb
          WHERE id = ${source.id}::uuid`,
    );
    await recordAudit(tx, { kind: "user", actor: actor! }, {
      organizationId: series.organizationId,
      action: "import.replace",
      targetType: "audience_source",
      targetId: source.id,
      details: { fileName, replaced: source.label, rows: parsed.totalRows, added, removed, rejected },
    });
    return { label: fileName, totalRows: parsed.totalRows, added, removed, rejected, problems };
  });
}

export interface ImportInfo {
  id: string;
  label: string;
  /** Rows in the file as uploaded, and addresses the import holds now. */
  rows: number;
  holds: number;
  uploadedAt: string;
  uploadedBy: string | null;
}

/** The series' CSV imports with their origin, row count and upload time. */
export async function listImports(db: Executor, actor: Actor | null, seriesId: string): Promise<ImportInfo[]> {
  const series = await requireSeries(db, actor, seriesId, "editor");
  const rows = await queryRows<{ id: string; label: string; details: Record<string, unknown> | string | null; updated_at: string | Date; by: string | null; holds: number | string }>(
    db,
    sql`SELECT s.id, s.label, s.details, s.updated_at, u.name AS by,
               (SELECT count(*) FROM recipient_sources rs WHERE rs.source_id = s.id) AS holds
        FROM audience_sources s LEFT JOIN users u ON u.id = s.created_by
        WHERE s.series_id = ${series.id}::uuid AND s.kind = 'csv' ORDER BY s.created_at`,
  );
  return rows.map((r) => {
    const d = (typeof r.details === "string" ? JSON.parse(r.details) : r.details) as { rows?: number } | null;
    return { id: r.id, label: r.label, rows: Number(d?.rows ?? 0), holds: Number(r.holds), uploadedAt: new Date(r.updated_at).toISOString(), uploadedBy: r.by };
  });
}
