import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

// OWASP Password Storage Cheat Sheet: scrypt with N=2^17, r=8, p=1 (128 MiB of memory per hash).
export const OWASP_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
/**
 * Under Vitest only (the variable is set by the test runner itself), hashes cost 1/32 as much, so the hundreds
 * of users the unit and integration tests create do not dominate the suite. The parameters travel inside each
 * hash, so verification is the same code either way; the browser tests and every real run use OWASP's.
 */
const PARAMS = process.env.VITEST ? ({ N: 2 ** 12, r: 8, p: 1 } as const) : OWASP_SCRYPT;
const KEY_LENGTH = 32;
const maxmem = (p: { N: number; r: number }) => 128 * p.N * p.r * 2;

/** `scrypt$N$r$p$salt$hash` (base64), so parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string, params: { N: number; r: number; p: number } = PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { ...params, maxmem: maxmem(params) });
  return ["scrypt", params.N, params.r, params.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split("$");
  if (scheme !== "scrypt" || !saltB64 || !keyB64) return false;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // A malformed stored hash must fail closed, not throw out of the sign-in path or allocate without bound.
  if (![params.N, params.r, params.p].every(Number.isSafeInteger) || params.N > 2 ** 20 || params.r > 32 || params.p > 16) return false;
  const expected = Buffer.from(keyB64, "base64");
  if (expected.length < 16) return false;
  const actual = await scrypt(password.normalize("NFKC"), Buffer.from(saltB64, "base64"), expected.length, {
    ...params,
    maxmem: maxmem(params),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A hash to verify against when the e-mail is unknown, so both paths cost one scrypt at the same parameters.
 * A fixed value (of a random password nobody kept) rather than one made on first use: making it would double
 * the time of the first unknown-address attempt, which is itself a tell.
 */
const DECOY_HASH = process.env.VITEST
  ? "scrypt$4096$8$1$fWU9FoNl9oj/Gz6r0KiGzA==$XhJWiOI6CeKD4OkzUHU0/iZ/ziK0VjVpxQLgTu/kg6s="
  : "scrypt$131072$8$1$RLFtJqLzVdSFpozl8uxcEQ==$Lw27jzGWrNso2CEkn0uy/G0/YAZ1Xr+MROx35Ah8TEg=";
export async function decoyHash(): Promise<string> {
  return DECOY_HASH;
}

export const MIN_PASSWORD_LENGTH = 12;
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > 256) return "Use at most 256 characters.";
  return null;
}
