/**
 * A CSV reader (RFC 4180 plus what spreadsheets really write) that knows the line each record starts on and
 * recovers from a broken record at the next line.
 *
 * Why not papaparse: it reports row indices, not line numbers, and after a stray quote it reads on to the
 * end of the file as one field, so the rows after a single typo would be lost and every error would point
 * at the wrong place. People fix a CSV by line number, so the reader has to count lines itself.
 */

export type CsvDelimiter = "," | ";" | "\t";

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
  /** Set when the record is malformed; `fields` then holds what could be read. */
  error?: string;
}

/** The delimiter that occurs most often outside quotes on the first non-blank line (Excel writes ";" in some locales). */
export function detectDelimiter(text: string): CsvDelimiter {
  const firstLine = text.split("\n").find((l) => l.trim() !== "") ?? "";
  const counts: Record<CsvDelimiter, number> = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch as CsvDelimiter]++;
  }
  const best = (Object.keys(counts) as CsvDelimiter[]).sort((a, b) => counts[b] - counts[a])[0];
  return counts[best] > 0 ? best : ",";
}

/**
 * Yields every non-blank record. Line endings may be \n, \r\n or \r. A quoted field may span lines; a quote
 * that never closes, or text after a closing quote, makes that record malformed and reading resumes on the
 * line after the one it started on.
 */
export function* readCsvRecords(input: string, delimiter: CsvDelimiter = detectDelimiter(input)): Generator<CsvRecord> {
  const text = input.replace(/\r\n?/g, "\n");
  const n = text.length;
  let pos = 0;
  let line = 1;
  // Past this offset there is no quote at all: an unclosed quote is found once, not once per later row.
  let noQuoteFrom = n;

  const nextQuote = (from: number) => {
    if (from >= noQuoteFrom) return -1;
    const q = text.indexOf('"', from);
    if (q === -1) noQuoteFrom = from;
    return q;
  };

  while (pos < n) {
    const startLine = line;
    const startPos = pos;
    const fields: string[] = [];
    let anyQuoted = false;
    let error: string | undefined;

    for (;;) {
      if (text[pos] === '"') {
        anyQuoted = true;
        let value = "";
        let p = pos + 1;
        let closed = false;
        for (;;) {
          const q = nextQuote(p);
          if (q === -1) break;
          value += text.slice(p, q);
          if (text[q + 1] === '"') {
            value += '"';
            p = q + 2;
            continue;
          }
          p = q + 1;
          closed = true;
          break;
        }
        if (!closed) {
          error = "a quoted field is never closed";
          break;
        }
        line += countNewlines(text, pos, p);
        pos = p;
        // Spreadsheets sometimes pad after the closing quote; anything else there is a broken field.
        while (pos < n && (text[pos] === " " || (text[pos] === "\t" && delimiter !== "\t"))) pos++;
        fields.push(value);
        if (pos < n && text[pos] !== delimiter && text[pos] !== "\n") {
          error = "text follows a closing quote (a quote inside a field must be doubled)";
          break;
        }
      } else {
        let end = pos;
        while (end < n && text[end] !== delimiter && text[end] !== "\n") end++;
        fields.push(text.slice(pos, end));
        pos = end;
      }
      if (pos >= n) break;
      if (text[pos] === delimiter) {
        pos++;
        if (pos >= n) {
          fields.push("");
          break;
        }
        continue;
      }
      // A newline ends the record.
      pos++;
      line++;
      break;
    }

    if (error) {
      const nl = text.indexOf("\n", startPos);
      pos = nl === -1 ? n : nl + 1;
      line = startLine + 1;
      yield { line: startLine, fields, error };
      continue;
    }
    // Blank lines, and lines of bare delimiters, are not records.
    if (!anyQuoted && fields.every((f) => f.trim() === "")) continue;
    yield { line: startLine, fields };
  }
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
