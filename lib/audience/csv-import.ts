import "server-only";
import type { Executor } from "@/db/client";
import { audienceSources } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { requireSeries } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { addHoldings } from "./holdings";
import { CSV_LIMITS, decodeCsv, parseRecipientCsvYielding, type CsvProblem } from "./csv-recipients";

/** Problems returned to the browser; the rest are counted. A 50,000-row file of typos should not be a 5 MB reply. */
export const MAX_PROBLEMS_SHOWN = 500;

export interface CsvImportResult {
  /** Null when no row was valid: nothing was imported and no source was created. */
  sourceId: string | null;
  fileName: string;
  totalRows: number;
  /** Valid rows, now held by this import. */
  imported: number;
  /** Of those, addresses that were not in the audience before. */
  added: number;
  rejected: number;
  problems: CsvProblem[];
}

/** The label editors see beside each recipient: the file's own name, without any path a browser may send. */
export function importLabel(fileName: string | null | undefined, now = new Date()): string {
  const base = (fileName ?? "").split(/[\\/]/).pop()?.replace(/[\u0000-\u001f\u007f]/g, "").trim() ?? "";
  return base ? base.slice(0, 200) : `CSV upload ${now.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * Imports a CSV as one new source of the series. Authorization comes first, so a stranger learns nothing
 * about a series by uploading to it. Over-limit files are refused whole before anything is written; bad rows
 * are reported by line and the valid rows imported, in one transaction with set-based inserts.
 */
export async function importRecipientCsv(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; fileName?: string | null; bytes: Uint8Array },
): Promise<CsvImportResult> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  const fileName = importLabel(input.fileName);
  const parsed = await parseRecipientCsvYielding(decodeCsv(input.bytes, CSV_LIMITS), CSV_LIMITS);
  const rejected = parsed.problems.length;
  const problems = parsed.problems.slice(0, MAX_PROBLEMS_SHOWN);
  if (parsed.recipients.length === 0) {
    return { sourceId: null, fileName, totalRows: parsed.totalRows, imported: 0, added: 0, rejected, problems };
  }
  return db.transaction(async (tx) => {
    const [source] = await tx
      .insert(audienceSources)
      .values({
        seriesId: series.id,
        kind: "csv",
        label: fileName,
        createdBy: actor!.userId,
        details: { fileName, rows: parsed.totalRows, imported: parsed.recipients.length, rejected },
      })
      .returning({ id: audienceSources.id });
    const { added } = await addHoldings(tx, {
      seriesId: series.id,
      sourceId: source.id,
      rows: parsed.recipients,
      why: { added: `CSV import ${fileName}`, actor: actor!.name },
    });
    await recordAudit(tx, { kind: "user", actor: actor! }, {
      organizationId: series.organizationId,
      action: "import.csv",
      targetType: "audience_source",
      targetId: source.id,
      details: { fileName, rows: parsed.totalRows, imported: parsed.recipients.length, added, rejected },
    });
    return { sourceId: source.id, fileName, totalRows: parsed.totalRows, imported: parsed.recipients.length, added, rejected, problems };
  });
}
