import "server-only";
import type { Executor } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { requireSeries } from "@/lib/auth/actor";
import { MAX_PROBLEMS_SHOWN, importLabel } from "./csv-import";
import { CSV_LIMITS, decodeCsv, parseRecipientCsvYielding, type CsvProblem } from "./csv-recipients";
import { applyExclusions, checkReason } from "./exclusions";

export interface ExclusionCsvResult {
  fileName: string;
  totalRows: number;
  /** Addresses newly excluded (already excluded ones are counted in `alreadyExcluded`). */
  excluded: number;
  alreadyExcluded: number;
  /** Of the newly excluded, how many were in the audience and have left it. */
  leftAudience: number;
  rejected: number;
  problems: CsvProblem[];
}

/**
 * Excludes every valid address of a CSV (the recipient format: an `email` column, or the email first), with one
 * reason for the file, in one transaction. Bad rows are reported by line, as for a recipient import.
 */
export async function importExclusionCsv(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; fileName?: string | null; bytes: Uint8Array; reason?: string | null },
): Promise<ExclusionCsvResult> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  const reason = checkReason(input.reason);
  const fileName = importLabel(input.fileName);
  const parsed = await parseRecipientCsvYielding(decodeCsv(input.bytes, CSV_LIMITS), CSV_LIMITS);
  const base = { fileName, totalRows: parsed.totalRows, rejected: parsed.problems.length, problems: parsed.problems.slice(0, MAX_PROBLEMS_SHOWN) };
  if (parsed.recipients.length === 0) return { ...base, excluded: 0, alreadyExcluded: 0, leftAudience: 0 };
  const { created, leftAudience } = await applyExclusions(db, { kind: "user", actor: actor! }, series, parsed.recipients, reason, {
    action: "exclusion.import",
    details: { fileName, rows: parsed.totalRows },
  });
  return { ...base, excluded: created.length, alreadyExcluded: parsed.recipients.length - created.length, leftAudience: leftAudience.length };
}
