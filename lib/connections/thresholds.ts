import "server-only";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { directoryConnections } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { invalidInput } from "@/lib/errors";
import { THRESHOLD_LIMITS, thresholdOf, type RemovalThreshold } from "@/lib/sync/removal-guard";
import { asUser, requireAdminOfEveryServed, requireConnectionAdmin } from "./access";
import { recordConnectionAudit } from "./audit";

/** The connection's mass-removal figures, for its admins (docs/design.md, "The sync, precisely"). */
export async function connectionThreshold(db: Executor, actor: Actor | null, connectionId: string): Promise<RemovalThreshold> {
  const { row } = await requireConnectionAdmin(db, asUser(actor), connectionId);
  return thresholdOf(row);
}

function wholeNumber(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value.trim()) : typeof value === "number" ? value : NaN;
  return Number.isInteger(n) ? n : null;
}

/**
 * Checks the two figures an admin typed: each a whole number in its range, with a message per field. Both
 * are needed: the percentage protects large groups, the absolute figure keeps small groups from stopping at
 * every departure.
 */
export function validateThreshold(input: { sharePercent: unknown; minRemovals: unknown }): RemovalThreshold {
  const fields: Record<string, string> = {};
  const share = wholeNumber(input.sharePercent);
  const min = wholeNumber(input.minRemovals);
  const { sharePercent: s, minRemovals: m } = THRESHOLD_LIMITS;
  if (share === null || share < s.min || share > s.max) fields.sharePercent = `Enter a whole percentage from ${s.min} to ${s.max}.`;
  if (min === null || min < m.min || min > m.max) fields.minRemovals = `Enter a whole number of removals from ${m.min} to ${m.max.toLocaleString("en-US")}.`;
  if (Object.keys(fields).length > 0) {
    const message = Object.keys(fields).length === 2 ? "Both figures need attention." : fields.sharePercent ? "The percentage needs attention." : "The number of removals needs attention.";
    throw invalidInput(message, fields);
  }
  return { sharePercent: share!, minRemovals: min! };
}

/**
 * Sets the connection's mass-removal guard. It protects every organization the connection serves, so, like
 * its other settings, only an admin of each of them may change it; audited in the same transaction.
 */
export async function updateConnectionThreshold(
  db: Executor,
  actor: Actor | null,
  input: { connectionId: string; sharePercent: unknown; minRemovals: unknown },
): Promise<RemovalThreshold & { saved: boolean }> {
  const by = asUser(actor);
  const loaded = await requireConnectionAdmin(db, by, input.connectionId);
  const next = validateThreshold(input);
  const before = thresholdOf(loaded.row);
  if (before.sharePercent === next.sharePercent && before.minRemovals === next.minRemovals) return { ...next, saved: false };
  requireAdminOfEveryServed(by, loaded, "change its mass-removal guard");
  await db.transaction(async (tx) => {
    await tx
      .update(directoryConnections)
      .set({ reviewSharePercent: next.sharePercent, reviewMinRemovals: next.minRemovals, updatedAt: new Date() })
      .where(eq(directoryConnections.id, loaded.row.id));
    await recordConnectionAudit(tx, by, "connection.update", loaded.row.id, loaded.organizations.map((o) => o.id), {
      removalThreshold: { from: before, to: next },
    });
  });
  return { ...next, saved: true };
}
