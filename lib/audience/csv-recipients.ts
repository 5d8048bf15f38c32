/**
 * Turns an uploaded CSV into recipients: finds the email and name columns, checks every row, and explains
 * each rejected row by line number. Pure (no database) so that every edge case is a table-driven test.
 */
import { RosterError } from "@/lib/errors";
import { isValidEmail, normalizeEmail } from "@/lib/email";
import { hasNul, storableText } from "@/lib/text/sanitize";
import { readCsvRecords } from "./csv-records";

export const CSV_LIMITS = { maxBytes: 5 * 1024 * 1024, maxRows: 50_000 } as const;
export const MAX_NAME_LENGTH = 200;

export type CsvProblemReason = "malformed" | "invalid email" | "duplicate";

export interface CsvProblem {
  line: number;
  reason: CsvProblemReason;
  detail: string;
}

export interface CsvRecipient {
  line: number;
  email: string;
  name: string | null;
}

export interface ParsedRecipientCsv {
  hasHeader: boolean;
  /** Data rows read (valid and rejected), not counting the header and blank lines. */
  totalRows: number;
  recipients: CsvRecipient[];
  problems: CsvProblem[];
}

/** Rounded up, so that a file just over the limit never reads as "5 MB; the limit is 5 MB". */
const formatMb = (bytes: number) => `${(Math.ceil((bytes / (1024 * 1024)) * 10) / 10).toString()} MB`;

/** UTF-8 with or without a byte-order mark; anything else is refused whole with a way to fix it. */
export function decodeCsv(bytes: Uint8Array, limits: { maxBytes: number } = CSV_LIMITS): string {
  if (bytes.byteLength > limits.maxBytes) {
    throw new RosterError("too_large", `The file is ${formatMb(bytes.byteLength)}; the limit is ${formatMb(limits.maxBytes)}. Split it into smaller files.`);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new RosterError("invalid_input", 'The file is UTF-16 text. Save it as "CSV UTF-8" and upload it again.');
  }
  try {
    // fatal: a Latin-1 file would otherwise import with mangled names; ignoreBOM false strips a UTF-8 BOM.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new RosterError("invalid_input", 'The file is not UTF-8 text. Save it as "CSV UTF-8" and upload it again.');
  }
}

const headerKey = (cell: string) => cell.trim().toLowerCase().replace(/[^a-z0-9]/g, "");
const EMAIL_HEADERS = new Set(["email", "emailaddress", "mail", "emailaddresses", "primaryemail", "smtpaddress", "recipientemail"]);
const NAME_HEADERS = new Set(["name", "fullname", "displayname", "recipientname", "contactname"]);
const FIRST_NAME_HEADERS = new Set(["firstname", "givenname", "forename"]);
const LAST_NAME_HEADERS = new Set(["lastname", "surname", "familyname"]);

interface Columns {
  email: number;
  name?: number;
  first?: number;
  last?: number;
}

/** A header is a first row with no address in it and a recognizable email column. */
function findColumns(first: string[]): { hasHeader: boolean; columns: Columns } {
  const keys = first.map(headerKey);
  const looksLikeAddress = first.some((cell) => cell.includes("@"));
  if (!looksLikeAddress) {
    const email = keys.findIndex((k) => EMAIL_HEADERS.has(k));
    if (email === -1) {
      const found = first.map((c) => `"${c.trim()}"`).join(", ");
      throw new RosterError(
        "invalid_input",
        `Missing column: the first row must be a header with an "email" column (found ${found}). Add an "email" column, or a "name" column for names.`,
      );
    }
    const index = (set: Set<string>) => {
      const i = keys.findIndex((k, j) => j !== email && set.has(k));
      return i === -1 ? undefined : i;
    };
    return { hasHeader: true, columns: { email, name: index(NAME_HEADERS), first: index(FIRST_NAME_HEADERS), last: index(LAST_NAME_HEADERS) } };
  }
  // No header: the address is the first cell that looks like one, the name the first other column.
  const valid = first.findIndex((c) => isValidEmail(c));
  const email = valid !== -1 ? valid : first.findIndex((c) => c.includes("@"));
  const name = first.length > 1 ? (email === 0 ? 1 : 0) : undefined;
  return { hasHeader: false, columns: { email, name } };
}

function nameOf(fields: string[], c: Columns): string {
  const cell = (i: number | undefined) => (i === undefined ? "" : (fields[i] ?? "").trim());
  const full = cell(c.name);
  if (full) return full;
  return [cell(c.first), cell(c.last)].filter(Boolean).join(" ");
}

const preview = (value: string) => (value.length > 60 ? `${value.slice(0, 57)}…` : value);

/**
 * Reads every row. Bad rows become problems (malformed, invalid email, duplicate) and the rest are imported;
 * a file with no usable header, no rows, or more rows than the limit is refused whole.
 */
export function parseRecipientCsv(text: string, limits: { maxRows: number } = CSV_LIMITS): ParsedRecipientCsv {
  const steps = parseSteps(text, limits);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Records read between two turns of the event loop: a few milliseconds of work. */
export const RECORDS_PER_TURN = 1_000;

/**
 * parseRecipientCsv, giving the event loop a turn every RECORDS_PER_TURN records: a 5 MB file is ~50,000 rows
 * and seconds of work on a busy machine, during which a server that parsed it in one go answered nobody else.
 */
export async function parseRecipientCsvYielding(text: string, limits: { maxRows: number } = CSV_LIMITS): Promise<ParsedRecipientCsv> {
  const steps = parseSteps(text, limits);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The parse, as a generator that pauses (yields) every RECORDS_PER_TURN records and returns the result. */
function* parseSteps(text: string, limits: { maxRows: number }): Generator<void, ParsedRecipientCsv> {
  let sinceTurn = 0;
  const recipients: CsvRecipient[] = [];
  const problems: CsvProblem[] = [];
  const firstLineOf = new Map<string, number>();
  let columns: Columns | undefined;
  let hasHeader = false;
  let totalRows = 0;

  for (const record of readCsvRecords(text)) {
    if (++sinceTurn >= RECORDS_PER_TURN) {
      sinceTurn = 0;
      yield;
    }
    if (!columns) {
      if (record.error) {
        throw new RosterError("invalid_input", `Line ${record.line} is malformed: ${record.error}. Fix the first row and upload again.`);
      }
      ({ hasHeader, columns } = findColumns(record.fields));
      if (hasHeader) continue;
    }
    totalRows++;
    if (totalRows > limits.maxRows) {
      throw new RosterError(
        "too_large",
        `The file has more than ${limits.maxRows.toLocaleString("en-US")} rows; the limit is ${limits.maxRows.toLocaleString("en-US")} rows. Split it into smaller files.`,
      );
    }
    const { line, fields } = record;
    if (record.error) {
      problems.push({ line, reason: "malformed", detail: record.error });
      continue;
    }
    if (fields.length <= columns.email) {
      problems.push({ line, reason: "malformed", detail: `the row has ${fields.length} column${fields.length === 1 ? "" : "s"} and no email column` });
      continue;
    }
    const email = fields[columns.email].trim();
    if (!email) {
      problems.push({ line, reason: "invalid email", detail: "the email is empty" });
      continue;
    }
    if (!isValidEmail(email)) {
      problems.push({ line, reason: "invalid email", detail: `"${preview(email)}" is not a valid email address` });
      continue;
    }
    const name = nameOf(fields, columns);
    // A NUL (U+0000) is never text a person meant, and PostgreSQL cannot store it: the row is refused, the
    // rest of the file is not.
    if (hasNul(name)) {
      problems.push({ line, reason: "malformed", detail: "the name contains a NUL character (U+0000); remove it and upload again" });
      continue;
    }
    if (name.length > MAX_NAME_LENGTH) {
      problems.push({ line, reason: "malformed", detail: `the name is longer than ${MAX_NAME_LENGTH} characters` });
      continue;
    }
    const key = normalizeEmail(email);
    const earlier = firstLineOf.get(key);
    if (earlier !== undefined) {
      problems.push({ line, reason: "duplicate", detail: `${preview(email)} is already on line ${earlier}` });
      continue;
    }
    firstLineOf.set(key, line);
    recipients.push({ line, email, name: storableText(name) || null });
  }

  if (!columns) throw new RosterError("invalid_input", "The file is empty. Upload a CSV with an email column.");
  if (totalRows === 0) throw new RosterError("invalid_input", "The file has a header but no rows.");
  return { hasHeader, totalRows, recipients, problems };
}
