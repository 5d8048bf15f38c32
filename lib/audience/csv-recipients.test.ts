import { describe, expect, test } from "vitest";
import { RosterError } from "@/lib/errors";
import { RECORDS_PER_TURN, decodeCsv, parseRecipientCsv, parseRecipientCsvYielding } from "./csv-recipients";

const utf8 = (text: string) => new TextEncoder().encode(text);
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RosterError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a refusal");
};

describe("parseRecipientCsv: columns and headers", () => {
  test.each<[string, string, { email: string; name: string | null; line: number }[]]>([
    ["header email,name", "email,name\nada@x.com,Ada\nbob@x.com,Bob", [
      { line: 2, email: "ada@x.com", name: "Ada" },
      { line: 3, email: "bob@x.com", name: "Bob" },
    ]],
    ["header in another order and case", "Name,E-mail Address\nAda,ada@x.com", [{ line: 2, email: "ada@x.com", name: "Ada" }]],
    ["first and last name columns", "First Name,Last Name,Email\nAda,Lovelace,ada@x.com", [{ line: 2, email: "ada@x.com", name: "Ada Lovelace" }]],
    ["no header: email then name", "ada@x.com,Ada\nbob@x.com,Bob", [
      { line: 1, email: "ada@x.com", name: "Ada" },
      { line: 2, email: "bob@x.com", name: "Bob" },
    ]],
    ["no header: name then email", "Ada,ada@x.com", [{ line: 1, email: "ada@x.com", name: "Ada" }]],
    ["email column only", "email\nada@x.com", [{ line: 2, email: "ada@x.com", name: null }]],
    ["extra columns are ignored", "email,name,department,notes\nada@x.com,Ada,R&D,\"likes, commas\"", [{ line: 2, email: "ada@x.com", name: "Ada" }]],
    ["missing name cell is fine", "email,name\nada@x.com", [{ line: 2, email: "ada@x.com", name: null }]],
    ["semicolon-separated (Excel, some locales)", "email;name\nada@x.com;Lovelace, Ada", [{ line: 2, email: "ada@x.com", name: "Lovelace, Ada" }]],
    ["quoted cells and spaces trimmed", 'email,name\n"  Ada@X.com ","  Ada  "', [{ line: 2, email: "Ada@X.com", name: "Ada" }]],
    ["blank lines keep line numbers", "email\n\nada@x.com\n\n\nbob@x.com\n", [
      { line: 3, email: "ada@x.com", name: null },
      { line: 6, email: "bob@x.com", name: null },
    ]],
    ["a quoted name spanning lines", 'email,name\nada@x.com,"Ada\nLovelace"\nbob@x.com,Bob', [
      { line: 2, email: "ada@x.com", name: "Ada\nLovelace" },
      { line: 4, email: "bob@x.com", name: "Bob" },
    ]],
  ])("%s", (_label, text, expected) => {
    const parsed = parseRecipientCsv(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.recipients).toEqual(expected);
  });
});

describe("parseRecipientCsv: bad rows are reported by line and the rest kept", () => {
  test.each<[string, string, string[], [number, string][]]>([
    ["invalid email", "email\nada@x.com\nnot-an-email\nbob@x.com", ["ada@x.com", "bob@x.com"], [[3, "invalid email"]]],
    ["empty email", "email,name\n,Nobody\nada@x.com,Ada", ["ada@x.com"], [[2, "invalid email"]]],
    ["duplicate, compared lower-cased", "email\nAda@X.com\nada@x.com \nbob@x.com", ["Ada@X.com", "bob@x.com"], [[3, "duplicate"]]],
    ["row too short for the email column", "name,email\nAda,ada@x.com\nBob\ncarl@x.com is not here,carl@x.com", ["ada@x.com", "carl@x.com"], [[3, "malformed"]]],
    ["stray quote", 'email,name\n"ada@x.com"x,Ada\nbob@x.com,Bob', ["bob@x.com"], [[2, "malformed"]]],
    ["unclosed quote", 'email,name\n"ada@x.com,Ada\nbob@x.com,Bob', ["bob@x.com"], [[2, "malformed"]]],
    ["name too long", `email,name\nada@x.com,${"A".repeat(201)}\nbob@x.com,Bob`, ["bob@x.com"], [[2, "malformed"]]],
    ["three good, two bad", "email,name\na@x.com,A\nnope,B\nc@x.com,C\na@x.com,A again\nd@x.com,D", ["a@x.com", "c@x.com", "d@x.com"], [
      [3, "invalid email"],
      [5, "duplicate"],
    ]],
  ])("%s", (_label, text, emails, problems) => {
    const parsed = parseRecipientCsv(text);
    expect(parsed.recipients.map((r) => r.email)).toEqual(emails);
    expect(parsed.problems.map((p) => [p.line, p.reason])).toEqual(problems);
    expect(parsed.totalRows).toBe(emails.length + problems.length);
  });

  test("a duplicate names the line it repeats", () => {
    const [problem] = parseRecipientCsv("email\nada@x.com\nADA@x.com").problems;
    expect(problem.detail).toBe("ADA@x.com is already on line 2");
  });
});

describe("parseRecipientCsv: whole-file refusals", () => {
  test.each<[string, string, string, RegExp]>([
    ["header without an email column", "name,department\nAda,R&D", "invalid_input", /Missing column.*"email" column.*"name", "department"/],
    ["empty file", "", "invalid_input", /empty/],
    ["blank lines only", "\n\n  \n", "invalid_input", /empty/],
    ["header only", "email,name\n", "invalid_input", /header but no rows/],
    ["broken first row", '"email,name\nada@x.com', "invalid_input", /Line 1 is malformed/],
  ])("%s", (_label, text, code, message) => {
    const r = refusal(() => parseRecipientCsv(text));
    expect(r.code).toBe(code);
    expect(r.message).toMatch(message);
  });

  test("more rows than the limit are refused whole, saying which limit", () => {
    const text = ["email", ...Array.from({ length: 11 }, (_, i) => `u${i}@x.com`)].join("\n");
    expect(parseRecipientCsv(text, { maxRows: 11 }).recipients).toHaveLength(11);
    const r = refusal(() => parseRecipientCsv(text, { maxRows: 10 }));
    expect(r).toEqual({ code: "too_large", message: expect.stringMatching(/more than 10 rows; the limit is 10 rows/) });
  });

  test("50,000 rows parse", () => {
    const text = ["email,name", ...Array.from({ length: 50_000 }, (_, i) => `user${i}@example.com,User ${i}`)].join("\r\n");
    expect(parseRecipientCsv(text).recipients).toHaveLength(50_000);
  });
});

describe("decodeCsv", () => {
  test.each<[string, Uint8Array, string]>([
    ["UTF-8 without BOM", utf8("email,name\nzoë@x.com,Zoë"), "email,name\nzoë@x.com,Zoë"],
    ["UTF-8 with BOM (Excel's CSV UTF-8)", new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("email\na@x.com")]), "email\na@x.com"],
  ])("%s", (_label, bytes, text) => {
    expect(decodeCsv(bytes)).toBe(text);
  });

  test("a BOM does not hide the header", () => {
    const text = decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("email,name\na@x.com,A")]));
    expect(parseRecipientCsv(text)).toMatchObject({ hasHeader: true, recipients: [{ email: "a@x.com", name: "A" }] });
  });

  test.each<[string, Uint8Array, string, RegExp]>([
    ["Latin-1", new Uint8Array([...utf8("email,name\na@x.com,Zo"), 0xeb]), "invalid_input", /not UTF-8/],
    ["UTF-16 LE", new Uint8Array([0xff, 0xfe, 0x65, 0x00]), "invalid_input", /UTF-16/],
  ])("refuses %s with a way to fix it", (_label, bytes, code, message) => {
    const r = refusal(() => decodeCsv(bytes));
    expect(r.code).toBe(code);
    expect(r.message).toMatch(message);
  });

  test("over the size limit is refused whole, saying which limit", () => {
    const r = refusal(() => decodeCsv(new Uint8Array(5 * 1024 * 1024 + 1)));
    expect(r).toEqual({ code: "too_large", message: "The file is 5.1 MB; the limit is 5 MB. Split it into smaller files." });
  });
});

describe("parseRecipientCsvYielding: a big file does not hold the server", () => {
  test("a 4 MB file lets timers run while it is parsed, and reads the same as the one-go parse", async () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => `someone.with.a.longer.address${i}@example.com,Person Number ${i} Of Many,a longer note`);
    const text = ["email,name,note", ...rows].join("\r\n");
    expect(text.length).toBeGreaterThan(4 * 1024 * 1024);
    // Another request's work, queued behind the parse: a timer set before it starts.
    let turns = 0;
    const tick = () => {
      turns++;
      if (!done) setImmediate(tick);
    };
    let done = false;
    setImmediate(tick);
    const parsed = await parseRecipientCsvYielding(text);
    const turnsDuringParse = turns;
    done = true;
    expect(turnsDuringParse).toBeGreaterThanOrEqual(Math.floor(50_000 / RECORDS_PER_TURN) - 1);
    expect(parsed).toEqual(parseRecipientCsv(text));
  });

  test("refusals are the same as the one-go parse's", async () => {
    await expect(parseRecipientCsvYielding("name\nAda")).rejects.toMatchObject({ code: "invalid_input", message: expect.stringMatching(/^Missing column/) });
  });
});

