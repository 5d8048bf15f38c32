import { describe, expect, test } from "vitest";
import { isValidEmail, normalizeEmail } from "./email";

describe("normalizeEmail", () => {
  test.each([
    ["plain", "ada@example.com", "ada@example.com"],
    ["upper case", "Ada.Lovelace@Example.COM", "ada.lovelace@example.com"],
    ["surrounding spaces", "  ada@example.com  ", "ada@example.com"],
    ["tabs and newline", "\tada@example.com\n", "ada@example.com"],
    ["plus tag kept", "Ada+News@example.com", "ada+news@example.com"],
    ["dots kept (no provider-specific folding)", "a.d.a@gmail.com", "a.d.a@gmail.com"],
    ["non-breaking space is trimmed too", "\u00a0ada@example.com\u00a0", "ada@example.com"],
  ])("%s", (_label, input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  test("two spellings of one address compare equal; the original spelling is not changed by trimming alone", () => {
    expect(normalizeEmail(" Grace.Hopper@Navy.MIL")).toBe(normalizeEmail("grace.hopper@navy.mil "));
    expect(" Grace.Hopper@Navy.MIL".trim()).toBe("Grace.Hopper@Navy.MIL");
  });
});

describe("isValidEmail", () => {
  test.each([
    ["simple", "ada@example.com", true],
    ["subdomain", "ada@mail.example.co.uk", true],
    ["plus and dots", "ada.l+news@example.com", true],
    ["surrounding spaces are trimmed", "  ada@example.com ", true],
    ["apostrophe", "o'brien@example.ie", true],
    ["empty", "", false],
    ["no at", "ada.example.com", false],
    ["no domain dot", "ada@localhost", false],
    ["two ats", "ada@@example.com", false],
    ["space inside", "ada lovelace@example.com", false],
    ["leading dot in local part", ".ada@example.com", false],
    ["double dot in local part", "ada..l@example.com", false],
    ["trailing dot in local part", "ada.@example.com", false],
    ["domain label starting with hyphen", "ada@-example.com", false],
    ["local part longer than 64", `${"a".repeat(65)}@example.com`, false],
    ["whole address longer than 254", `ada@${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(70)}.com`, false],
  ])("%s → %s", (_label, input, expected) => {
    expect(isValidEmail(input)).toBe(expected);
  });
});
