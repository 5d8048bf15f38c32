import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { signInThrottle, users } from "@/db/schema";
import { normalizeEmail } from "@/lib/email";
import { RosterError } from "@/lib/errors";
import { decoyHash, verifyPassword } from "./password";

export const MAX_FAILURES = 5;
export const WINDOW_MINUTES = 15;
export const LOCK_MINUTES = 15;

/** One message for an unknown e-mail and a wrong password: sign-in must not reveal who has an account. */
export const BAD_CREDENTIALS = "Wrong email or password.";

/**
 * Checks an e-mail and password. Failures are counted per address whether or not it exists, and an address
 * with too many recent failures is refused for a while even with the right password.
 */
export async function authenticate(db: Executor, email: string, password: string, now = new Date()) {
  const key = normalizeEmail(email);
  const [throttle] = await db.select().from(signInThrottle).where(eq(signInThrottle.key, key));
  if (throttle?.lockedUntil && throttle.lockedUntil > now) {
    const minutes = Math.ceil((throttle.lockedUntil.getTime() - now.getTime()) / 60_000);
    throw new RosterError("rate_limited", `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`);
  }
  const [user] = await db.select().from(users).where(eq(users.emailNormalized, key));
  const ok = user?.passwordHash
    ? await verifyPassword(password, user.passwordHash)
    : (await verifyPassword(password, await decoyHash()), false);
  if (!ok || !user) {
    await recordFailure(db, key, now);
    throw new RosterError("unauthenticated", BAD_CREDENTIALS);
  }
  await db.delete(signInThrottle).where(eq(signInThrottle.key, key));
  await db.update(users).set({ lastSignInAt: now }).where(eq(users.id, user.id));
  return { id: user.id, email: user.email, name: user.name };
}

async function recordFailure(db: Executor, key: string, now: Date) {
  const windowStart = new Date(now.getTime() - WINDOW_MINUTES * 60_000);
  const lockUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000);
  // One statement, so concurrent failures cannot both read "4" and both write "5".
  await db.execute(sql`
    INSERT INTO sign_in_throttle (key, failures, window_started_at)
    VALUES (${key}, 1, ${now.toISOString()}::timestamptz)
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN sign_in_throttle.window_started_at < ${windowStart.toISOString()}::timestamptz THEN 1 ELSE sign_in_throttle.failures + 1 END,
      window_started_at = CASE WHEN sign_in_throttle.window_started_at < ${windowStart.toISOString()}::timestamptz THEN ${now.toISOString()}::timestamptz ELSE sign_in_throttle.window_started_at END,
      locked_until = CASE WHEN sign_in_throttle.window_started_at >= ${windowStart.toISOString()}::timestamptz AND sign_in_throttle.failures + 1 >= ${MAX_FAILURES}
        THEN ${lockUntil.toISOString()}::timestamptz ELSE NULL END
  `);
}
