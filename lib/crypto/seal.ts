import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { sealingKeysFromEnv, type SealingKeys } from "./keys";

/**
 * AES-256-GCM sealing of client secrets at rest. The associated data binds a sealed value to the row it
 * belongs to: a ciphertext copied into another connection's row fails to open instead of lending that
 * connection someone else's credential.
 *
 * Format: `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts).
 */
const VERSION = "v1";
/**
 * GCM's full 128-bit tag. Node accepts shorter tags on decryption unless told the length, and a 4-byte tag
 * can be forged in about 2^32 tries, so a sealed value must carry exactly 16 bytes of tag to open.
 */
const TAG_BYTES = 16;

export class SecretUnsealError extends Error {
  /** Wherever this surfaces (a sync, a catalog refresh, a lookup), it is this diagnosis, not "unknown". */
  readonly diagnosis = {
    code: "secret_unreadable",
    title: "Stored secret unreadable",
    fix: "The connection's stored client secret cannot be opened: it was changed in the database, or sealed with a key this server no longer has. If ENCRYPTION_KEY was replaced, set ENCRYPTION_KEY_PREVIOUS to the old key; otherwise use “Rotate secret” to enter the secret again.",
  };
  constructor(message: string) {
    super(message);
    this.name = "SecretUnsealError";
  }
}

export interface SealedSecret {
  sealed: string;
  keyId: string;
}

export function sealSecret(plaintext: string, associatedData: string, keys: SealingKeys = sealingKeysFromEnv()): SealedSecret {
  const { id, key } = keys.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return { sealed: [VERSION, id, iv.toString("base64url"), ciphertext.toString("base64url"), tag.toString("base64url")].join("."), keyId: id };
}

/** The id of the key a sealed value names, without opening it. */
export function sealedKeyId(sealed: string): string | null {
  const parts = sealed.split(".");
  return parts.length === 5 && parts[0] === VERSION ? parts[1] : null;
}

export function unsealSecret(sealed: string, associatedData: string, keys: SealingKeys = sealingKeysFromEnv()): string {
  const parts = sealed.split(".");
  if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretUnsealError("The stored secret is not in a format Roster can read.");
  const [, keyId, iv, ciphertext, tag] = parts;
  const key = [keys.current, keys.previous].find((k) => k?.id === keyId);
  if (!key) {
    throw new SecretUnsealError(
      `The stored secret was sealed with key ${keyId}, which is neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS.`,
    );
  }
  const tagBytes = Buffer.from(tag, "base64url");
  if (tagBytes.length !== TAG_BYTES) throw new SecretUnsealError("The stored secret failed its integrity check and cannot be used.");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(iv, "base64url"), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    // GCM's authentication failed: tampered ciphertext, or sealed for another row.
    throw new SecretUnsealError("The stored secret failed its integrity check and cannot be used.");
  }
}

/** Associated data for a directory connection's client secret. */
export function connectionSecretAad(connectionId: string): string {
  return `roster/directory_connections/${connectionId}/client_secret`;
}
