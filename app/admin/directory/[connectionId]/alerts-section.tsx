import { AlertSettingsForm } from "@/components/alerts/alert-settings-form";
import { Alert } from "@/components/ui/alert";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { connectionAlerts } from "@/lib/alerts/settings";
import { updateAlertSettingsAction } from "./alert-actions";

const EMAIL_STATUS: Record<string, string> = {
  sent: "emailed",
  pending: "email queued",
  sending: "email queued",
  retrying: "email not sent yet (the mail server could not be reached; Roster tries again)",
  failed: "email failed (the mail server refused it, or could not be reached after five tries)",
  off: "not emailed (turned off)",
  not_configured: "not emailed (email is not set up)",
  no_recipients: "not emailed (no recipients)",
};
const when = (iso: string) => iso.replace("T", " ").slice(0, 16) + " UTC";

/** The connection's alerts as the product shows them, whether or not email is set up, and their switches. */
export async function AlertsSection({ db, actor, connectionId }: { db: Db; actor: Actor; connectionId: string }) {
  const view = await connectionAlerts(db, actor, connectionId);
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="alerts-heading">
      <h2 id="alerts-heading" className="text-base font-semibold text-slate-900">Alerts</h2>
      <p className="mb-3 mt-1 text-sm text-slate-600">
        Roster emails the setup owner and the admins of the organizations this connection serves when something needs attention, once per event.
      </p>
      {!view.emailConfigured && (
        <Alert tone="warning" className="mb-3">
          Email is not set up: alerts are shown here only. To email them, set SMTP_URL and MAIL_FROM (see the README, Configuration).
        </Alert>
      )}
      {view.recent.length === 0 ? (
        <p className="mb-4 text-sm text-slate-600">No alerts yet.</p>
      ) : (
        <ul className="mb-4 divide-y divide-slate-100 text-sm" aria-label="Recent alerts">
          {view.recent.map((a) => (
            <li key={a.id} className="py-2">
              <p className="font-medium text-slate-900">{a.title}</p>
              <p className="text-slate-700">{a.body}</p>
              <p className="text-xs text-slate-500">
                {when(a.createdAt)} · {EMAIL_STATUS[a.emailStatus] ?? a.emailStatus}
                {a.emailStatus === "sent" && a.recipients.length > 0 ? ` to ${a.recipients.join(", ")}` : ""}
              </p>
            </li>
          ))}
        </ul>
      )}
      <h3 className="mb-2 text-sm font-semibold text-slate-900">Email these alerts</h3>
      <AlertSettingsForm connectionId={connectionId} disabledKinds={view.disabledKinds} update={updateAlertSettingsAction} />
    </section>
  );
}
