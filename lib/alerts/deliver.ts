import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { absoluteLink } from "@/lib/mail/links";
import { mailConfigured, sendMail } from "@/lib/mail/transport";
import { alertRecipients } from "./recipients";

/** A claim older than this belongs to a call that died while sending: the next call sends it instead. */
const CLAIM_MINUTES = 10;
const BATCH = 50;

export interface DeliveryCount {
  sent: number;
  failed: number;
  notConfigured: number;
}

type Claimed = { id: string; connection_id: string; kind: string; title: string; body: string; path: string; recipients: string[] | null };

/**
 * Emails recorded alerts, each once: a batch is claimed by one conditional update (FOR UPDATE SKIP LOCKED), so
 * overlapping cron calls never send the same alert twice. Without SMTP_URL each is marked `not_configured`
 * and stays visible in the product. Setup-link notices carry their own recipient (the admin who created the
 * link); other alerts go to the setup owner and the served organizations' admins.
 */
export async function deliverPendingAlerts(db: Executor, now: Date = new Date()): Promise<DeliveryCount> {
  const out: DeliveryCount = { sent: 0, failed: 0, notConfigured: 0 };
  const staleBefore = new Date(now.getTime() - CLAIM_MINUTES * 60_000).toISOString();
  const claimed = await queryRows<Claimed>(
    db,
    sql`UPDATE alert_events SET email_status = 'sending', claimed_at = ${now.toISOString()}::timestamptz
        WHERE id IN (SELECT id FROM alert_events
                     WHERE email_status = 'pending' OR (email_status = 'sending' AND claimed_at < ${staleBefore}::timestamptz)
                     ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING id, connection_id, kind, title, body, path, recipients`,
  );
  const configured = mailConfigured();
  for (const alert of claimed) {
    const recipients = alert.recipients && alert.recipients.length > 0 ? alert.recipients : await alertRecipients(db, alert.connection_id);
    let status: string;
    if (!configured) {
      status = "not_configured";
      out.notConfigured++;
    } else if (recipients.length === 0) {
      status = "no_recipients";
    } else {
      const result = await sendMail(composeAlertEmail(alert, recipients));
      status = result.sent ? "sent" : "failed";
      if (result.sent) out.sent++;
      else out.failed++;
    }
    await db.execute(
      sql`UPDATE alert_events SET email_status = ${status}, recipients = ${toTextArray(recipients)}::text[],
                 emailed_at = ${status === "sent" ? now.toISOString() : null}::timestamptz
          WHERE id = ${alert.id}::uuid`,
    );
  }
  return out;
}

/** A text[] literal from addresses (which contain no quotes or braces: they passed isValidEmail). */
function toTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, "")}"`).join(",")}}`;
}

/** What happened, what to do, and the page where it is done. */
export function composeAlertEmail(alert: Pick<Claimed, "kind" | "title" | "body" | "path">, to: string[]) {
  const link = absoluteLink(alert.path);
  const footer =
    alert.kind === "setup_link"
      ? "You get this email because you created the setup link in Roster."
      : "You get this email as the connection's setup owner or an admin of an organization it serves. Admins can turn this kind of alert off on the connection's page, under Alerts.";
  return {
    to,
    subject: `Roster: ${alert.title}`,
    text: `${alert.title}\n\n${alert.body}\n\nOpen in Roster: ${link}\n\n${footer}\n`,
  };
}
