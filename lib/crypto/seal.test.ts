import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { parseSealingKey, sealingKeysFromEnv } from "./keys";
import { connectionSecretAad, sealedKeyId, sealSecret, SecretUnsealError, unsealSecret } from "./seal";

const key = () => randomBytes(32).toString("base64");
const SECRET = "am28Q~6YW-oL_JphEvDd4w4yAm_5NTFi5_3Z2iT5";

describe("secret sealing", () => {
  const keys = { current: parseSealingKey(key(), "K") };
  const aad = connectionSecretAad("11111111-1111-1111-1111-111111111111");

  test("round trip", () => {
    const { sealed, keyId } = sealSecret(SECRET, aad, keys);
    expect(sealed).not.toContain(SECRET);
    expect(keyId).toBe(keys.current.id);
    expect(sealedKeyId(sealed)).toBe(keyId);
    expect(unsealSecret(sealed, aad, keys)).toBe(SECRET);
  });

  test("each sealing uses a fresh nonce", () => {
    expect(sealSecret(SECRET, aad, keys).sealed).not.toBe(sealSecret(SECRET, aad, keys).sealed);
  });

  test.each([
    ["ciphertext", 3],
    ["nonce", 2],
    ["tag", 4],
  ])("tampered %s fails", (_name, part) => {
    const parts = sealSecret(SECRET, aad, keys).sealed.split(".");
    const bytes = Buffer.from(parts[part], "base64url");
    bytes[0] ^= 1;
    parts[part] = bytes.toString("base64url");
    expect(() => unsealSecret(parts.join("."), aad, keys)).toThrow(SecretUnsealError);
  });

  test.each([1, 4, 12, 15])("a tag truncated to %i bytes does not open", (bytes) => {
    const parts = sealSecret(SECRET, aad, keys).sealed.split(".");
    parts[4] = Buffer.from(parts[4], "base64url").subarray(0, bytes).toString("base64url");
    expect(() => unsealSecret(parts.join("."), aad, keys)).toThrow(/integrity check/);
  });

  test("a tag longer than 16 bytes does not open", () => {
    const parts = sealSecret(SECRET, aad, keys).sealed.split(".");
    parts[4] = Buffer.concat([Buffer.from(parts[4], "base64url"), Buffer.alloc(1)]).toString("base64url");
    expect(() => unsealSecret(parts.join("."), aad, keys)).toThrow(/integrity check/);
  });

  test("another connection's associated data fails", () => {
    const { sealed } = sealSecret(SECRET, aad, keys);
    expect(() => unsealSecret(sealed, connectionSecretAad("22222222-2222-2222-2222-222222222222"), keys)).toThrow(SecretUnsealError);
  });

  test("garbage fails with a clear error", () => {
    expect(() => unsealSecret("nope", aad, keys)).toThrow(/not in a format/);
  });

  test("rotation: the previous key still opens, a forgotten key does not", () => {
    const old = parseSealingKey(key(), "OLD");
    const { sealed } = sealSecret(SECRET, aad, { current: old });
    const rotated = { current: parseSealingKey(key(), "NEW"), previous: old };
    expect(unsealSecret(sealed, aad, rotated)).toBe(SECRET);
    expect(() => unsealSecret(sealed, aad, { current: rotated.current })).toThrow(/neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS/);
    expect(sealSecret(SECRET, aad, rotated).keyId).toBe(rotated.current.id);
  });

  test.each([
    ["too short", Buffer.alloc(16).toString("base64")],
    ["empty", ""],
  ])("a key that is %s is refused", (_name, value) => {
    expect(() => parseSealingKey(value, "ENCRYPTION_KEY")).toThrow(/ENCRYPTION_KEY must be 32 bytes/);
  });

  test("keys come from the environment; the previous key is ignored when equal to the current", () => {
    const k = key();
    const other = key();
    expect(sealingKeysFromEnv({ ENCRYPTION_KEY: k, ENCRYPTION_KEY_PREVIOUS: k } as unknown as NodeJS.ProcessEnv).previous).toBeUndefined();
    const both = sealingKeysFromEnv({ ENCRYPTION_KEY: k, ENCRYPTION_KEY_PREVIOUS: other } as unknown as NodeJS.ProcessEnv);
    expect(both.previous?.id).toBe(parseSealingKey(other, "x").id);
    expect(both.current.id).not.toBe(both.previous?.id);
  });
});
