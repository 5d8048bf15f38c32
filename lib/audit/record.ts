import "server-only";
import type { Executor } from "@/db/client";
import { auditEvents } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";

/**
 * Who acted: a signed-in user, the newsletter platform through an API token, or an operator/system label
 * (CLI, cron) when there is neither.
 */
export type AuditActor =
  | { kind: "user"; actor: Actor }
  | { kind: "token"; tokenId: string; label: string }
  | { kind: "operator"; label: string };

/** How the actor is named in the log and beside an exclusion: a person's name, `token “label”`, `cli`. */
export function actorName(by: AuditActor): string {
  if (by.kind === "user") return by.actor.name || by.actor.email;
  if (by.kind === "token") return `API token “${by.label}”`;
  return by.label;
}

export interface AuditEntry {
  organizationId: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  /** Field names and non-secret values only: callers never pass a secret, a token or a sealed value. */
  details?: Record<string, unknown>;
}

/**
 * Writes audit rows with the executor of the change's own transaction, so an entry exists exactly when its
 * change committed.
 */
export async function recordAudit(db: Executor, by: AuditActor, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  const actorUserId = by.kind === "user" ? by.actor.userId : null;
  const actorLabel = by.kind === "user" ? by.actor.email : by.kind === "token" ? `token:${by.tokenId} (${by.label})` : by.label;
  await db.insert(auditEvents).values(
    list.map((e) => ({
      organizationId: e.organizationId,
      actorUserId,
      actorLabel,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId ?? null,
      details: e.details ?? {},
    })),
  );
}
