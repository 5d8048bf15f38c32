import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import { readEnv } from "@/lib/env";
import { logInfo } from "@/lib/log";

/** One email as Roster sends it: plain text always, HTML optional, never a secret (callers compose from non-secret facts). */
export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

/**
 * `permanent`: the server refused the message for good (an SMTP 5xx reply, RFC 5321 §4.2.1), so sending it again
 * cannot help; anything else (a 4xx reply, no connection, a timeout) may pass on a later try.
 */
export type MailOutcome = { sent: true; messageId: string } | { sent: false; reason: "not_configured" } | { sent: false; reason: "failed"; permanent: boolean };

let cached: { url: string; transporter: Transporter } | undefined;

/**
 * Whether SMTP_URL is set. Without it Roster still records every alert and shows it in the product; pages say
 * that email is not set up instead of failing (docs/design.md, "Alerts").
 */
export function mailConfigured(): boolean {
  return Boolean(readEnv().SMTP_URL);
}

/**
 * The transport for the configured SMTP_URL, made once per URL: nodemailer pools nothing by default, and one
 * transporter per URL keeps tests that start their own SMTP server on a new port each time correct.
 * TLS certificates are always verified (nodemailer's default): a smtps:// host must present a trusted
 * certificate, and NODE_EXTRA_CA_CERTS is the way to trust a private one.
 */
function transporter(url: string): Transporter {
  if (cached?.url !== url) cached = { url, transporter: nodemailer.createTransport(url) };
  return cached.transporter;
}

/**
 * Sends one message through SMTP_URL. Never throws: a refused or unreachable server is reported as
 * `failed` (logged without the message), so an alert or a setup link is never lost
 * to a mail outage; what was to be sent stays in the database.
 */
export async function sendMail(message: MailMessage): Promise<MailOutcome> {
  const env = readEnv();
  if (!env.SMTP_URL || !env.MAIL_FROM) return { sent: false, reason: "not_configured" };
  try {
    const info = await transporter(env.SMTP_URL).sendMail({
      from: env.MAIL_FROM,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
    return { sent: true, messageId: String(info.messageId) };
  } catch (error) {
    // The code and the server's reply code only: a message may carry the SMTP URL's credentials or a link's token.
    const e = error as { code?: unknown; responseCode?: unknown };
    const responseCode = typeof e.responseCode === "number" ? e.responseCode : null;
    logInfo("email not sent", { code: typeof e.code === "string" ? e.code : "unknown", responseCode });
    return { sent: false, reason: "failed", permanent: responseCode !== null && responseCode >= 500 && responseCode < 600 };
  }
}
