import "server-only";
import { eq, isNotNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { directoryConnections } from "@/db/schema";
import { sealingKeysFromEnv, type SealingKeys } from "@/lib/crypto/keys";
import { connectionSecretAad, sealSecret, unsealSecret } from "@/lib/crypto/seal";
import { recordConnectionAudit, type ConnectionActor } from "./audit";
import { organizationsOf } from "./access";

export interface ResealReport {
  resealed: number;
  alreadyCurrent: number;
  /** Connections whose secret no configured key opens (they need "Rotate secret"). */
  unreadable: { id: string; name: string; keyId: string | null }[];
}

/**
 * `keys rotate`: re-seals every client secret under ENCRYPTION_KEY, so that ENCRYPTION_KEY_PREVIOUS can be
 * dropped afterwards. Each connection is re-sealed in its own short transaction (row-locked, re-read), so a
 * concurrent rotation of the same secret cannot be overwritten with the old value.
 */
export async function resealConnectionSecrets(db: Executor, by: ConnectionActor, keys: SealingKeys = sealingKeysFromEnv()): Promise<ResealReport> {
  const rows = await db
    .select({ id: directoryConnections.id, name: directoryConnections.name, keyId: directoryConnections.secretKeyId })
    .from(directoryConnections)
    // A connection made with a certificate or a federated credential has no secret to re-seal.
    .where(isNotNull(directoryConnections.secretSealed));
  const report: ResealReport = { resealed: 0, alreadyCurrent: 0, unreadable: [] };
  const orgs = await organizationsOf(db, rows.map((r) => r.id));
  for (const row of rows) {
    if (row.keyId === keys.current.id) {
      report.alreadyCurrent++;
      continue;
    }
    const outcome = await db.transaction(async (tx) => {
      const [locked] = await tx.select().from(directoryConnections).where(eq(directoryConnections.id, row.id)).for("update");
      if (!locked || !locked.secretSealed) return "gone" as const;
      if (locked.secretKeyId === keys.current.id) return "current" as const;
      let value: string;
      try {
        value = unsealSecret(locked.secretSealed, connectionSecretAad(locked.id), keys);
      } catch {
        return "unreadable" as const;
      }
      const sealed = sealSecret(value, connectionSecretAad(locked.id), keys);
      await tx
        .update(directoryConnections)
        .set({ secretSealed: sealed.sealed, secretKeyId: sealed.keyId, updatedAt: new Date() })
        .where(eq(directoryConnections.id, locked.id));
      await recordConnectionAudit(tx, by, "connection.reseal", locked.id, (orgs.get(locked.id) ?? []).map((o) => o.id), {
        fromKeyId: locked.secretKeyId,
        toKeyId: sealed.keyId,
      });
      return "resealed" as const;
    });
    if (outcome === "resealed") report.resealed++;
    else if (outcome === "current") report.alreadyCurrent++;
    else if (outcome === "unreadable") report.unreadable.push({ id: row.id, name: row.name, keyId: row.keyId });
  }
  return report;
}
