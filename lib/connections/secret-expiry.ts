/**
 * Secret expiry levels: a notice on the connection page from 30 days before, a banner on every admin page
 * from 14 days before and after expiry (an expired secret silently stops every sync otherwise).
 */
export const EXPIRY_NOTICE_DAYS = 30;
export const EXPIRY_BANNER_DAYS = 14;

export type SecretExpiryLevel = "ok" | "soon" | "urgent" | "expired";

export interface SecretExpiryStatus {
  level: SecretExpiryLevel;
  /** Whole days until the expiry date (negative after it). */
  daysLeft: number;
  /** Whether every admin page should show a banner. */
  banner: boolean;
}

const DAY = 86_400_000;

export function secretExpiryStatus(expiresOn: string, now = new Date()): SecretExpiryStatus {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const expiry = Date.parse(`${expiresOn}T00:00:00Z`);
  const daysLeft = Math.round((expiry - today) / DAY);
  const level: SecretExpiryLevel = daysLeft < 0 ? "expired" : daysLeft <= EXPIRY_BANNER_DAYS ? "urgent" : daysLeft <= EXPIRY_NOTICE_DAYS ? "soon" : "ok";
  return { level, daysLeft, banner: level === "urgent" || level === "expired" };
}

export function describeSecretExpiry(expiresOn: string, status: SecretExpiryStatus): string {
  if (status.level === "expired") return `The client secret expired on ${expiresOn}. Syncs stop until it is rotated.`;
  if (status.daysLeft === 0) return `The client secret expires today (${expiresOn}).`;
  const days = status.daysLeft === 1 ? "1 day" : `${status.daysLeft} days`;
  return `The client secret expires on ${expiresOn} (in ${days}).`;
}
