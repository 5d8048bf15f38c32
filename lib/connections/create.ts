import "server-only";
import { randomUUID } from "node:crypto";
import type { Executor } from "@/db/client";
import { connectionOrganizations, directoryConnections } from "@/db/schema";
import { requireActor, type Actor } from "@/lib/auth/actor";
import { requireAdminArea } from "@/lib/auth/admin-area";
import { connectionSecretAad, sealSecret } from "@/lib/crypto/seal";
import { invalidInput } from "@/lib/errors";
import { verifyDirectoryAccess } from "@/lib/directory/entra/verify";
import { logError } from "@/lib/log";
import { refreshCatalog } from "@/lib/connections/catalog";
import { requireAdminOfAll } from "./access";
import { recordConnectionAudit } from "./audit";
import { findSameAppConnection, resolveTenantId, sameAppMessage } from "./identity";
import { fieldsNeedAttention, validateAppIds, validateConnectionForm, validateOptions, validateSecret, type ConnectionFormValue } from "./validation";
import { summarizeVerification, verificationColumns, type VerificationSummary } from "./verification";
import type { ConnectionStatus } from "@/db/schema";

export type CreateConnectionResult =
  | { saved: true; connectionId: string; status: ConnectionStatus; verification: VerificationSummary }
  | { saved: false; verification: VerificationSummary };

/** Azure shows the first three characters of a secret's value as its hint; so does Roster. */
export function secretHintOf(value: string): string {
  return `${value.slice(0, 3)}${"•".repeat(5)}`;
}

function verifyForm(value: Pick<ConnectionFormValue, "tenantId" | "clientId" | "cloud" | "secretValue" | "secretId" | "secretExpiresOn" | "groupObjectIds" | "syncContacts">) {
  return verifyDirectoryAccess(
    { tenantId: value.tenantId, clientId: value.clientId, clientSecret: value.secretValue, cloud: value.cloud },
    { groupObjectIds: value.groupObjectIds, syncContacts: value.syncContacts, secretExpiresOn: value.secretExpiresOn, secretId: value.secretId },
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
  const secret = validateSecret(raw);
  const options = validateOptions(raw);
  for (const r of [ids, secret, options]) if (!r.ok) Object.assign(fields, r.fields);
  if (!ids.ok || !secret.ok || !options.ok) throw invalidInput(fieldsNeedAttention(fields), fields);
  const identity = await checkIdentity(db, a, ids.value, options.value.cloud);
  if ("refused" in identity) return identity.refused;
  return { ...summarizeVerification(await verifyForm({ ...ids.value, ...secret.value, ...options.value, tenantId: identity.tenantId })), tenantId: identity.tenantId };
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
  requireAdminOfAll(a, value.organizationIds);
  const identity = await checkIdentity(db, a, value, value.cloud);
  if ("refused" in identity) return { saved: false, verification: identity.refused };
  value.tenantId = identity.tenantId;

  const result = await verifyForm(value);
  const verification = { ...summarizeVerification(result), tenantId: value.tenantId };
  if (!result.ok && raw.saveAsDraft !== true) return { saved: false, verification };

  const connectionId = randomUUID();
  const status = result.ok ? "active" : "draft";
  const sealed = sealSecret(value.secretValue, connectionSecretAad(connectionId));
  await db.transaction(async (tx) => {
    await tx.insert(directoryConnections).values({
      id: connectionId,
      name: value.name,
      tenantId: value.tenantId,
      clientId: value.clientId,
      cloud: value.cloud,
      secretId: value.secretId,
      secretHint: secretHintOf(value.secretValue),
      secretSealed: sealed.sealed,
      secretKeyId: sealed.keyId,
      secretExpiresOn: value.secretExpiresOn,
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
      secretId: value.secretId,
      secretExpiresOn: value.secretExpiresOn,
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

/** A catalog refresh after save or verify: its failure must not undo what was saved; it shows on the page instead. */
export async function refreshCatalogQuietly(db: Executor, connectionId: string): Promise<void> {
  try {
    await refreshCatalog(db, connectionId);
  } catch (error) {
    logError(`group catalog refresh for connection ${connectionId} failed`, error);
  }
}
