import "server-only";
import { eq, or, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { signInThrottle, users } from "@/db/schema";
import { normalizeEmail } from "@/lib/email";
import { RosterError } from "@/lib/errors";
import { signInHashes, type HashLimiter } from "./hash-limiter";
import { decoyHash, verifyPassword } from "./password";

/** Failed attempts one client may make at one address in a window before that pair is locked. */
export const MAX_FAILURES = 5;
/** Failed attempts one client may make in a window, across all addresses (password spraying). */
export const CLIENT_MAX_FAILURES = 20;
/**
 * Failed attempts at one address in a window, across all clients. Above what one client can reach (its own limit
 * stops it first), so a flood from one address cannot lock a known account out; only a spread attack can.
 */
export const ACCOUNT_MAX_FAILURES = 50;
export const WINDOW_MINUTES = 15;
export const LOCK_MINUTES = 15;

/** One message for an unknown e-mail and a wrong password: sign-in must not reveal who has an account. */
export const BAD_CREDENTIALS = "Wrong email or password.";

export interface SignInContext {
  /** Where the attempt came from (lib/auth/client-address.ts). */
  client?: string;
  /** Bounds concurrent hashes; the server's own limiter unless a test brings one. */
  hashes?: HashLimiter;
}

const keys = (email: string, client: string) => [
  { key: `client:${client}`, limit: CLIENT_MAX_FAILURES, refused: "Too many failed sign-ins from this network." },
  { key: `pair:${client}:${email}`, limit: MAX_FAILURES, refused: "Too many failed attempts." },
  { key: email, limit: ACCOUNT_MAX_FAILURES, refused: "Too many failed attempts." },
];

/**
 * Checks an e-mail and password. Each attempt first takes a slot, counted as a failure, in each of three
 * throttles (the client, the client at this address, and the address), each in one conditional statement, and
 * only then hashes; parallel guesses cannot all pass a check made before any of them is counted. Failures are
 * counted per address whether or not it exists. A success gives its slots back and clears the address.
 */
export async function authenticate(db: Executor, email: string, password: string, now = new Date(), context: SignInContext = {}) {
  const key = normalizeEmail(email);
  const hashes = context.hashes ?? signInHashes;
  // Refused before any slot is taken: a request the server is too busy to evaluate is not a guess.
  hashes.admit();
  const taken = keys(key, context.client ?? "unknown");
  for (const throttle of taken) {
    if (!(await takeSlot(db, throttle.key, throttle.limit, now))) {
      throw new RosterError("rate_limited", `${throttle.refused} Try again in ${await lockMinutes(db, throttle.key, now)}.`);
    }
  }
  const [user] = await db.select().from(users).where(eq(users.emailNormalized, key));
  const ok = await hashes.run(async () =>
    user?.passwordHash ? verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await decoyHash()), false),
  );
  if (!ok || !user) throw new RosterError("unauthenticated", BAD_CREDENTIALS);
  await db.delete(signInThrottle).where(or(eq(signInThrottle.key, taken[1].key), eq(signInThrottle.key, taken[2].key)));
  // The client's slot is given back (this was no failure), and with it any lock that slot set.
  await db
    .update(signInThrottle)
    .set({
      failures: sql`greatest(${signInThrottle.failures} - 1, 0)`,
      lockedUntil: sql`CASE WHEN ${signInThrottle.failures} - 1 < ${taken[0].limit} THEN NULL ELSE ${signInThrottle.lockedUntil} END`,
    })
    .where(eq(signInThrottle.key, taken[0].key));
  await db.update(users).set({ lastSignInAt: now }).where(eq(users.id, user.id));
  return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
}

/**
 * Counts one attempt against `key` unless it is locked, in one statement: concurrent attempts queue on the row
 * and each sees the count the one before it left. The attempt that reaches `limit` sets the lock. Returns whether
 * the slot was taken.
 */
async function takeSlot(db: Executor, key: string, limit: number, now: Date): Promise<boolean> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const windowStart = sql`${new Date(now.getTime() - WINDOW_MINUTES * 60_000).toISOString()}::timestamptz`;
  const lockUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000);
  // A row whose window has passed, or whose lock has ended, starts over.
  const fresh = sql`(${signInThrottle.windowStartedAt} < ${windowStart} OR coalesce(${signInThrottle.lockedUntil} <= ${at}, false))`;
  const rows = await db
    .insert(signInThrottle)
    .values({ key, failures: 1, windowStartedAt: now, lockedUntil: limit <= 1 ? lockUntil : null })
    .onConflictDoUpdate({
      target: signInThrottle.key,
      set: {
        failures: sql`CASE WHEN ${fresh} THEN 1 ELSE ${signInThrottle.failures} + 1 END`,
        windowStartedAt: sql`CASE WHEN ${fresh} THEN ${at} ELSE ${signInThrottle.windowStartedAt} END`,
        lockedUntil: sql`CASE WHEN NOT ${fresh} AND ${signInThrottle.failures} + 1 >= ${limit} THEN ${lockUntil.toISOString()}::timestamptz ELSE NULL END`,
      },
      setWhere: sql`${signInThrottle.lockedUntil} IS NULL OR ${signInThrottle.lockedUntil} <= ${at}`,
    })
    .returning({ failures: signInThrottle.failures });
  return rows.length === 1;
}

async function lockMinutes(db: Executor, key: string, now: Date): Promise<string> {
  const [row] = await db.select({ lockedUntil: signInThrottle.lockedUntil }).from(signInThrottle).where(eq(signInThrottle.key, key));
  const minutes = Math.max(1, Math.ceil(((row?.lockedUntil?.getTime() ?? now.getTime()) - now.getTime()) / 60_000));
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
