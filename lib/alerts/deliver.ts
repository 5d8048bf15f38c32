import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { absoluteLink } from "@/lib/mail/links";
import { mailConfigured, sendMail } from "@/lib/mail/transport";
import { alertRecipients } from "./recipients";

/** A claim older than this belongs to a call that died while sending: the next call sends it instead. */
const CLAIM_MINUTES = 10;
const BATCH = 50;
/**
 * A send that may pass later (no connection, a 4xx reply) is tried again after 5, 15, 45 and 135 minutes, so a
 * mail server down for a few hours still delivers; after the fifth attempt, or on a 5xx refusal, it is failed.
 */
export const MAX_EMAIL_ATTEMPTS = 5;
const RETRY_BASE_MINUTES = 5;
export const retryDelayMinutes = (attempt: number) => RETRY_BASE_MINUTES * 3 ** (attempt - 1);

export interface DeliveryCount {
  sent: number;
  /** Sends that did not pass this call (each is retried unless refused for good or out of attempts). */
  failed: number;
  notConfigured: number;
}

type Claimed = { id: string; connection_id: string; kind: string; title: string; body: string; path: string; recipients: string[] | null; email_attempts: number };

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
                     WHERE email_status = 'pending'
                        OR (email_status = 'retrying' AND next_attempt_at <= ${now.toISOString()}::timestamptz)
                        OR (email_status = 'sending' AND claimed_at < ${staleBefore}::timestamptz)
                     ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING id, connection_id, kind, title, body, path, recipients, email_attempts`,
  );
  const configured = mailConfigured();
  for (const alert of claimed) {
    const recipients = alert.recipients && alert.recipients.length > 0 ? alert.recipients : await alertRecipients(db, alert.connection_id);
    let status: string;
    let attempts = alert.email_attempts;
    let nextAttemptAt: string | null = null;
    if (!configured) {
      status = "not_configured";
      out.notConfigured++;
    } else if (recipients.length === 0) {
      status = "no_recipients";
    } else {
      const result = await sendMail(composeAlertEmail(alert, recipients));
      attempts++;
      if (result.sent) {
        status = "sent";
        out.sent++;
      } else {
        out.failed++;
        const again = result.reason === "failed" && !result.permanent && attempts < MAX_EMAIL_ATTEMPTS;
        status = again ? "retrying" : "failed";
        if (again) nextAttemptAt = new Date(now.getTime() + retryDelayMinutes(attempts) * 60_000).toISOString();
      }
    }
    await db.execute(
      sql`UPDATE alert_events SET email_status = ${status}, recipients = ${toTextArray(recipients)}::text[],
                 email_attempts = ${attempts}, next_attempt_at = ${nextAttemptAt}::timestamptz,
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
