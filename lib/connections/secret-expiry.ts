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

/**
 * The expiry of the credential a connection signs in with: the client secret's date as entered, or the
 * certificate's own notAfter (read from the certificate when it was made, never typed). A federated credential
 * has none: Roster's signing keys rotate by themselves and nothing in Azure expires.
 */
export interface CredentialExpiry {
  kind: "secret" | "certificate";
  /** YYYY-MM-DD (UTC). */
  expiresOn: string;
  status: SecretExpiryStatus;
  /** The certificate's thumbprint, to name which one in Azure. */
  thumbprint?: string;
}

export function credentialExpiryOf(
  row: { credentialKind: "secret" | "certificate" | "federated"; secretExpiresOn: string | null; certificateExpiresAt: Date | null; certificateThumbprint: string | null },
  now = new Date(),
): CredentialExpiry | null {
  if (row.credentialKind === "secret" && row.secretExpiresOn) return { kind: "secret", expiresOn: row.secretExpiresOn, status: secretExpiryStatus(row.secretExpiresOn, now) };
  if (row.credentialKind === "certificate" && row.certificateExpiresAt) {
    const expiresOn = row.certificateExpiresAt.toISOString().slice(0, 10);
    return { kind: "certificate", expiresOn, status: secretExpiryStatus(expiresOn, now), thumbprint: row.certificateThumbprint ?? undefined };
  }
  return null;
}

export function describeCertificateExpiry(expiresOn: string, status: SecretExpiryStatus): string {
  if (status.level === "expired") return `The certificate expired on ${expiresOn}. Syncs fail until a new one is verified.`;
  if (status.daysLeft === 0) return `The certificate expires today (${expiresOn}).`;
  const days = status.daysLeft === 1 ? "1 day" : `${status.daysLeft} days`;
  return `The certificate expires on ${expiresOn} (in ${days}).`;
}

export function describeCredentialExpiry(expiry: CredentialExpiry): string {
  return expiry.kind === "certificate" ? describeCertificateExpiry(expiry.expiresOn, expiry.status) : describeSecretExpiry(expiry.expiresOn, expiry.status);
}

/** What to do about it, where: the secret is rotated under "Rotate secret"; a certificate's successor is made ahead. */
export function credentialExpiryFix(expiry: CredentialExpiry): string {
  return expiry.kind === "certificate"
    ? "Create the next certificate under “Credential” on the connection's page, upload it in Azure (Certificates & secrets → Certificates), then verify it: the current one keeps working until then."
    : "Create a new client secret in Azure and use “Rotate secret” on the connection's page.";
}
