import "server-only";
import { eq, isNotNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { directoryConnections, pendingCredentials } from "@/db/schema";
import { sealingKeysFromEnv, type SealingKeys } from "@/lib/crypto/keys";
import { connectionSecretAad, sealedKeyId, sealSecret, unsealSecret } from "@/lib/crypto/seal";
import { resealSigningKeys } from "@/lib/identity-keys/signing-keys";
import { certificateKeyAad } from "./credential-config";
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

export interface KeyResealReport {
  resealed: number;
  /** Certificate keys (current, next, or prepared for the wizard) and signing keys no configured key opens. */
  unreadable: string[];
}

/**
 * `keys rotate`, for the private keys: every certificate key (a connection's current and next slots, and the ones
 * prepared for the wizard) and every signing key, re-sealed under ENCRYPTION_KEY with the same associated data.
 * Without this, dropping ENCRYPTION_KEY_PREVIOUS would break every certificate and federated connection.
 */
export async function resealKeyMaterial(db: Executor, keys: SealingKeys = sealingKeysFromEnv()): Promise<KeyResealReport> {
  const report: KeyResealReport = { resealed: 0, unreadable: [] };
  const stale = (sealed: string | null) => sealed !== null && sealedKeyId(sealed) !== keys.current.id;
  const reseal = (sealed: string, aad: string) => sealSecret(unsealSecret(sealed, aad, keys), aad, keys).sealed;

  const connections = await db.select({ id: directoryConnections.id, current: directoryConnections.certificateKeySealed, next: directoryConnections.nextCertificateKeySealed }).from(directoryConnections);
  for (const c of connections.filter((r) => stale(r.current) || stale(r.next))) {
    const outcome = await db.transaction(async (tx) => {
      const [locked] = await tx.select().from(directoryConnections).where(eq(directoryConnections.id, c.id)).for("update");
      if (!locked) return 0;
      const set: { certificateKeySealed?: string; nextCertificateKeySealed?: string } = {};
      try {
        if (stale(locked.certificateKeySealed)) set.certificateKeySealed = reseal(locked.certificateKeySealed!, certificateKeyAad(locked.id, "current"));
        if (stale(locked.nextCertificateKeySealed)) set.nextCertificateKeySealed = reseal(locked.nextCertificateKeySealed!, certificateKeyAad(locked.id, "next"));
      } catch {
        return "unreadable" as const;
      }
      if (Object.keys(set).length) await tx.update(directoryConnections).set(set).where(eq(directoryConnections.id, locked.id));
      return Object.keys(set).length;
    });
    if (outcome === "unreadable") report.unreadable.push(`the certificate key of connection ${c.id}`);
    else report.resealed += outcome;
  }

  const pending = await db.select({ id: pendingCredentials.id, sealed: pendingCredentials.certificateKeySealed }).from(pendingCredentials);
  for (const p of pending.filter((r) => stale(r.sealed))) {
    try {
      await db.update(pendingCredentials).set({ certificateKeySealed: reseal(p.sealed!, certificateKeyAad(p.id, "current")) }).where(eq(pendingCredentials.id, p.id));
      report.resealed++;
    } catch {
      report.unreadable.push(`a certificate prepared in the wizard (${p.id})`);
    }
  }

  const signing = await resealSigningKeys(db, keys);
  report.resealed += signing.resealed;
  report.unreadable.push(...signing.unreadable.map((kid) => `signing key ${kid}`));
  return report;
}
