import "server-only";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { directoryConnections, type CredentialKind } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { sealSecret } from "@/lib/crypto/seal";
import type { AssertionCredentialConfig } from "@/lib/directory/types";
import { providerForConnection } from "@/lib/directory/registry";
import { invalidInput } from "@/lib/errors";
import { generateCertificate } from "@/lib/identity-keys/certificate";
import { federatedCredentialConfig } from "@/lib/identity-keys/federated-credential";
import { asUser, requireAdminOfEveryServed, requireConnectionAdmin, type ConnectionRow } from "./access";
import { recordConnectionAudit, type ConnectionActor } from "./audit";
import { refreshCatalogQuietly } from "./create";
import { certificateCredentialOf, certificateKeyAad } from "./credential-config";
import { certificateValiditySchema, fieldsNeedAttention, switchTargetSchema, validateWith } from "./validation";
import { summarizeVerification, verificationColumns, type VerificationSummary } from "./verification";


export interface PreparedCertificate {
  thumbprint: string;
  expiresAt: string;
  certificatePem: string;
}

/**
 * Makes the connection's next certificate: a new key pair, sealed at once, and its self-signed certificate in the
 * `next` slot. Nothing signs in with it yet: the admin uploads it in Azure, then `switchCredential` verifies it
 * before it replaces anything, so the current credential keeps syncing meanwhile. Only public parts are returned.
 */
export async function prepareCertificate(db: Executor, actor: Actor | ConnectionActor | null, input: { connectionId: string; validDays?: unknown }): Promise<PreparedCertificate> {
  const by = toBy(actor);
  const loaded = await requireConnectionAdmin(db, by, input.connectionId);
  requireAdminOfEveryServed(by, loaded, "change its credential");
  const validity = validateWith(certificateValiditySchema, input);
  if (!validity.ok) throw invalidInput(fieldsNeedAttention(validity.fields), validity.fields);
  const { validDays } = validity.value;
  const { row, organizations } = loaded;
  const cert = await generateCertificate(`Roster ${row.name}`.slice(0, 60), validDays);
  const sealed = sealSecret(cert.privateKeyPem, certificateKeyAad(row.id, "next"));
  await db.transaction(async (tx) => {
    await tx
      .update(directoryConnections)
      .set({
        nextCertificatePem: cert.certificatePem,
        nextCertificateKeySealed: sealed.sealed,
        nextCertificateThumbprint: cert.thumbprint,
        nextCertificateExpiresAt: cert.notAfter,
        updatedAt: new Date(),
      })
      .where(eq(directoryConnections.id, row.id));
    await recordConnectionAudit(tx, by, "connection.prepare_certificate", row.id, organizations.map((o) => o.id), { thumbprint: cert.thumbprint, expiresAt: cert.notAfter.toISOString() });
  });
  return { thumbprint: cert.thumbprint, expiresAt: cert.notAfter.toISOString(), certificatePem: cert.certificatePem };
}

export type SwitchCredentialResult =
  | { switched: true; kind: CredentialKind; previousKind: CredentialKind; secretCanBeDeleted: boolean; retiredThumbprint: string | null; verification: VerificationSummary }
  | { switched: false; verification: VerificationSummary };

function toBy(actor: Actor | ConnectionActor | null): ConnectionActor {
  return actor && "kind" in actor && (actor.kind === "operator" || actor.kind === "user") ? actor : asUser(actor as Actor | null);
}

function candidateOf(db: Executor, row: ConnectionRow, to: "certificate" | "federated"): AssertionCredentialConfig {
  if (to === "federated") return federatedCredentialConfig(db, row.id);
  const next = certificateCredentialOf(row, "next");
  if (!next) throw invalidInput("Create a certificate first, then upload it in Azure.", { certificate: "Create a certificate first, then upload it in Azure." });
  return next;
}

/**
 * Moves a connection to a certificate (the prepared `next` one) or to federation, without downtime: the new
 * credential must sign in and pass verification first; until it does, nothing changes and syncs keep using the
 * current credential. Switching away from the secret records when, so the page can say it may be deleted in
 * Azure; a certificate rotated out is named so the admin can remove it there.
 */
export async function switchCredential(db: Executor, actor: Actor | ConnectionActor | null, input: { connectionId: string; to: unknown }): Promise<SwitchCredentialResult> {
  const by = toBy(actor);
  const target = validateWith(switchTargetSchema, input);
  if (!target.ok) throw invalidInput(target.fields.to, { credentialKind: target.fields.to });
  const { to } = target.value;
  const loaded = await requireConnectionAdmin(db, by, input.connectionId);
  requireAdminOfEveryServed(by, loaded, "change its credential");
  const { row, organizations } = loaded;
  const credential = candidateOf(db, row, to);
  const result = await providerForConnection(row).verify(
    { tenantId: row.tenantId, clientId: row.clientId, cloud: row.cloud, graphHost: row.msgraphHost, clientSecret: "", credential },
    { groupObjectIds: row.groupObjectIds, syncContacts: row.syncContacts },
  );
  const verification = summarizeVerification(result);
  if (!result.credentialsOk) return { switched: false, verification };

  const now = new Date();
  const retiredThumbprint = to === "certificate" && row.certificateThumbprint ? row.certificateThumbprint : null;
  await db.transaction(async (tx) => {
    await tx
      .update(directoryConnections)
      .set({
        credentialKind: to,
        ...(to === "certificate"
          ? {
              certificatePem: row.nextCertificatePem,
              certificateKeySealed: sealSecret(credential.kind === "certificate" ? credential.privateKeyPem : "", certificateKeyAad(row.id, "current")).sealed,
              certificateThumbprint: row.nextCertificateThumbprint,
              certificateExpiresAt: row.nextCertificateExpiresAt,
              nextCertificatePem: null,
              nextCertificateKeySealed: null,
              nextCertificateThumbprint: null,
              nextCertificateExpiresAt: null,
            }
          : {}),
        secretRetiredAt: row.credentialKind === "secret" ? now : row.secretRetiredAt,
        ...verificationColumns(result, row.status),
        updatedAt: now,
      })
      .where(eq(directoryConnections.id, row.id));
    await recordConnectionAudit(tx, by, "connection.switch_credential", row.id, organizations.map((o) => o.id), {
      from: row.credentialKind,
      to,
      thumbprint: to === "certificate" ? row.nextCertificateThumbprint : null,
      retiredThumbprint,
      secretRetired: row.credentialKind === "secret",
    });
  });
  if (result.ok) await refreshCatalogQuietly(db, row.id);
  return { switched: true, kind: to, previousKind: row.credentialKind, secretCanBeDeleted: row.credentialKind === "secret" || row.secretRetiredAt !== null, retiredThumbprint, verification };
}
