import { createHash, randomBytes } from "node:crypto";

/** 32 random bytes, URL-safe: what the emailed link carries. Only its hash is stored. */
export function newSetupToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * SHA-256 of the token. A fast hash is enough: the token has 256 bits of entropy, so there is nothing to
 * brute-force offline, unlike a password; a slow hash would only make every page view slow.
 */
export function hashSetupToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A token as newSetupToken makes them; anything else is wrong without a database read. */
export function looksLikeSetupToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

export const SETUP_LINK_DAYS = 7;
export const setupPath = (token: string) => `/setup/${token}`;
