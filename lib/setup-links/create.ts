import "server-only";
import type { Executor } from "@/db/client";
import { setupLinks } from "@/db/schema";
import { requireActor, requireRole, roleIn, type Actor } from "@/lib/auth/actor";
import { asUser, requireAdminOfEveryServed, requireConnectionAdmin } from "@/lib/connections/access";
import { isValidEmail } from "@/lib/email";
import { invalidInput, notFound } from "@/lib/errors";
import { absoluteLink } from "@/lib/mail/links";
import { mailConfigured, sendMail } from "@/lib/mail/transport";
import { isUuid } from "@/lib/uuid";
import { recordSetupLinkAudit } from "./audit";
import { newSetupToken, hashSetupToken, SETUP_LINK_DAYS, setupPath } from "./token";

export interface CreateSetupLinkInput {
  purpose: "create" | "rotate";
  /** create: the organization the new connection will belong to. */
  organizationId?: string;
  /** rotate: the connection whose secret the IT contact replaces. */
  connectionId?: string;
  contactName: string;
  contactEmail: string;
}

export type CreateSetupLinkResult =
  | { linkId: string; expiresAt: string; emailed: true }
  /** Email is not set up (or the server refused): the admin gets the link to pass on themselves. */
  | { linkId: string; expiresAt: string; emailed: false; link: string; reason: "not_configured" | "failed" };

/**
 * An admin's one-time link for an IT contact: a new connection for one of their organizations, or the rotation
 * of a connection's secret. The token is returned to nobody but the contact's mailbox; only its hash is kept.
 */
export async function createSetupLink(db: Executor, actor: Actor | null, input: CreateSetupLinkInput, now = new Date()): Promise<CreateSetupLinkResult> {
  const a = requireActor(actor);
  const fields: Record<string, string> = {};
  const contactName = input.contactName.trim();
  const contactEmail = input.contactEmail.trim();
  if (!contactName) fields.contactName = "Enter the IT contact's name.";
  if (!isValidEmail(contactEmail)) fields.contactEmail = contactEmail ? "Enter a valid email address, such as it@contoso.com." : "Enter the IT contact's email address.";

  let organizationId: string;
  let connectionId: string | null = null;
  let connectionName: string | null = null;
  if (input.purpose === "rotate") {
    const loaded = await requireConnectionAdmin(db, asUser(a), input.connectionId ?? "");
    requireAdminOfEveryServed(asUser(a), loaded, "send a link to rotate its secret");
    const administered = loaded.organizations.find((o) => roleIn(a, o.id) === "admin");
    if (!administered) throw notFound("That directory connection");
    organizationId = administered.id;
    connectionId = loaded.row.id;
    connectionName = loaded.row.name;
  } else {
    if (!input.organizationId || !isUuid(input.organizationId)) throw invalidInput("Choose the organization.", { organizationId: "Choose the organization." });
    requireRole(a, input.organizationId, "admin");
    organizationId = input.organizationId;
  }
  if (Object.keys(fields).length) throw invalidInput("Some fields need attention.", fields);

  const token = newSetupToken();
  const expiresAt = new Date(now.getTime() + SETUP_LINK_DAYS * 86_400_000);
  const linkId = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(setupLinks)
      .values({ tokenHash: hashSetupToken(token), purpose: input.purpose, organizationId, connectionId, contactName, contactEmail, createdBy: a.userId, expiresAt })
      .returning({ id: setupLinks.id });
    await recordSetupLinkAudit(tx, {
      organizationId,
      action: "setup_link.create",
      linkId: row.id,
      actorUserId: a.userId,
      actorLabel: a.email,
      details: { purpose: input.purpose, connectionId, contactName, contactEmail, expiresAt: expiresAt.toISOString() },
    });
    return row.id;
  });

  const link = absoluteLink(setupPath(token));
  const what = input.purpose === "rotate" ? `replace the client secret of the directory connection “${connectionName}”` : "connect your Microsoft Entra ID directory";
  const outcome = mailConfigured()
    ? await sendMail({
        to: [contactEmail],
        subject: input.purpose === "rotate" ? "Roster: rotate a client secret" : "Roster: connect Microsoft Entra ID",
        text:
          `Hello ${contactName},\n\n${a.name} (${a.email}) asks you to ${what} in Roster. You do not need a Roster account: ` +
          `open this link, follow the steps, and Roster checks each one with Microsoft as you go.\n\n${link}\n\n` +
          `The link works once and expires on ${expiresAt.toISOString().slice(0, 10)}. Do not forward it: whoever opens it can complete the setup. ` +
          `If you did not expect this email, ignore it or tell ${a.email}.\n`,
      })
    : ({ sent: false, reason: "not_configured" } as const);
  if (outcome.sent) return { linkId, expiresAt: expiresAt.toISOString(), emailed: true };
  return { linkId, expiresAt: expiresAt.toISOString(), emailed: false, link, reason: outcome.reason };
}
