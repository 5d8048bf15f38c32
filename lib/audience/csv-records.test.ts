import { describe, expect, test } from "vitest";
import { detectDelimiter, readCsvRecords, type CsvRecord } from "./csv-records";

const read = (text: string) => [...readCsvRecords(text)];
const simple = (records: CsvRecord[]) => records.map((r) => (r.error ? { line: r.line, error: true } : { line: r.line, fields: r.fields }));

describe("readCsvRecords", () => {
  test.each<[string, string, unknown[]]>([
    ["plain rows", "a,b\nc,d", [{ line: 1, fields: ["a", "b"] }, { line: 2, fields: ["c", "d"] }]],
    ["CRLF endings", "a,b\r\nc,d\r\n", [{ line: 1, fields: ["a", "b"] }, { line: 2, fields: ["c", "d"] }]],
    ["old Mac CR endings", "a,b\rc,d", [{ line: 1, fields: ["a", "b"] }, { line: 2, fields: ["c", "d"] }]],
    ["blank lines skipped, line numbers kept", "a\n\n  \nb\n", [{ line: 1, fields: ["a"] }, { line: 4, fields: ["b"] }]],
    ["lines of bare delimiters are blank", "a,b\n,,\nc,d", [{ line: 1, fields: ["a", "b"] }, { line: 3, fields: ["c", "d"] }]],
    ["quoted field with delimiter", '"Lovelace, Ada",x', [{ line: 1, fields: ["Lovelace, Ada", "x"] }]],
    ["doubled quote inside quotes", '"say ""hi""",x', [{ line: 1, fields: ['say "hi"', "x"] }]],
    ["quoted field spanning lines counts its lines", '"a\nb",x\nnext,y', [{ line: 1, fields: ["a\nb", "x"] }, { line: 3, fields: ["next", "y"] }]],
    ["empty quoted field", '"",x', [{ line: 1, fields: ["", "x"] }]],
    ["trailing delimiter gives an empty last field", "a,\nb,c", [{ line: 1, fields: ["a", ""] }, { line: 2, fields: ["b", "c"] }]],
    ["spaces after a closing quote are tolerated", '"a" ,b', [{ line: 1, fields: ["a", "b"] }]],
    ["quote inside an unquoted field is literal", 'o"brien@x.com,b', [{ line: 1, fields: ['o"brien@x.com', "b"] }]],
    ["text after a closing quote: that row only", '"a"x,b\nc,d', [{ line: 1, error: true }, { line: 2, fields: ["c", "d"] }]],
    ["unclosed quote: that row only, reading resumes next line", '"a,b\nc,d\ne,f', [{ line: 1, error: true }, { line: 2, fields: ["c", "d"] }, { line: 3, fields: ["e", "f"] }]],
    ["no trailing newline", "a,b", [{ line: 1, fields: ["a", "b"] }]],
    ["empty input", "", []],
  ])("%s", (_label, text, expected) => {
    expect(simple(read(text))).toEqual(expected);
  });

  test("semicolons and tabs", () => {
    expect(simple([...readCsvRecords("a;b\nc;d", ";")])).toEqual([{ line: 1, fields: ["a", "b"] }, { line: 2, fields: ["c", "d"] }]);
    expect(simple([...readCsvRecords("a\tb", "\t")])).toEqual([{ line: 1, fields: ["a", "b"] }]);
  });

  test("many unclosed quotes: each one is its own record's error", () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `"broken${i},x`).join("\n");
    const records = read(text);
    expect(records).toHaveLength(20_000);
    expect(records.every((r) => r.error)).toBe(true);
  });
});

describe("detectDelimiter", () => {
  test.each([
    ["email,name", ","],
    ["email;name", ";"],
    ["email\tname", "\t"],
    ["email", ","],
    ['"a;b",c', ","],
    ["\n\nemail;name;x", ";"],
  ])("%j → %j", (text, expected) => {
    expect(detectDelimiter(text)).toBe(expected);
  });
});
