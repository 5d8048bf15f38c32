import "server-only";
import type { Executor } from "@/db/client";
import type { directoryConnections } from "@/db/schema";
import { connectionSecretAad, unsealSecret } from "@/lib/crypto/seal";
import type { CredentialContext } from "@/lib/directory/types";
import type { AssertionCredentialConfig } from "@/lib/directory/types";
import { federatedCredentialConfig } from "@/lib/identity-keys/federated-credential";
import { federationSubject, rosterIssuer } from "@/lib/identity-keys/issuer";

type ConnectionRow = typeof directoryConnections.$inferSelect;

export type CertificateSlot = "current" | "next";

/** The sealed certificate key is bound to its row and slot: a key copied to another row or slot fails to open. */
export function certificateKeyAad(connectionId: string, slot: CertificateSlot): string {
  return `roster/directory_connections/${connectionId}/${slot === "current" ? "certificate_key" : "next_certificate_key"}`;
}

/** A certificate credential from a row's slot, its private key unsealed only into the credential; null when the slot is empty. */
export function certificateCredentialOf(row: ConnectionRow, slot: CertificateSlot): AssertionCredentialConfig | null {
  const pem = slot === "current" ? row.certificatePem : row.nextCertificatePem;
  const sealed = slot === "current" ? row.certificateKeySealed : row.nextCertificateKeySealed;
  const thumbprint = slot === "current" ? row.certificateThumbprint : row.nextCertificateThumbprint;
  if (!pem || !sealed || !thumbprint) return null;
  return { kind: "certificate", certificatePem: pem, privateKeyPem: unsealSecret(sealed, certificateKeyAad(row.id, slot)), thumbprint };
}

/**
 * How a stored connection signs in, by its credential kind: the unsealed client secret, its certificate, or a
 * federated assertion from Roster's issuer. Callers authorize first and pass the result straight to openGraph.
 */
export function connectionCredential(db: Executor, row: ConnectionRow): { clientSecret: string; credential?: AssertionCredentialConfig } {
  if (row.credentialKind === "federated") return { clientSecret: "", credential: federatedCredentialConfig(db, row.id) };
  if (row.credentialKind === "certificate") {
    const credential = certificateCredentialOf(row, "current");
    if (!credential) throw new Error("This connection's certificate is missing: create a certificate on its page.");
    return { clientSecret: "", credential };
  }
  if (!row.secretSealed) throw new Error("This connection has no client secret: choose its credential on its page.");
  return { clientSecret: unsealSecret(row.secretSealed, connectionSecretAad(row.id)) };
}

/**
 * The public facts of how a stored connection signs in, for diagnoses of a refusal met during a sync: a
 * certificate connection refused with AADSTS700027 is told about its certificate's thumbprint, not to create a
 * new client secret. Nothing is unsealed.
 */
export function connectionCredentialContext(row: Pick<ConnectionRow, "id" | "credentialKind" | "certificateThumbprint">): CredentialContext {
  if (row.credentialKind === "federated") return { kind: "federated", issuer: rosterIssuer(), subject: federationSubject(row.id) };
  if (row.credentialKind === "certificate") return { kind: "certificate", thumbprint: row.certificateThumbprint ?? undefined };
  return { kind: "secret" };
}
