import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { connectionOrganizations, directoryConnections } from "@/db/schema";
import { roleIn, type Actor } from "@/lib/auth/actor";
import { forbidden, invalidInput } from "@/lib/errors";
import { asUser, requireAdminOfAll, requireConnectionAdmin } from "./access";
import { recordConnectionAudit } from "./audit";
import { fieldsNeedAttention, validateOptions, validateOwner } from "./validation";
import { verifyConnectionAs, type ConnectionVerification } from "./verify";

export interface UpdateOptionsResult {
  changed: string[];
  /** Present when a change needed re-verification (cloud, groups, contacts). */
  verification?: ConnectionVerification;
}

/**
 * Edits the guide's optional fields, the setup owner, the name and the organizations served. An admin may add
 * or remove only organizations they administer. Changes that verification covers are re-verified at once.
 */
export async function updateConnectionOptions(
  db: Executor,
  actor: Actor | null,
  input: Record<string, unknown> & { connectionId: string },
): Promise<UpdateOptionsResult> {
  const by = asUser(actor);
  const a = by.kind === "user" ? by.actor : null;
  const { row, organizations } = await requireConnectionAdmin(db, by, input.connectionId);
  const options = validateOptions(input);
  const owner = validateOwner(input);
  const fields = { ...(options.ok ? {} : options.fields), ...(owner.ok ? {} : owner.fields) };
  if (!options.ok || !owner.ok) throw invalidInput(fieldsNeedAttention(fields), fields);

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

  const next = { ...options.value, name: owner.value.name, ownerName: owner.value.ownerName, ownerEmail: owner.value.ownerEmail };
  const before: Record<string, unknown> = {
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
  if (added.length || removed.length) changed.push("organizations");
  if (changed.length === 0) return { changed };

  await db.transaction(async (tx) => {
    await tx
      .update(directoryConnections)
      .set({ ...next, updatedAt: new Date() })
      .where(eq(directoryConnections.id, row.id));
    if (removed.length) {
      await tx
        .delete(connectionOrganizations)
        .where(and(eq(connectionOrganizations.connectionId, row.id), inArray(connectionOrganizations.organizationId, removed)));
    }
    if (added.length) await tx.insert(connectionOrganizations).values(added.map((organizationId) => ({ connectionId: row.id, organizationId })));
    const details: Record<string, unknown> = {};
    for (const key of changed) {
      details[key] = key === "organizations" ? { added, removed } : { from: before[key], to: next[key as keyof typeof next] };
    }
    await recordConnectionAudit(tx, by, "connection.update", row.id, [...new Set([...current, ...wanted])], details);
  });

  const needsVerification = changed.some((k) => k === "cloud" || k === "groupObjectIds" || k === "syncContacts");
  return { changed, verification: needsVerification ? await verifyConnectionAs(db, by, row.id) : undefined };
}
