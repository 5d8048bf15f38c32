import "server-only";
import { and, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { recipientSources, recipients } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { requireSeries } from "@/lib/auth/actor";
import { isValidEmail, normalizeEmail } from "@/lib/email";
import { RosterError, invalidInput } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { addHoldings, holdersOf, releaseHoldings } from "./holdings";
import { MAX_NAME_LENGTH } from "./csv-recipients";
import { ensureManualSource, findManualSource } from "./sources";

export interface AddManualRecipientResult {
  email: string;
  /** False when the address was already in the audience through another source (it is now also held manually). */
  added: boolean;
  /**
   * True when the series excludes the address: it is on the manual list now, but stays out of the audience
   * until an editor lifts the exclusion.
   */
  excluded: boolean;
}

/** Adds one address to the series' manual list. Editors and admins of the series' organization only. */
export async function addManualRecipient(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; email: string; name?: string | null },
): Promise<AddManualRecipientResult> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  const email = input.email.trim();
  if (!isValidEmail(email)) throw invalidInput("Enter a valid email address.", { email: "Enter a valid email address, like name@example.com." });
  const name = input.name?.trim() || null;
  if (name && name.length > MAX_NAME_LENGTH) throw invalidInput("The name is too long.", { name: `Use at most ${MAX_NAME_LENGTH} characters.` });

  return db.transaction(async (tx) => {
    const sourceId = await ensureManualSource(tx, series.id, actor!.userId);
    const { held, added } = await addHoldings(tx, { seriesId: series.id, sourceId, rows: [{ email, name }], why: { added: "added by hand", actor: actor!.name } });
    if (held === 0) {
      throw new RosterError("conflict", `${email} is already in the manual list.`, { email: "This address is already in the manual list." });
    }
    await recordAudit(tx, { kind: "user", actor: actor! }, { organizationId: series.organizationId, action: "recipient.add", targetType: "series", targetId: series.id, details: { email } });
    const [row] = await tx
      .select({ email: recipients.email })
      .from(recipients)
      .where(and(eq(recipients.seriesId, series.id), eq(recipients.emailNormalized, normalizeEmail(email))));
    if (!row) return { email, added: false, excluded: true };
    return { email: row.email, added: added > 0, excluded: false };
  });
}

export interface RemoveManualRecipientResult {
  email: string;
  /** True when the address left the audience; false when other sources still hold it (listed in heldBy). */
  removed: boolean;
  heldBy: string[];
}

/**
 * Removes an address from the manual list. The recipient leaves the audience only if no CSV import or
 * directory group also holds it: removing one source never takes away what another put there.
 */
export async function removeManualRecipient(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; email: string },
): Promise<RemoveManualRecipientResult> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  const key = normalizeEmail(input.email);
  return db.transaction(async (tx) => {
    const sourceId = await findManualSource(tx, series.id);
    const [holding] = sourceId
      ? await tx
          .select({ email: recipientSources.email })
          .from(recipientSources)
          .where(and(eq(recipientSources.sourceId, sourceId), eq(recipientSources.emailNormalized, key)))
      : [];
    if (!sourceId || !holding) throw new RosterError("not_found", `${input.email.trim()} is not in the manual list.`);
    await recordAudit(tx, { kind: "user", actor: actor! }, { organizationId: series.organizationId, action: "recipient.remove", targetType: "series", targetId: series.id, details: { email: holding.email } });
    const { removed } = await releaseHoldings(tx, { seriesId: series.id, sourceId, emails: [key], why: { removed: "removed from the manual list", actor: actor!.name } });
    return { email: holding.email, removed: removed > 0, heldBy: removed > 0 ? [] : await holdersOf(tx, series.id, key) };
  });
}
