import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, gt, lt } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { pendingCredentials } from "@/db/schema";
import { requireActor, type Actor } from "@/lib/auth/actor";
import { requireAdminArea } from "@/lib/auth/admin-area";
import { sealSecret, unsealSecret } from "@/lib/crypto/seal";
import type { AssertionCredentialConfig } from "@/lib/directory/types";
import { invalidInput } from "@/lib/errors";
import { generateCertificate } from "@/lib/identity-keys/certificate";
import { federatedCredentialConfig } from "@/lib/identity-keys/federated-credential";
import { FEDERATION_AUDIENCE, federationSubject, issuerReachableByEntra, rosterIssuer } from "@/lib/identity-keys/issuer";
import { certificateKeyAad } from "./credential-config";
import { certificateValiditySchema, fieldsNeedAttention, validateWith } from "./validation";

/**
 * The wizard's credential before its connection exists. The federated credential's subject names the connection
 * (docs/adr/0009-certificate-and-federated-credentials.md, decision 2), and the admin must enter it in Azure before
 * verification can pass, so the connection's id is chosen here, by the server, and kept in `pending_credentials`
 * with the admin who asked. A certificate's key pair is made here too, its private key sealed at once under the AAD
 * of the connection it will belong to, so the save moves it as it is. The id is never taken from the browser
 * unchecked: an id Roster did not hand to this admin, or one already used, is refused, so no one can make a
 * connection whose subject an Azure app already trusts for someone else.
 */

/** How long a prepared credential waits for its save: the admin may need a colleague with Azure rights. */
export const PENDING_CREDENTIAL_DAYS = 7;
const DAY = 86_400_000;

type PendingRow = typeof pendingCredentials.$inferSelect;

export interface FederationValues {
  issuer: string;
  subject: string;
  audience: string;
  /** Entra fetches the issuer over HTTPS only (docs/adr/0009, decision 4). */
  issuerReachable: boolean;
}

export interface PreparedWizardCredential {
  pendingId: string;
  federation: FederationValues;
  /** Public facts only: the private key stays sealed in the database. */
  certificate: { thumbprint: string; expiresAt: string; pem: string } | null;
}

export function federationValuesFor(connectionId: string): FederationValues {
  const issuer = rosterIssuer();
  return { issuer, subject: federationSubject(connectionId), audience: FEDERATION_AUDIENCE, issuerReachable: issuerReachableByEntra(issuer) };
}

const EXPIRED = `These prepared values have expired (they are kept ${PENDING_CREDENTIAL_DAYS} days) or were already used. Choose the credential again: Roster shows new values, which Azure needs instead.`;

function preparedOf(row: PendingRow): PreparedWizardCredential {
  return {
    pendingId: row.id,
    federation: federationValuesFor(row.id),
    certificate:
      row.certificatePem && row.certificateThumbprint && row.certificateExpiresAt
        ? { thumbprint: row.certificateThumbprint, expiresAt: row.certificateExpiresAt.toISOString(), pem: row.certificatePem }
        : null,
  };
}

/** The admin's own prepared credential, still within its days; a refusal names the field the wizard shows it on. */
export async function loadPendingCredential(db: Executor, actor: Actor, pendingId: unknown, now = new Date()): Promise<PendingRow> {
  const field = { credentialKind: EXPIRED };
  if (typeof pendingId !== "string" || !/^[0-9a-f-]{36}$/i.test(pendingId)) throw invalidInput(EXPIRED, field);
  const [row] = await db
    .select()
    .from(pendingCredentials)
    .where(and(eq(pendingCredentials.id, pendingId.toLowerCase()), eq(pendingCredentials.createdBy, actor.userId), gt(pendingCredentials.createdAt, new Date(now.getTime() - PENDING_CREDENTIAL_DAYS * DAY))))
    .limit(1);
  if (!row) throw invalidInput(EXPIRED, field);
  return row;
}

/**
 * The wizard chose a federated credential or a certificate: the connection's future id (so the three federated
 * values can be shown) and, when asked, the certificate to download. Asking again with the same pending id returns
 * the same values; a certificate is made once per pending id unless `renew` asks for another.
 */
export async function prepareWizardCredential(
  db: Executor,
  actor: Actor | null,
  input: { pendingId?: unknown; certificate?: unknown; validDays?: unknown; renew?: unknown },
  now = new Date(),
): Promise<PreparedWizardCredential> {
  const a = requireActor(actor);
  requireAdminArea(a);
  await db.delete(pendingCredentials).where(lt(pendingCredentials.createdAt, new Date(now.getTime() - PENDING_CREDENTIAL_DAYS * DAY)));
  let row: PendingRow;
  if (input.pendingId === undefined || input.pendingId === null || input.pendingId === "") {
    [row] = await db.insert(pendingCredentials).values({ id: randomUUID(), createdBy: a.userId, createdAt: now }).returning();
  } else {
    row = await loadPendingCredential(db, a, input.pendingId, now);
  }
  if (input.certificate === true && (!row.certificatePem || input.renew === true)) {
    const validity = validateWith(certificateValiditySchema, input);
    if (!validity.ok) throw invalidInput(fieldsNeedAttention(validity.fields), validity.fields);
    const { validDays } = validity.value;
    const cert = await generateCertificate("Roster directory sync", validDays, now.getTime());
    const sealed = sealSecret(cert.privateKeyPem, certificateKeyAad(row.id, "current"));
    [row] = await db
      .update(pendingCredentials)
      .set({ certificatePem: cert.certificatePem, certificateKeySealed: sealed.sealed, certificateThumbprint: cert.thumbprint, certificateExpiresAt: cert.notAfter })
      .where(eq(pendingCredentials.id, row.id))
      .returning();
  }
  return preparedOf(row);
}

/** How the prepared credential signs in, for verification: the federated assertion, or the certificate's key unsealed into the credential. */
export function pendingCredentialConfig(db: Executor, row: PendingRow, kind: "federated" | "certificate"): AssertionCredentialConfig {
  if (kind === "federated") return federatedCredentialConfig(db, row.id);
  if (!row.certificatePem || !row.certificateKeySealed || !row.certificateThumbprint) {
    const message = "Create the certificate first, upload it in Azure, then verify.";
    throw invalidInput(message, { certificate: message });
  }
  return { kind: "certificate", certificatePem: row.certificatePem, privateKeyPem: unsealSecret(row.certificateKeySealed, certificateKeyAad(row.id, "current")), thumbprint: row.certificateThumbprint };
}

/**
 * Takes the prepared credential inside the save's transaction: deleted as it is read, so two saves of one
 * wizard cannot both create a connection with its id.
 */
export async function takePendingCredential(tx: Executor, actor: Actor, pendingId: string): Promise<PendingRow> {
  const [row] = await tx.delete(pendingCredentials).where(and(eq(pendingCredentials.id, pendingId), eq(pendingCredentials.createdBy, actor.userId))).returning();
  if (!row) throw invalidInput(EXPIRED, { credentialKind: EXPIRED });
  return row;
}
