import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { organizations, setupLinks } from "@/db/schema";
import { loadActor, roleIn, type Actor } from "@/lib/auth/actor";
import { recordSetupLinkAudit } from "./audit";
import { countWrongSetupToken, setupTokensLocked } from "./throttle";
import { hashSetupToken, looksLikeSetupToken } from "./token";

export type SetupLinkRow = typeof setupLinks.$inferSelect;

/** How long after completion the link still shows "done" (the opener's own confirmation), not "unavailable". */
const DONE_MINUTES = 15;

export type ResolvedSetupLink =
  | {
      state: "valid";
      link: SetupLinkRow;
      organization: { id: string; name: string };
      /**
       * Whom the verbs act as: the admin who created the link, with their current roles, labelled with the IT
       * contact in the audit log. A link is only as strong as its creator: one whose creator is gone or no
       * longer an admin of its organization stops working.
       */
      actor: Actor;
      /** The creator's own address: the one told when the link is used. */
      creatorEmail: string;
    }
  /** Used a moment ago: the opener's own confirmation. Says nothing of the organization. */
  | { state: "done"; purpose: string }
  /** Unknown, used, expired or revoked, all alike: the page reveals nothing, not even which. */
  | { state: "unavailable" }
  | { state: "rate_limited" };

/**
 * The link a token names, if it can still be used. A token that names no link counts against the client
 * (lib/setup-links/throttle.ts); a locked client is refused before any lookup. The first valid opening is
 * stamped and audited.
 */
export async function resolveSetupLink(db: Executor, token: string, opts: { client: string; now?: Date; markOpened?: boolean }): Promise<ResolvedSetupLink> {
  const now = opts.now ?? new Date();
  if (await setupTokensLocked(db, opts.client, now)) return { state: "rate_limited" };
  const [link] = looksLikeSetupToken(token) ? await db.select().from(setupLinks).where(eq(setupLinks.tokenHash, hashSetupToken(token))) : [];
  if (!link) {
    await countWrongSetupToken(db, opts.client, now);
    return { state: "unavailable" };
  }
  if (link.completedAt) {
    return now.getTime() - link.completedAt.getTime() < DONE_MINUTES * 60_000 ? { state: "done", purpose: link.purpose } : { state: "unavailable" };
  }
  if (link.revokedAt || link.expiresAt <= now || !link.createdBy) return { state: "unavailable" };
  const creator = await loadActor(db, link.createdBy);
  if (!creator || roleIn(creator, link.organizationId) !== "admin") return { state: "unavailable" };
  const [organization] = await db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(eq(organizations.id, link.organizationId));
  if (!organization) return { state: "unavailable" };
  if (opts.markOpened && !link.openedAt) {
    const stamped = await db
      .update(setupLinks)
      .set({ openedAt: now })
      .where(and(eq(setupLinks.id, link.id), isNull(setupLinks.openedAt)))
      .returning({ id: setupLinks.id });
    if (stamped.length) {
      await recordSetupLinkAudit(db, { organizationId: link.organizationId, action: "setup_link.open", linkId: link.id, actorUserId: null, actorLabel: link.contactEmail, details: { purpose: link.purpose } });
    }
  }
  return { state: "valid", link, organization, actor: { ...creator, email: `${link.contactEmail} (setup link from ${creator.email})`, name: link.contactName }, creatorEmail: creator.email };
}

/** Claims a link for completion: exactly one request wins, however many arrive at once. */
export async function claimSetupLink(db: Executor, linkId: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(setupLinks)
    .set({ completedAt: now })
    .where(and(eq(setupLinks.id, linkId), isNull(setupLinks.completedAt), isNull(setupLinks.revokedAt), sql`${setupLinks.expiresAt} > ${now.toISOString()}::timestamptz`))
    .returning({ id: setupLinks.id });
  return rows.length === 1;
}

/** Gives a claim back when the save did not happen (verification failed and no draft was asked for). */
export async function releaseSetupLink(db: Executor, linkId: string): Promise<void> {
  await db.update(setupLinks).set({ completedAt: null }).where(eq(setupLinks.id, linkId));
}
