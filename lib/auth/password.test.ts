import { describe, expect, test } from "vitest";
import { OWASP_SCRYPT, hashPassword, passwordProblem, verifyPassword } from "./password";

describe("password hashing", () => {
  test("uses OWASP's scrypt parameters outside the test runner", () => {
    expect(OWASP_SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 });
  });

  test("a hash at OWASP's parameters carries them and verifies only its own password", async () => {
    const hash = await hashPassword("correct horse battery staple", OWASP_SCRYPT);
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    await expect(verifyPassword("correct horse battery staple", hash)).resolves.toBe(true);
    await expect(verifyPassword("correct horse battery stapl", hash)).resolves.toBe(false);
  });

  test("two hashes of one password differ (random salt)", async () => {
    expect(await hashPassword("same password here")).not.toEqual(await hashPassword("same password here"));
  });

  test.each([
    ["not-a-hash"],
    ["scrypt$abc$8$1$c2FsdA==$a2V5"],
    ["scrypt$4294967296$8$1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5"],
    ["bcrypt$10$whatever"],
  ])("a malformed stored hash %s fails closed", async (stored) => {
    await expect(verifyPassword("anything", stored)).resolves.toBe(false);
  });

  test.each([
    ["short", "Use at least 12 characters."],
    ["x".repeat(257), "Use at most 256 characters."],
    ["a long enough passphrase", null],
  ])("password rule for %s", (password, problem) => {
    expect(passwordProblem(password)).toBe(problem);
  });
});
