import "server-only";
import { createHash } from "node:crypto";
import { developmentSecret } from "@/lib/auth/secret";
import { readEnv } from "@/lib/env";

/** A 32-byte AES-256-GCM key and the id stored beside everything it sealed. */
export interface SealingKey {
  id: string;
  key: Buffer;
}

/** The key new secrets are sealed under, and the one being rotated away from (still readable). */
export interface SealingKeys {
  current: SealingKey;
  previous?: SealingKey;
}

/**
 * Parses a base64 key. The id is derived from the key itself (a hash prefix), so it needs no configuration
 * of its own and a sealed value always names the exact key that can open it.
 */
export function parseSealingKey(base64: string, envName: string): SealingKey {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== 32) {
    throw new Error(`${envName} must be 32 bytes encoded in base64 (for example \`openssl rand -base64 32\`); it decodes to ${key.length} bytes.`);
  }
  return { id: `k${createHash("sha256").update(key).digest("hex").slice(0, 12)}`, key };
}

export function sealingKeysFromEnv(source: NodeJS.ProcessEnv = process.env): SealingKeys {
  const env = readEnv(source);
  const currentText = env.ENCRYPTION_KEY || developmentSecret("encryption-key", 32, "ENCRYPTION_KEY");
  const current = parseSealingKey(currentText, "ENCRYPTION_KEY");
  const previous = env.ENCRYPTION_KEY_PREVIOUS ? parseSealingKey(env.ENCRYPTION_KEY_PREVIOUS, "ENCRYPTION_KEY_PREVIOUS") : undefined;
  return { current, previous: previous && previous.id !== current.id ? previous : undefined };
}
