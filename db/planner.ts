import { sql } from "drizzle-orm";
import type { Executor } from "./client";

/**
 * The planner and session settings Roster's large set-based statements rely on, in one place
 * (docs/design.md, "Planner settings"). Each is set for the current transaction only (`set_config(…, true)`,
 * i.e. SET LOCAL) and put back to the server's default once its statements are done, so nothing leaks into
 * other work on a pooled connection. On PGlite the same settings exist and behave the same.
 *
 * The values are constants of this file, never input.
 */
export const PLANNER_SETTINGS = {
  /**
   * The sort and hashes of a large group's apply (100,000 addresses) fit in memory instead of spilling to
   * disk. Measured by `npm run bench` (apply after the last page).
   */
  applyMemory: { work_mem: "64MB" },
  /**
   * No sequential scans for a statement that inserts into the very tables its anti-joins read. When their
   * statistics say "empty" (a new install, a table analyzed while small), the planner would scan recipients once
   * per added row in a nested loop, each scan also reading every page the statement has added so far:
   * quadratic, 54 s instead of 1 s for a 92,000-member first sync (measured). Through the indexes each probe
   * costs the same whatever the statement has written.
   */
  indexProbes: { enable_seqscan: "off" },
  /**
   * One hash of the staged set for the removal anti-join, instead of one index probe per holding: statistics lag
   * both tables right after a sync (staging just filled), so the planner expects a few hundred rows and would
   * probe 92,000 times, each visiting the heap. Several times cheaper at that size and no dearer when small.
   */
  hashAntiJoin: { enable_nestloop: "off" },
} as const;

export type PlannerSetting = keyof typeof PLANNER_SETTINGS;

function assignments(names: readonly PlannerSetting[], reset: boolean) {
  const pairs = names.flatMap((n) => Object.entries(PLANNER_SETTINGS[n]));
  // set_config(name, NULL…) is not a reset; DEFAULT needs SET. Both forms take constants only (see above).
  return pairs.map(([name, value]) => (reset ? `SET LOCAL ${name} TO DEFAULT` : `SET LOCAL ${name} = '${value}'`));
}

/**
 * Runs `fn` with the named settings in force for the caller's transaction, then puts them back. When `fn`
 * throws, the transaction is going to roll back and SET LOCAL ends with it.
 */
export async function withPlannerSettings<T>(tx: Executor, names: readonly PlannerSetting[], fn: () => Promise<T>): Promise<T> {
  for (const statement of assignments(names, false)) await tx.execute(sql.raw(statement));
  const value = await fn();
  for (const statement of assignments(names, true)) await tx.execute(sql.raw(statement));
  return value;
}
