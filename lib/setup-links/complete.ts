import "server-only";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { alertEvents, setupLinks } from "@/db/schema";
import { deliverPendingAlerts } from "@/lib/alerts/deliver";
import { createConnection, verifyConnectionDraft, type CreateConnectionResult } from "@/lib/connections/create";
import { rotateSecret, type RotateSecretResult } from "@/lib/connections/rotate";
import { prepareWizardCredential, type PreparedWizardCredential } from "@/lib/connections/pending-credential";
import type { VerificationSummary } from "@/lib/connections/verification";
import { notFound, RosterError } from "@/lib/errors";
import { logError } from "@/lib/log";
import { recordSetupLinkAudit } from "./audit";
import { claimSetupLink, releaseSetupLink, resolveSetupLink, type ResolvedSetupLink } from "./resolve";

/** What a request through a link carries besides its input: the token from its path and where it came from. */
export interface SetupLinkContext {
  token: string;
  client: string;
  now?: Date;
}

type Valid = Extract<ResolvedSetupLink, { state: "valid" }>;

/** The same words for every link that cannot be used, whatever the reason: they reveal nothing. */
export const LINK_UNAVAILABLE = "This setup link can no longer be used. Ask the person who sent it for a new one.";

async function requireLink(db: Executor, ctx: SetupLinkContext, purpose: "create" | "rotate"): Promise<Valid> {
  const resolved = await resolveSetupLink(db, ctx.token, { client: ctx.client, now: ctx.now });
  if (resolved.state === "rate_limited") throw new RosterError("rate_limited", "Too many wrong setup links from this network. Try again in 15 minutes.");
  if (resolved.state !== "valid" || resolved.link.purpose !== purpose) throw new RosterError("not_found", LINK_UNAVAILABLE);
  return resolved;
}

/** The link's wizard's federated values or certificate, prepared as the admin who sent the link (pending-credential.ts). */
export async function prepareSetupCredential(db: Executor, ctx: SetupLinkContext, raw: Record<string, unknown>): Promise<PreparedWizardCredential> {
  const { actor } = await requireLink(db, ctx, "create");
  return prepareWizardCredential(db, actor, raw);
}

/** The link's wizard's "Verify connection": exactly the admin wizard's checks, as the admin who sent the link. */
export async function verifySetupDraft(db: Executor, ctx: SetupLinkContext, raw: Record<string, unknown>): Promise<VerificationSummary> {
  const { actor } = await requireLink(db, ctx, "create");
  return verifyConnectionDraft(db, actor, raw);
}

/**
 * Saves the connection a link was sent for, into the link's organization only: a form naming any other
 * organization is refused as "not found", as it would be for anyone without a role there. The link is claimed
 * first (single use, whatever arrives at once) and given back if nothing was saved.
 */
export async function completeSetupCreate(db: Executor, ctx: SetupLinkContext, raw: Record<string, unknown>): Promise<CreateConnectionResult> {
  const resolved = await requireLink(db, ctx, "create");
  const { link, actor } = resolved;
  const orgIds = raw.organizationIds;
  if (!Array.isArray(orgIds) || orgIds.length !== 1 || orgIds[0] !== link.organizationId) throw notFound("That organization");
  const now = ctx.now ?? new Date();
  if (!(await claimSetupLink(db, link.id, now))) throw new RosterError("not_found", LINK_UNAVAILABLE);
  let result: CreateConnectionResult;
  try {
    result = await createConnection(db, actor, { ...raw, organizationIds: [link.organizationId] });
  } catch (error) {
    await releaseSetupLink(db, link.id);
    throw error;
  }
  if (!result.saved) {
    await releaseSetupLink(db, link.id);
    return result;
  }
  await finish(db, resolved, result.connectionId, {
    title: `${link.contactName} connected the directory “${String(raw.name ?? "").trim() || "new connection"}” with your setup link`,
    body:
      result.status === "active"
        ? "The connection passed verification and belongs to your organization: editors can sync its groups now."
        : "It was saved as a draft because verification failed; open it to see what to fix.",
  });
  return result;
}

/** Rotates the secret of the link's connection, and only that one: any other connection id is "not found". */
export async function rotateViaSetupLink(
  db: Executor,
  ctx: SetupLinkContext,
  input: { connectionId: string; secretId?: unknown; secretValue?: unknown; secretExpiresOn?: unknown },
): Promise<RotateSecretResult> {
  const resolved = await requireLink(db, ctx, "rotate");
  const { link, actor } = resolved;
  if (!link.connectionId || input.connectionId !== link.connectionId) throw notFound("That directory connection");
  const now = ctx.now ?? new Date();
  if (!(await claimSetupLink(db, link.id, now))) throw new RosterError("not_found", LINK_UNAVAILABLE);
  let result: RotateSecretResult;
  try {
    result = await rotateSecret(db, actor, { ...input, connectionId: link.connectionId });
  } catch (error) {
    await releaseSetupLink(db, link.id);
    throw error;
  }
  if (!result.rotated) {
    await releaseSetupLink(db, link.id);
    return result;
  }
  await finish(db, resolved, link.connectionId, {
    title: `${link.contactName} rotated the client secret with your setup link`,
    body:
      result.previousSecretId === null
        ? `Roster now signs in with the secret with Secret ID ${result.secretId}.`
        : result.secretId === result.previousSecretId
        ? `Roster uses the secret with Secret ID ${result.secretId}, as before.`
        : `Roster now uses the secret with Secret ID ${result.secretId}. It no longer uses ${result.previousSecretId}: that one can be deleted in Azure (Certificates & secrets).`,
  });
  return result;
}

/** Records the completion and tells the admin who sent the link, by email and on the connection's page. */
async function finish(db: Executor, resolved: Valid, connectionId: string, notice: { title: string; body: string }): Promise<void> {
  const { link, creatorEmail } = resolved;
  await db.transaction(async (tx) => {
    await tx.update(setupLinks).set({ resultConnectionId: connectionId }).where(eq(setupLinks.id, link.id));
    await recordSetupLinkAudit(tx, {
      organizationId: link.organizationId,
      action: "setup_link.complete",
      linkId: link.id,
      actorUserId: null,
      actorLabel: link.contactEmail,
      details: { purpose: link.purpose, connectionId },
    });
    await tx
      .insert(alertEvents)
      .values({ connectionId, kind: "setup_link", eventKey: link.id, title: notice.title, body: notice.body, path: `/admin/directory/${connectionId}`, recipients: [creatorEmail] })
      .onConflictDoNothing();
  });
  try {
    await deliverPendingAlerts(db);
  } catch (error) {
    // The save stands; the notice stays queued for the next cron call.
    logError("setup link notice not delivered", error);
  }
}
