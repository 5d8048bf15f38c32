import "server-only";
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { and, eq, isNotNull, isNull, lt, or, gt } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { rosterSigningKeys } from "@/db/schema";
import type { SealingKeys } from "@/lib/crypto/keys";
import { sealSecret, unsealSecret } from "@/lib/crypto/seal";
import { jwksAt, signingKeyAt, type ScheduledKey } from "./key-schedule";

/**
 * Roster's OIDC signing keys, stored in the database so every process signs with the same key and publishes the
 * same JWKS. The private key is sealed like a client secret (lib/crypto), bound to its kid; it is unsealed only
 * to sign, inside this module, and never returned, logged or printed.
 */

/** After a newer key starts signing, an older one stays in the JWKS this long (assertions live minutes). */
export const SIGNING_KEY_OVERLAP_MS = 24 * 3_600_000;

const aadOf = (kid: string) => `roster-signing-key:${kid}`;

function newKey(signsFrom: Date) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomBytes(16).toString("base64url");
  const sealed = sealSecret(privateKey.export({ type: "pkcs8", format: "pem" }).toString(), aadOf(kid));
  const jwk = publicKey.export({ format: "jwk" });
  return { kid, privateKeySealed: sealed.sealed, sealingKeyId: sealed.keyId, publicJwk: { kty: jwk.kty, n: jwk.n, e: jwk.e }, signsFrom };
}

async function scheduled(db: Executor): Promise<ScheduledKey[]> {
  return db.select({ kid: rosterSigningKeys.kid, publicJwk: rosterSigningKeys.publicJwk, signsFrom: rosterSigningKeys.signsFrom, retireAt: rosterSigningKeys.retireAt }).from(rosterSigningKeys);
}

/** The first key, made on first use. */
export async function ensureSigningKey(db: Executor, now = Date.now()): Promise<void> {
  const live = await db.select({ kid: rosterSigningKeys.kid }).from(rosterSigningKeys).where(or(isNull(rosterSigningKeys.retireAt), gt(rosterSigningKeys.retireAt, new Date(now)))).limit(1);
  if (live.length === 0) await db.insert(rosterSigningKeys).values(newKey(new Date(now))).onConflictDoNothing();
}

export async function publishedJwks(db: Executor, now = Date.now()) {
  await ensureSigningKey(db, now);
  return jwksAt(await scheduled(db), now);
}

export interface SigningKeyStatus {
  kid: string;
  signsFrom: Date;
  retireAt: Date | null;
  state: "signing" | "next" | "verifying only" | "retired";
}

/** Every key with its state now: what the CLI lists (never a private key). */
export async function signingKeyStatus(db: Executor, now = Date.now()): Promise<SigningKeyStatus[]> {
  const keys = await scheduled(db);
  const signer = signingKeyAt(keys, now);
  return keys
    .sort((a, b) => a.signsFrom.getTime() - b.signsFrom.getTime())
    .map((k) => ({
      kid: k.kid,
      signsFrom: k.signsFrom,
      retireAt: k.retireAt,
      state: k.retireAt && k.retireAt.getTime() <= now ? "retired" : k.kid === signer?.kid ? "signing" : k.signsFrom.getTime() > now ? "next" : "verifying only",
    }));
}

/**
 * Adds the next key: published at once, signing after `leadMs` (so a JWKS fetched before then already holds it);
 * every older key keeps verifying for SIGNING_KEY_OVERLAP_MS after the new one starts signing, then leaves the
 * JWKS. Keys retired for longer than the overlap are deleted.
 */
export async function rotateSigningKey(db: Executor, opts: { now?: number; leadMs?: number; overlapMs?: number } = {}) {
  const now = opts.now ?? Date.now();
  const signsFrom = new Date(now + (opts.leadMs ?? 0));
  const retireAt = new Date(signsFrom.getTime() + (opts.overlapMs ?? SIGNING_KEY_OVERLAP_MS));
  const key = newKey(signsFrom);
  await db.transaction(async (tx) => {
    await tx.delete(rosterSigningKeys).where(and(isNotNull(rosterSigningKeys.retireAt), lt(rosterSigningKeys.retireAt, new Date(now - (opts.overlapMs ?? SIGNING_KEY_OVERLAP_MS)))));
    await tx.update(rosterSigningKeys).set({ retireAt }).where(or(isNull(rosterSigningKeys.retireAt), gt(rosterSigningKeys.retireAt, retireAt)));
    await tx.insert(rosterSigningKeys).values(key);
  });
  return { kid: key.kid, signsFrom, olderKeysRetireAt: retireAt };
}

/** The key that signs now, unsealed; only signing code calls this. */
export async function currentSigningKey(db: Executor, now = Date.now()): Promise<{ kid: string; privateKey: KeyObject }> {
  await ensureSigningKey(db, now);
  const rows = await db.select().from(rosterSigningKeys);
  const signer = signingKeyAt(rows, now);
  if (!signer) throw new Error("Roster has no signing key that is valid now; run `roster keys rotate-signing-key`.");
  return { kid: signer.kid, privateKey: createPrivateKey(unsealSecret(signer.privateKeySealed, aadOf(signer.kid))) };
}

/**
 * `keys rotate`: re-seals every signing key under ENCRYPTION_KEY, each in its own row-locked transaction, so that
 * ENCRYPTION_KEY_PREVIOUS can be dropped without breaking federated connections. Kids no configured key opens are
 * named (a new key can then be rotated in; the old one leaves the JWKS when it retires).
 */
export async function resealSigningKeys(db: Executor, keys: SealingKeys): Promise<{ resealed: number; unreadable: string[] }> {
  const rows = await db.select({ kid: rosterSigningKeys.kid, sealingKeyId: rosterSigningKeys.sealingKeyId }).from(rosterSigningKeys);
  const report = { resealed: 0, unreadable: [] as string[] };
  for (const row of rows.filter((r) => r.sealingKeyId !== keys.current.id)) {
    const outcome = await db.transaction(async (tx) => {
      const [locked] = await tx.select().from(rosterSigningKeys).where(eq(rosterSigningKeys.kid, row.kid)).for("update");
      if (!locked || locked.sealingKeyId === keys.current.id) return "current" as const;
      let pem: string;
      try {
        pem = unsealSecret(locked.privateKeySealed, aadOf(locked.kid), keys);
      } catch {
        return "unreadable" as const;
      }
      const sealed = sealSecret(pem, aadOf(locked.kid), keys);
      await tx.update(rosterSigningKeys).set({ privateKeySealed: sealed.sealed, sealingKeyId: sealed.keyId }).where(eq(rosterSigningKeys.kid, locked.kid));
      return "resealed" as const;
    });
    if (outcome === "resealed") report.resealed++;
    else if (outcome === "unreadable") report.unreadable.push(row.kid);
  }
  return report;
}
