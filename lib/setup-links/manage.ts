import "server-only";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { directoryConnections, setupLinks } from "@/db/schema";
import { requireActor, roleIn, type Actor } from "@/lib/auth/actor";
import { notFound } from "@/lib/errors";
import { isUuid } from "@/lib/uuid";
import { recordSetupLinkAudit } from "./audit";

export type SetupLinkStatus = "waiting" | "opened" | "completed" | "revoked" | "expired";

export interface SetupLinkView {
  id: string;
  purpose: string;
  organizationId: string;
  connectionName: string | null;
  resultConnectionId: string | null;
  contactName: string;
  contactEmail: string;
  status: SetupLinkStatus;
  createdAt: string;
  expiresAt: string;
}

const statusOf = (l: typeof setupLinks.$inferSelect, now: Date): SetupLinkStatus =>
  l.revokedAt ? "revoked" : l.completedAt ? "completed" : l.expiresAt <= now ? "expired" : l.openedAt ? "opened" : "waiting";

/** The setup links of the organizations the actor administers, newest first. */
export async function listSetupLinks(db: Executor, actor: Actor | null, now = new Date()): Promise<SetupLinkView[]> {
  const a = requireActor(actor);
  const orgIds = a.memberships.filter((m) => m.role === "admin").map((m) => m.organizationId);
  if (orgIds.length === 0) return [];
  const rows = await db
    .select({ link: setupLinks, connectionName: directoryConnections.name })
    .from(setupLinks)
    .leftJoin(directoryConnections, eq(directoryConnections.id, setupLinks.connectionId))
    .where(inArray(setupLinks.organizationId, orgIds))
    .orderBy(desc(setupLinks.createdAt))
    .limit(50);
  return rows.map(({ link: l, connectionName }) => ({
    id: l.id,
    purpose: l.purpose,
    organizationId: l.organizationId,
    connectionName,
    resultConnectionId: l.resultConnectionId,
    contactName: l.contactName,
    contactEmail: l.contactEmail,
    status: statusOf(l, now),
    createdAt: l.createdAt.toISOString(),
    expiresAt: l.expiresAt.toISOString(),
  }));
}

/** Revokes a link not yet used: an admin of its organization; another organization's link is "not found". */
export async function revokeSetupLink(db: Executor, actor: Actor | null, linkId: string, now = new Date()): Promise<{ revoked: true }> {
  const a = requireActor(actor);
  const [link] = isUuid(linkId) ? await db.select().from(setupLinks).where(eq(setupLinks.id, linkId)) : [];
  if (!link || roleIn(a, link.organizationId) !== "admin") throw notFound("That setup link");
  await db.transaction(async (tx) => {
    const done = await tx
      .update(setupLinks)
      .set({ revokedAt: now })
      .where(and(eq(setupLinks.id, link.id), isNull(setupLinks.revokedAt), isNull(setupLinks.completedAt)))
      .returning({ id: setupLinks.id });
    if (done.length) {
      await recordSetupLinkAudit(tx, { organizationId: link.organizationId, action: "setup_link.revoke", linkId: link.id, actorUserId: a.userId, actorLabel: a.email, details: { contactEmail: link.contactEmail } });
    }
  });
  return { revoked: true };
}
