/**
 * JWT-shaped access tokens. Real Entra signs RS256 with published keys; the sandbox signs HS256 with a key
 * made per server, which is enough for Graph (here) to check signature, expiry, tenant and audience. Products
 * should only decode tokens (e.g. to read `roles`), never verify them, exactly as with real Graph tokens.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export class TokenSigner {
  private readonly key = randomBytes(32);

  sign(payload: Record<string, unknown>): string {
    const head = b64url(JSON.stringify({ typ: "JWT", alg: "HS256", kid: "roster-sandbox" }));
    const body = b64url(JSON.stringify(payload));
    return `${head}.${body}.${this.mac(`${head}.${body}`)}`;
  }

  /** The payload when the signature is ours, else null. */
  verify(token: string): Record<string, unknown> | null {
    const parts = token.split(".");
    if (parts.length !== 3) return null;
    const expected = Buffer.from(this.mac(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    return decodePayload(token);
  }

  private mac(data: string): string {
    return createHmac("sha256", this.key).update(data).digest("base64url");
  }
}

/** The payload without checking the signature (to attribute a rejected request to its tenant). */
export function decodePayload(token: string): Record<string, unknown> | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    return payload && typeof payload === "object" ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
