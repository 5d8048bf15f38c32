import { describe, expect, test } from "vitest";
import { cleanName, hasUnstorableText, jsonSafe, storableInput, storableText, truncate } from "./sanitize";

describe("text made storable", () => {
  test.each([
    ["NUL removed", "Eve\u0000Null", "EveNull"],
    ["a lone high surrogate replaced", "a\ud800b", "a\ufffdb"],
    ["a lone low surrogate replaced", "a\udc00b", "a\ufffdb"],
    ["a pair kept", "a\ud83d\ude00b", "a\ud83d\ude00b"],
    ["bell becomes a space, lines kept", "a\u0007b\r\nc\td", "a b\r\nc\td"],
    ["C1 control becomes a space", "a\u0085b", "a b"],
  ])("%s", (_, input, out) => {
    expect(storableText(input)).toBe(out);
    expect(hasUnstorableText(storableText(input))).toBe(false);
  });

  test("a name is one line, trimmed, at most 256 code points with the cut marked", () => {
    expect(cleanName(" Ada\nLovelace\u0000 ")).toBe("Ada Lovelace");
    expect(cleanName("\u0000 ")).toBeNull();
    expect(cleanName(null)).toBeNull();
    const long = "😀".repeat(300);
    const cut = cleanName(long)!;
    expect(Array.from(cut)).toHaveLength(256);
    expect(cut.endsWith("😀…")).toBe(true);
    expect(truncate("abc", 3)).toBe("abc");
  });

  test("jsonb values: every string and key, nested, made storable", () => {
    expect(JSON.stringify(jsonSafe({ "k\u0000": ["x\u0000", { d: "\ud800" }], n: 1, z: null }))).toBe('{"k":["x",{"d":"\ufffd"}],"n":1,"z":null}');
  });

  test("form input: strings cleaned, other values untouched", () => {
    const file = new Blob(["x"]);
    const out = storableInput({ name: "A\u0000B", list: ["c\u0001"], n: 2, file });
    expect(out).toEqual({ name: "AB", list: ["c "], n: 2, file });
    expect(out.file).toBe(file);
  });
});
