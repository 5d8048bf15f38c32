import "server-only";
import type { Executor } from "@/db/client";
import { auditEvents } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";

/** Who acted: a signed-in user, or an operator/system label (CLI, cron) when there is none. */
export type ConnectionActor = { kind: "user"; actor: Actor } | { kind: "operator"; label: string };

export type ConnectionAuditAction =
  | "connection.create"
  | "connection.verify"
  | "connection.rotate_secret"
  | "connection.update"
  | "connection.delete"
  | "connection.refresh_groups"
  | "connection.reseal";

/**
 * One audit row per organization the connection serves, so each organization's log tells the whole story.
 * `details` carries field names and non-secret values only: callers never pass the secret or its sealed form.
 */
export async function recordConnectionAudit(
  db: Executor,
  by: ConnectionActor,
  action: ConnectionAuditAction,
  connectionId: string,
  organizationIds: string[],
  details: Record<string, unknown> = {},
): Promise<void> {
  const actorUserId = by.kind === "user" ? by.actor.userId : null;
  const actorLabel = by.kind === "user" ? by.actor.email : by.label;
  const orgs = organizationIds.length ? organizationIds : [null];
  await db.insert(auditEvents).values(
    orgs.map((organizationId) => ({ organizationId, actorUserId, actorLabel, action, targetType: "directory_connection", targetId: connectionId, details })),
  );
}
