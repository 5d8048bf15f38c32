import { randomUUID, sign, type KeyObject } from "node:crypto";
import { FEDERATION_AUDIENCE } from "./issuer";

/**
 * How long one federated client assertion is valid. Entra only needs it for the token request it rides on;
 * minutes, so a copied assertion is soon worthless (Roster signs a fresh one, with a new `jti`, for every request).
 */
export const ASSERTION_LIFETIME_SECONDS = 300;

export interface AssertionInput {
  issuer: string;
  subject: string;
  kid: string;
  privateKey: KeyObject;
  now?: number;
  lifetimeSeconds?: number;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

/** An RS256 JWT: iss = Roster's issuer, sub = the connection's subject, aud = api://AzureADTokenExchange. */
export function signClientAssertion(input: AssertionInput): string {
  const iat = Math.floor((input.now ?? Date.now()) / 1000);
  const header = { alg: "RS256", typ: "JWT", kid: input.kid };
  const payload = {
    iss: input.issuer,
    sub: input.subject,
    aud: FEDERATION_AUDIENCE,
    iat,
    nbf: iat,
    exp: iat + (input.lifetimeSeconds ?? ASSERTION_LIFETIME_SECONDS),
    jti: randomUUID(),
  };
  const signingInput = `${b64(header)}.${b64(payload)}`;
  return `${signingInput}.${sign("sha256", Buffer.from(signingInput), input.privateKey).toString("base64url")}`;
}
