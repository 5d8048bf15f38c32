import "server-only";
import { desc, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { alertEvents, connectionAlertSettings } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { asUser, requireConnectionAdmin } from "@/lib/connections/access";
import { recordConnectionAudit } from "@/lib/connections/audit";
import { invalidInput } from "@/lib/errors";
import { mailConfigured } from "@/lib/mail/transport";
import { ALERT_KINDS, isAlertKind, type AlertKind } from "./kinds";

export interface ConnectionAlertsView {
  /** False: SMTP_URL is not set, so alerts show here only. */
  emailConfigured: boolean;
  disabledKinds: AlertKind[];
  recent: { id: string; kind: string; title: string; body: string; path: string; emailStatus: string; recipients: string[]; createdAt: string }[];
}

/** A connection's alerts and switches, for its admins. */
export async function connectionAlerts(db: Executor, actor: Actor | null, connectionId: string, limit = 20): Promise<ConnectionAlertsView> {
  const { row } = await requireConnectionAdmin(db, asUser(actor), connectionId);
  const [settings] = await db.select().from(connectionAlertSettings).where(eq(connectionAlertSettings.connectionId, row.id));
  const recent = await db.select().from(alertEvents).where(eq(alertEvents.connectionId, row.id)).orderBy(desc(alertEvents.createdAt)).limit(limit);
  return {
    emailConfigured: mailConfigured(),
    disabledKinds: (settings?.disabledKinds ?? []).filter(isAlertKind),
    recent: recent.map((a) => ({ id: a.id, kind: a.kind, title: a.title, body: a.body, path: a.path, emailStatus: a.emailStatus, recipients: a.recipients, createdAt: a.createdAt.toISOString() })),
  };
}

/**
 * Turns alert kinds on or off for one connection (admins of an organization it serves). Audited, since it
 * decides who hears about an expiring secret.
 */
export async function updateAlertSettings(db: Executor, actor: Actor | null, input: { connectionId: string; enabledKinds: string[] }): Promise<{ disabledKinds: AlertKind[] }> {
  const by = asUser(actor);
  const { row, organizations } = await requireConnectionAdmin(db, by, input.connectionId);
  const unknown = input.enabledKinds.filter((k) => !isAlertKind(k));
  if (unknown.length) throw invalidInput("Unknown alert kind.", { enabledKinds: "Choose from the listed alerts." });
  const disabledKinds = ALERT_KINDS.filter((k) => !input.enabledKinds.includes(k));
  await db.transaction(async (tx) => {
    await tx
      .insert(connectionAlertSettings)
      .values({ connectionId: row.id, disabledKinds })
      .onConflictDoUpdate({ target: connectionAlertSettings.connectionId, set: { disabledKinds, updatedAt: new Date() } });
    await recordConnectionAudit(tx, by, "connection.update", row.id, organizations.map((o) => o.id), { alertsOff: disabledKinds });
  });
  return { disabledKinds };
}
