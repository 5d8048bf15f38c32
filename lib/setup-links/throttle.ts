import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { signInThrottle } from "@/db/schema";
import { LOCK_MINUTES, WINDOW_MINUTES } from "@/lib/auth/sign-in";

/** Wrong setup tokens one client may present in a window before it is locked out of every setup link. */
export const SETUP_TOKEN_MAX_FAILURES = 10;

const keyOf = (client: string) => `setup-link:${client}`;

/**
 * Whether the client is locked out for presenting wrong tokens. The sign-in throttle's table and windows
 * (lib/auth/sign-in.ts), under a key of its own, so wrong tokens and wrong passwords do not share a budget.
 */
export async function setupTokensLocked(db: Executor, client: string, now: Date): Promise<boolean> {
  const [row] = await db.select({ lockedUntil: signInThrottle.lockedUntil }).from(signInThrottle).where(eq(signInThrottle.key, keyOf(client)));
  return Boolean(row?.lockedUntil && row.lockedUntil > now);
}

/**
 * Counts one wrong token, in one statement (concurrent guesses queue on the row and each sees the count the one
 * before left); the one that reaches the limit sets the lock. A window that has passed starts over.
 */
export async function countWrongSetupToken(db: Executor, client: string, now: Date): Promise<void> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const windowStart = sql`${new Date(now.getTime() - WINDOW_MINUTES * 60_000).toISOString()}::timestamptz`;
  const lockUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString();
  const fresh = sql`(${signInThrottle.windowStartedAt} < ${windowStart} OR coalesce(${signInThrottle.lockedUntil} <= ${at}, false))`;
  await db
    .insert(signInThrottle)
    .values({ key: keyOf(client), failures: 1, windowStartedAt: now })
    .onConflictDoUpdate({
      target: signInThrottle.key,
      set: {
        failures: sql`CASE WHEN ${fresh} THEN 1 ELSE ${signInThrottle.failures} + 1 END`,
        windowStartedAt: sql`CASE WHEN ${fresh} THEN ${at} ELSE ${signInThrottle.windowStartedAt} END`,
        lockedUntil: sql`CASE WHEN NOT ${fresh} AND ${signInThrottle.failures} + 1 >= ${SETUP_TOKEN_MAX_FAILURES} THEN ${lockUntil}::timestamptz ELSE NULL END`,
      },
      setWhere: sql`${signInThrottle.lockedUntil} IS NULL OR ${signInThrottle.lockedUntil} <= ${at}`,
    });
}
