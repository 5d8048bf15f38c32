import type { CredentialKind, directoryConnections } from "@/db/schema";
import { FEDERATION_AUDIENCE, federationSubject, issuerReachableByEntra, rosterIssuer } from "@/lib/identity-keys/issuer";

type ConnectionRow = typeof directoryConnections.$inferSelect;

/**
 * The credential as a page may show it: the kind, the certificates' thumbprints and expiries and public PEMs, the
 * federated credential's three values. Never a private key or its sealed form: built field by field.
 */
export interface CredentialView {
  kind: CredentialKind;
  /** When the connection stopped using its secret; from then on it may be deleted in Azure. */
  secretRetiredAt: string | null;
  /** Public certificates (PEM), for download and upload in Azure. */
  certificate: { thumbprint: string; expiresAt: string; pem: string } | null;
  nextCertificate: { thumbprint: string; expiresAt: string; pem: string } | null;
  federation: { issuer: string; subject: string; audience: string; issuerReachable: boolean };
}

export function credentialViewOf(row: ConnectionRow): CredentialView {
  const issuer = rosterIssuer();
  const cert = (thumbprint: string | null, expiresAt: Date | null, pem: string | null) => (thumbprint && expiresAt && pem ? { thumbprint, expiresAt: expiresAt.toISOString(), pem } : null);
  return {
    kind: row.credentialKind,
    secretRetiredAt: row.secretRetiredAt?.toISOString() ?? null,
    certificate: cert(row.certificateThumbprint, row.certificateExpiresAt, row.certificatePem),
    nextCertificate: cert(row.nextCertificateThumbprint, row.nextCertificateExpiresAt, row.nextCertificatePem),
    federation: { issuer, subject: federationSubject(row.id), audience: FEDERATION_AUDIENCE, issuerReachable: issuerReachableByEntra(issuer) },
  };
}
