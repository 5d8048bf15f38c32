import "server-only";
import type { Executor } from "@/db/client";
import { auditEvents } from "@/db/schema";

export type SetupLinkAuditAction = "setup_link.create" | "setup_link.open" | "setup_link.complete" | "setup_link.revoke";

/** One audit row in the link's organization. Details never hold the token or its hash. */
export async function recordSetupLinkAudit(
  db: Executor,
  input: { organizationId: string; action: SetupLinkAuditAction; linkId: string; actorUserId: string | null; actorLabel: string; details?: Record<string, unknown> },
): Promise<void> {
  await db.insert(auditEvents).values({
    organizationId: input.organizationId,
    actorUserId: input.actorUserId,
    actorLabel: input.actorLabel,
    action: input.action,
    targetType: "setup_link",
    targetId: input.linkId,
    details: input.details ?? {},
  });
}
