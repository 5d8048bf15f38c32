import "server-only";
import { randomUUID } from "node:crypto";
import type { Executor } from "@/db/client";
import { connectionOrganizations, directoryConnections } from "@/db/schema";
import { requireActor, type Actor } from "@/lib/auth/actor";
import { requireAdminArea } from "@/lib/auth/admin-area";
import { connectionSecretAad, sealSecret } from "@/lib/crypto/seal";
import { invalidInput } from "@/lib/errors";
import { providerForConnection } from "@/lib/directory/registry";
import { logError } from "@/lib/log";
import { refreshCatalog } from "@/lib/connections/catalog";
import { requireAdminOfAll } from "./access";
import { recordConnectionAudit } from "./audit";
import { findSameAppConnection, resolveTenantId, sameAppMessage } from "./identity";
import { loadPendingCredential, pendingCredentialConfig, takePendingCredential } from "./pending-credential";
import { fieldsNeedAttention, validateAppIds, validateConnectionForm, validateCredentialChoice, validateOptions, type ConnectionFormValue, type CredentialChoice, type SecretValue, type Validated } from "./validation";
import { summarizeVerification, verificationColumns, type VerificationSummary } from "./verification";
import type { ConnectionStatus } from "@/db/schema";

export type CreateConnectionResult =
  | { saved: true; connectionId: string; status: ConnectionStatus; verification: VerificationSummary }
  | { saved: false; verification: VerificationSummary };

/** Azure shows the first three characters of a secret's value as its hint; so does Roster. */
export function secretHintOf(value: string): string {
  return `${value.slice(0, 3)}${"•".repeat(5)}`;
}

/** The wizard's choice: a client secret as typed, or a credential prepared for this connection (pending-credential.ts). */
export type WizardCredential =
  | { kind: "secret"; secret: SecretValue }
  | { kind: "certificate" | "federated"; pending: Awaited<ReturnType<typeof loadPendingCredential>> };

/** The chosen credential with its prepared part loaded: only the admin's own, unexpired, unused one. */
async function loadCredential(db: Executor, actor: Actor, choice: CredentialChoice): Promise<Validated<WizardCredential>> {
  if (choice.kind === "secret") return { ok: true, value: choice };
  const pending = await loadPendingCredential(db, actor, choice.pendingId);
  if (choice.kind === "certificate" && !pending.certificatePem) {
    return { ok: false, fields: { certificate: "Create the certificate first, upload it in Azure, then verify." } };
  }
  return { ok: true, value: { kind: choice.kind, pending } };
}

function verifyForm(db: Executor, value: Pick<ConnectionFormValue, "tenantId" | "clientId" | "cloud" | "groupObjectIds" | "syncContacts">, credential: WizardCredential) {
  const target = { groupObjectIds: value.groupObjectIds, syncContacts: value.syncContacts };
  // A new connection is of the column's default provider: the wizard makes Entra connections, the only kind.
  const provider = providerForConnection(null);
  if (credential.kind === "secret") {
    return provider.verify(
      { tenantId: value.tenantId, clientId: value.clientId, clientSecret: credential.secret.secretValue, cloud: value.cloud },
      { ...target, secretExpiresOn: credential.secret.secretExpiresOn, secretId: credential.secret.secretId },
    );
  }
  return provider.verify(
    { tenantId: value.tenantId, clientId: value.clientId, clientSecret: "", cloud: value.cloud, credential: pendingCredentialConfig(db, credential.pending, credential.kind) },
    target,
  );
}

/**
 * The wizard's "Verify connection": checks what was typed against Entra ID and Graph without saving anything.
 * Admins only: it makes outbound calls with whatever credentials it is given.
 */
export async function verifyConnectionDraft(db: Executor, actor: Actor | null, raw: Record<string, unknown>): Promise<VerificationSummary> {
  const a = requireActor(actor);
  requireAdminArea(a);
  const fields: Record<string, string> = {};
  const ids = validateAppIds(raw);
  const choice = validateCredentialChoice(raw);
  const credential = choice.ok ? await loadCredential(db, a, choice.value) : choice;
  const options = validateOptions(raw);
  for (const r of [ids, credential, options]) if (!r.ok) Object.assign(fields, r.fields);
  if (!ids.ok || !credential.ok || !options.ok) throw invalidInput(fieldsNeedAttention(fields), fields);
  const identity = await checkIdentity(db, a, ids.value, options.value.cloud);
  if ("refused" in identity) return identity.refused;
  return { ...summarizeVerification(await verifyForm(db, { ...ids.value, ...options.value, tenantId: identity.tenantId }, credential.value)), tenantId: identity.tenantId };
}

/**
 * The tenant as its GUID (a verified domain resolved), and no second connection for the same tenant and app.
 * An unresolvable domain is a field error; a duplicate is answered instead of a checklist, with the existing one.
 */
export async function checkIdentity(
  db: Executor,
  actor: Actor,
  ids: { tenantId: string; clientId: string },
  cloud: "global" | "usgov",
  exceptId?: string,
): Promise<{ tenantId: string } | { refused: VerificationSummary }> {
  const resolved = await resolveTenantId(ids.tenantId, cloud);
  if (!resolved.ok) throw invalidInput(resolved.error, { tenantId: resolved.error });
  const existing = await findSameAppConnection(db, actor, { clientId: ids.clientId, tenantId: resolved.tenantId }, exceptId);
  if (!existing) return { tenantId: resolved.tenantId };
  return { refused: { ok: false, checklist: [], roles: [], fields: { clientId: sameAppMessage(existing) }, tenantId: resolved.tenantId, existing } };
}

/**
 * Saves a connection from the wizard. It is verified first, on the server, whatever the browser claims; one
 * that fails verification is saved only when the admin asks for a draft, and stays marked as such.
 */
export async function createConnection(
  db: Executor,
  actor: Actor | null,
  raw: Record<string, unknown> & { saveAsDraft?: boolean },
): Promise<CreateConnectionResult> {
  const a = requireActor(actor);
  requireAdminArea(a);
  const form = validateConnectionForm(raw);
  if (!form.ok) throw invalidInput(fieldsNeedAttention(form.fields), form.fields);
  const value = form.value;
  const chosen = await loadCredential(db, a, value.credential);
  if (!chosen.ok) throw invalidInput(fieldsNeedAttention(chosen.fields), chosen.fields);
  const credential = chosen.value;
  requireAdminOfAll(a, value.organizationIds);
  const identity = await checkIdentity(db, a, value, value.cloud);
  if ("refused" in identity) return { saved: false, verification: identity.refused };
  value.tenantId = identity.tenantId;

  const result = await verifyForm(db, value, credential);
  const verification = { ...summarizeVerification(result), tenantId: value.tenantId };
  if (!result.ok && raw.saveAsDraft !== true) return { saved: false, verification };

  // A prepared credential's id is the connection's: the federated subject and the sealed key's AAD name it.
  const connectionId = credential.kind === "secret" ? randomUUID() : credential.pending.id;
  const status = result.ok ? "active" : "draft";
  await db.transaction(async (tx) => {
    const material = credential.kind === "secret" ? secretColumns(connectionId, credential.secret) : credentialColumns(credential.kind, await takePendingCredential(tx, a, connectionId));
    await tx.insert(directoryConnections).values({
      id: connectionId,
      name: value.name,
      tenantId: value.tenantId,
      clientId: value.clientId,
      cloud: value.cloud,
      ...material,
      groupObjectIds: value.groupObjectIds,
      useUsernameFallback: value.useUsernameFallback,
      syncContacts: value.syncContacts,
      cadence: value.cadence,
      ownerName: value.ownerName,
      ownerEmail: value.ownerEmail,
      ...verificationColumns(result, status),
      createdBy: a.userId,
    });
    await tx.insert(connectionOrganizations).values(value.organizationIds.map((organizationId) => ({ connectionId, organizationId })));
    await recordConnectionAudit(tx, { kind: "user", actor: a }, "connection.create", connectionId, value.organizationIds, {
      name: value.name,
      tenantId: value.tenantId,
      clientId: value.clientId,
      cloud: value.cloud,
      credentialKind: credential.kind,
      ...(credential.kind === "secret" ? { secretId: credential.secret.secretId, secretExpiresOn: credential.secret.secretExpiresOn } : {}),
      ...(credential.kind === "certificate" ? { thumbprint: "certificateThumbprint" in material ? material.certificateThumbprint : null } : {}),
      groupObjectIds: value.groupObjectIds,
      useUsernameFallback: value.useUsernameFallback,
      syncContacts: value.syncContacts,
      cadence: value.cadence,
      status,
      verified: result.ok,
    });
  });
  if (result.ok) await refreshCatalogQuietly(db, connectionId);
  return { saved: true, connectionId, status, verification };
}

function secretColumns(connectionId: string, secret: SecretValue) {
  const sealed = sealSecret(secret.secretValue, connectionSecretAad(connectionId));
  return {
    credentialKind: "secret" as const,
    secretId: secret.secretId,
    secretHint: secretHintOf(secret.secretValue),
    secretSealed: sealed.sealed,
    secretKeyId: sealed.keyId,
    secretExpiresOn: secret.secretExpiresOn,
  };
}

/** A prepared credential's columns: nothing for federation; for a certificate, its sealed key as sealed for this id. */
function credentialColumns(kind: "certificate" | "federated", pending: Awaited<ReturnType<typeof takePendingCredential>>) {
  if (kind === "federated") return { credentialKind: kind };
  return {
    credentialKind: kind,
    certificatePem: pending.certificatePem,
    certificateKeySealed: pending.certificateKeySealed,
    certificateThumbprint: pending.certificateThumbprint,
    certificateExpiresAt: pending.certificateExpiresAt,
  };
}

/** A catalog refresh after save or verify: its failure must not undo what was saved; it shows on the page instead. */
export async function refreshCatalogQuietly(db: Executor, connectionId: string): Promise<void> {
  try {
    await refreshCatalog(db, connectionId);
  } catch (error) {
    logError(`group catalog refresh for connection ${connectionId} failed`, error);
  }
}
