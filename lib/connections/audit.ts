import "server-only";
import type { Executor } from "@/db/client";
import { recordAudit, type AuditActor } from "@/lib/audit/record";

/** Who acted on a connection: a signed-in user, or an operator/system label (CLI, cron) when there is none. */
export type ConnectionActor = Extract<AuditActor, { kind: "user" | "operator" }>;

export type ConnectionAuditAction =
  | "connection.create"
  | "connection.verify"
  | "connection.rotate_secret"
  | "connection.update"
  | "connection.delete"
  | "connection.refresh_groups"
  | "connection.reseal"
  | "connection.prepare_certificate"
  | "connection.switch_credential";

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
  const orgs = organizationIds.length ? organizationIds : [null];
  await recordAudit(
    db,
    by,
    orgs.map((organizationId) => ({ organizationId, action, targetType: "directory_connection", targetId: connectionId, details })),
  );
}
