import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { connectionOrganizations, directoryConnections } from "@/db/schema";
import { roleIn, type Actor } from "@/lib/auth/actor";
import { SecretUnsealError } from "@/lib/crypto/seal";
import { forbidden, invalidInput } from "@/lib/errors";
import { providerForConnection } from "@/lib/directory/registry";
import type { VerificationResult } from "@/lib/directory/types";
import { markUnservedSources } from "@/lib/sync/access";
import { asUser, requireAdminOfAll, requireAdminOfEveryServed, requireConnectionAdmin } from "./access";
import { recordConnectionAudit } from "./audit";
import { checkIdentity, refreshCatalogQuietly } from "./create";
import { verifyStoredConnection } from "./graph-access";
import { fieldsNeedAttention, validateAppIds, validateOptions, validateOwner } from "./validation";
import { healthOf, summarizeVerification, verificationColumns } from "./verification";
import { unreadableSecret, type ConnectionVerification } from "./verify";

export interface UpdateOptionsResult {
  changed: string[];
  /** False when nothing changed, or when the change failed verification and was not confirmed. */
  saved: boolean;
  /** Present when a change needed verification (IDs, cloud, groups, contacts, fallback): the new settings' check. */
  verification?: ConnectionVerification;
  /** Not saved because verification failed: what saving anyway would do, for the confirmation to name. */
  consequence?: { text: string; confirmLabel: string };
}

/** Changes that verification covers: they are checked with the stored secret before anything is written. */
const VERIFIED = new Set(["tenantId", "clientId", "cloud", "groupObjectIds", "syncContacts", "useUsernameFallback"]);

function consequenceOf(result: VerificationResult, status: "draft" | "active"): NonNullable<UpdateOptionsResult["consequence"]> {
  if (status === "draft") return { text: "Saving anyway keeps this connection a draft.", confirmLabel: "Save anyway as a draft" };
  if (!result.credentialsOk) {
    return {
      text: "Saving anyway breaks this connection: every sync of its groups fails until the setting is put back.",
      confirmLabel: "Save anyway and break the connection",
    };
  }
  return { text: "Saving anyway leaves this connection needing attention.", confirmLabel: "Save anyway: needs attention" };
}

/**
 * Edits the guide's optional fields, the setup owner, the name and the organizations served, and on a draft
 * the app's IDs. An admin may add or remove only organizations they administer. A change that verification
 * covers is verified first, with the stored secret, the way the wizard verifies: one that fails is not saved
 * unless the admin confirms, having been told what it will do (a healthy connection must not break quietly).
 */
export async function updateConnectionOptions(
  db: Executor,
  actor: Actor | null,
  input: Record<string, unknown> & { connectionId: string; confirm?: boolean },
): Promise<UpdateOptionsResult> {
  const by = asUser(actor);
  const a = by.kind === "user" ? by.actor : null;
  const loaded = await requireConnectionAdmin(db, by, input.connectionId);
  const { row, organizations } = loaded;
  const options = validateOptions(input);
  const owner = validateOwner(input);
  const idsGiven = input.clientId !== undefined || input.tenantId !== undefined;
  const ids = validateAppIds({ clientId: input.clientId ?? row.clientId, tenantId: input.tenantId ?? row.tenantId });
  const fields = { ...(options.ok ? {} : options.fields), ...(owner.ok ? {} : owner.fields), ...(ids.ok ? {} : ids.fields) };
  if (!options.ok || !owner.ok || !ids.ok) throw invalidInput(fieldsNeedAttention(fields), fields);

  let appIds = { tenantId: row.tenantId, clientId: row.clientId };
  if (idsGiven && (ids.value.clientId !== row.clientId || ids.value.tenantId !== row.tenantId)) {
    if (row.status !== "draft") {
      const message = "The IDs of an active connection cannot change: its groups belong to that app and directory. Create a new connection instead.";
      throw invalidInput(message, { [ids.value.clientId !== row.clientId ? "clientId" : "tenantId"]: message });
    }
    const identity = a ? await checkIdentity(db, a, ids.value, options.value.cloud, row.id) : { tenantId: ids.value.tenantId };
    if ("refused" in identity) {
      return { changed: [], saved: false, verification: { verification: identity.refused, health: row.health === "unknown" ? "failing" : row.health, status: row.status } };
    }
    appIds = { clientId: ids.value.clientId, tenantId: identity.tenantId };
  }

  const current = new Set(organizations.map((o) => o.id));
  const wanted = new Set(owner.value.organizationIds);
  const added = [...wanted].filter((id) => !current.has(id));
  const removed = [...current].filter((id) => !wanted.has(id));
  if (a) {
    requireAdminOfAll(a, added);
    for (const id of removed) {
      if (roleIn(a, id) !== "admin") throw forbidden("Only an admin of an organization can stop serving it.");
    }
  }

  const next = { ...options.value, ...appIds, name: owner.value.name, ownerName: owner.value.ownerName, ownerEmail: owner.value.ownerEmail };
  const before: Record<string, unknown> = {
    tenantId: row.tenantId,
    clientId: row.clientId,
    groupObjectIds: row.groupObjectIds,
    cloud: row.cloud,
    useUsernameFallback: row.useUsernameFallback,
    syncContacts: row.syncContacts,
    cadence: row.cadence,
    name: row.name,
    ownerName: row.ownerName,
    ownerEmail: row.ownerEmail,
  };
  const changed = Object.keys(before).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k as keyof typeof next]));
  // Anything but the organizations served reaches every organization: an admin of each must make it. Adding
  // or removing one's own organizations stays open to each admin.
  if (changed.length > 0) requireAdminOfEveryServed(by, loaded, "change its settings");
  if (added.length || removed.length) changed.push("organizations");
  if (changed.length === 0) return { changed, saved: false };

  let result: VerificationResult | null = null;
  if (changed.some((k) => VERIFIED.has(k))) {
    try {
      result = await verifyStoredConnection(db, { ...row, ...next });
    } catch (error) {
      if (!(error instanceof SecretUnsealError)) throw error;
      result = unreadableSecret();
    }
  }
  const recorded = result ? verificationColumns(result, row.status) : null;
  const verification = result && recorded ? { verification: summarizeVerification(result), health: recorded.health, status: recorded.status } : undefined;
  if (result && !result.ok && input.confirm !== true) return { changed, saved: false, verification, consequence: consequenceOf(result, row.status) };

  await db.transaction(async (tx) => {
    await tx
      .update(directoryConnections)
      .set({ ...next, ...(recorded ?? {}), updatedAt: new Date() })
      .where(eq(directoryConnections.id, row.id));
    if (removed.length) {
      await tx
        .delete(connectionOrganizations)
        .where(and(eq(connectionOrganizations.connectionId, row.id), inArray(connectionOrganizations.organizationId, removed)));
    }
    if (added.length) await tx.insert(connectionOrganizations).values(added.map((organizationId) => ({ connectionId: row.id, organizationId })));
    // The organizations no longer served see it at once on their groups (and their queued syncs stop).
    if (removed.length) await markUnservedSources(tx, row.id);
    const details: Record<string, unknown> = {};
    for (const key of changed) {
      details[key] = key === "organizations" ? { added, removed } : { from: before[key], to: next[key as keyof typeof next] };
    }
    if (result) details.verification = { ok: result.ok, health: healthOf(result), confirmed: !result.ok };
    await recordConnectionAudit(tx, by, "connection.update", row.id, [...new Set([...current, ...wanted])], details);
  });

  if (result && providerForConnection(row).canReadGroups(result)) await refreshCatalogQuietly(db, row.id);
  return { changed, saved: true, verification };
}
