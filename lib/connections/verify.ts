import "server-only";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { directoryConnections } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { SecretUnsealError } from "@/lib/crypto/seal";
import { providerForConnection } from "@/lib/directory/registry";
import type { VerificationResult } from "@/lib/directory/types";
import { asUser, requireConnectionAdmin } from "./access";
import { recordConnectionAudit, type ConnectionActor } from "./audit";
import { refreshCatalogQuietly } from "./create";
import { verifyStoredConnection } from "./graph-access";
import { summarizeVerification, verificationColumns, type ConnectionHealth, type VerificationSummary } from "./verification";
import type { ConnectionStatus } from "@/db/schema";

export interface ConnectionVerification {
  verification: VerificationSummary;
  health: ConnectionHealth;
  status: ConnectionStatus;
}

export function unreadableSecret(): VerificationResult {
  const diagnosis = {
    code: "secret_unreadable",
    title: "The stored client secret cannot be decrypted with this server's ENCRYPTION_KEY",
    fix: "Set ENCRYPTION_KEY_PREVIOUS to the key the secret was saved under (then run `npm run roster -- keys rotate`), or use “Rotate secret” to enter the secret again.",
  };
  return {
    ok: false,
    credentialsOk: false,
    graphHost: null,
    roles: [],
    diagnosis,
    checklist: [{ id: "secret", label: "Stored client secret readable", ok: false, ...diagnosis }],
  };
}

/**
 * Verifies a stored connection and records the outcome as its health. A draft that now passes becomes active:
 * it was a draft only because verification failed.
 */
export async function verifyConnectionAs(db: Executor, by: ConnectionActor, connectionId: string): Promise<ConnectionVerification> {
  const { row, organizations } = await requireConnectionAdmin(db, by, connectionId);
  let result: VerificationResult;
  try {
    result = await verifyStoredConnection(db, row);
  } catch (error) {
    if (!(error instanceof SecretUnsealError)) throw error;
    result = unreadableSecret();
  }
  const recorded = verificationColumns(result, row.status);
  const { health, status } = recorded;
  await db.transaction(async (tx) => {
    await tx
      .update(directoryConnections)
      .set({ ...recorded, updatedAt: new Date() })
      .where(eq(directoryConnections.id, row.id));
    await recordConnectionAudit(tx, by, "connection.verify", row.id, organizations.map((o) => o.id), {
      ok: result.ok,
      health,
      status,
      failed: result.checklist.filter((i) => !i.ok && !i.skipped).map((i) => i.code ?? i.id),
    });
  });
  // The catalog needs only Group.Read.All: a missing contacts or user permission should not freeze the group list.
  if (providerForConnection(row).canReadGroups(result)) await refreshCatalogQuietly(db, row.id);
  return { verification: summarizeVerification(result), health, status };
}

export function verifyConnection(db: Executor, actor: Actor | null, connectionId: string): Promise<ConnectionVerification> {
  return verifyConnectionAs(db, asUser(actor), connectionId);
}
