/**
 * The kinds of alert Roster emails, each of which an admin can turn off per connection. A kind names a family:
 * connection_health covers both "turned failing" and "recovered" (one switch, since one without the other misleads).
 */
export const ALERT_KINDS = ["secret_expiry", "certificate_expiry", "connection_health", "group_error", "needs_review", "reconcile_drift"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number] | "setup_link";

export const ALERT_KIND_LABELS: Record<(typeof ALERT_KINDS)[number], { label: string; hint: string }> = {
  secret_expiry: { label: "Client secret expiry", hint: "30, 14, 7 and 1 days before the secret expires, and on the day." },
  certificate_expiry: { label: "Certificate expiry", hint: "30, 14, 7 and 1 days before the certificate in use expires, and on the day." },
  connection_health: { label: "Connection failing or recovered", hint: "When the connection starts failing, and when it works again." },
  group_error: { label: "Group in Error", hint: "When a synced group fails two runs in a row." },
  needs_review: { label: "Waiting in Needs review", hint: "When a mass removal has waited for confirmation for more than a day." },
  reconcile_drift: { label: "Weekly reconcile drift", hint: "When the weekly reconcile finds the audience out of step with the directory." },
};

export function isAlertKind(value: string): value is (typeof ALERT_KINDS)[number] {
  return (ALERT_KINDS as readonly string[]).includes(value);
}

/** Days before a secret's expiry at which its owner hears about it; 0 is the day itself (and any day after). */
export const EXPIRY_ALERT_DAYS = [30, 14, 7, 1, 0] as const;

/** The threshold a secret with `daysLeft` has reached, or null when it is more than 30 days away. */
export function expiryThreshold(daysLeft: number): number | null {
  if (daysLeft <= 0) return 0;
  const reached = EXPIRY_ALERT_DAYS.filter((t) => t > 0 && daysLeft <= t);
  return reached.length ? Math.min(...reached) : null;
}
