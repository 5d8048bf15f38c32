/**
 * Client authentication with a signed JWT (`client_assertion`, `client_assertion_type` =
 * urn:ietf:params:oauth:client-assertion-type:jwt-bearer), as Entra checks it:
 *
 * - A **certificate** assertion is one the app signs itself: `iss` = `sub` = the client id, `aud` = the token
 *   endpoint, `exp`/`nbf`, a `jti`; the header names the certificate by `x5t` (SHA-1 thumbprint) or `x5t#S256`
 *   (SHA-256), matched against the certificates registered on the app; RS256 or PS256
 *   (https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials).
 * - A **federated** assertion is a token from another issuer: Entra matches its `iss`, `sub` and `aud` against the
 *   app's federated identity credentials, fetches the issuer's OpenID configuration and JWKS over HTTPS, and checks
 *   the signature by `kid` and the lifetime
 *   (https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation; the audience Microsoft
 *   recommends is api://AzureADTokenExchange, https://learn.microsoft.com/en-us/graph/api/resources/federatedidentitycredential).
 *
 * Entra tells the two apart by the issuer: an assertion issued by the client id itself is a certificate assertion.
 * The issuer's documents are fetched with Node's fetch, which trusts only the system roots and NODE_EXTRA_CA_CERTS:
 * the sandbox never accepts a certificate it cannot verify, as Entra would not.
 */
import { constants, createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import type { AppRegistration, CertificateCredential } from "../tenants/apps";
import * as E from "./aadsts";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
export const FEDERATION_AUDIENCE = "api://AzureADTokenExchange";

/**
 * Tolerance for clock skew on `nbf`/`exp`. Entra allows some skew; its size is not stated on Learn (not
 * confirmed): five minutes, as MSAL and most token validators assume.
 */
export const CLOCK_SKEW_SECONDS = 300;

export interface ParsedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export function parseJwt(token: string): ParsedJwt | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    if (!header || typeof header !== "object" || !payload || typeof payload !== "object") return null;
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], "base64url") };
  } catch {
    return null;
  }
}

/** RS256 (PKCS#1 v1.5) or PS256 (PSS, salt = digest length), the two algorithms Entra accepts for RSA keys. */
export function signatureValid(jwt: ParsedJwt, key: KeyObject): boolean {
  const alg = jwt.header.alg;
  const data = Buffer.from(jwt.signingInput);
  try {
    if (alg === "RS256") return verify("sha256", data, key, jwt.signature);
    if (alg === "PS256") return verify("sha256", data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, jwt.signature);
  } catch {
    return false;
  }
  return false;
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const secondsToDate = (v: unknown): Date | null => (typeof v === "number" ? new Date(v * 1000) : null);

function timeRefusal(jwt: ParsedJwt, now: number, corr?: string): E.AadstsError | null {
  const exp = secondsToDate(jwt.payload.exp);
  const nbf = secondsToDate(jwt.payload.nbf);
  const skew = CLOCK_SKEW_SECONDS * 1000;
  if (!exp || exp.getTime() + skew <= now || (nbf && nbf.getTime() - skew > now)) return E.assertionOutsideValidTime(new Date(now), nbf, exp, corr);
  return null;
}

function thumbprintOf(jwt: ParsedJwt): { hex: string; sha256: boolean } | null {
  const s256 = str(jwt.header["x5t#S256"]);
  if (s256) return { hex: Buffer.from(s256, "base64url").toString("hex"), sha256: true };
  const s1 = str(jwt.header.x5t);
  if (s1) return { hex: Buffer.from(s1, "base64url").toString("hex"), sha256: false };
  return null;
}

function certificateAssertion(app: AppRegistration, jwt: ParsedJwt, audiences: string[], now: number, corr?: string): E.AadstsError | null {
  if (str(jwt.payload.sub) !== str(jwt.payload.iss)) return E.assertionClientMismatch(corr);
  const aud = str(jwt.payload.aud) ?? "";
  if (!audiences.some((a) => a.toLowerCase() === aud.toLowerCase())) return E.assertionAudienceMismatch(aud, corr);
  const tp = thumbprintOf(jwt);
  const shown = tp ? tp.hex.toUpperCase() : null;
  const cert: CertificateCredential | undefined = tp
    ? app.certificates.find((c) => (tp.sha256 ? c.thumbprintSha256 : c.thumbprintSha1) === tp.hex)
    : undefined;
  if (!cert) return E.assertionInvalidSignature("The key was not found.", app.clientId, shown, corr);
  if (cert.endDateTime.getTime() <= now || cert.startDateTime.getTime() > now) return E.assertionInvalidSignature("The key used is expired.", app.clientId, shown, corr);
  if (!signatureValid(jwt, createPublicKey(cert.publicKeyPem))) return E.assertionInvalidSignature("The signature is invalid.", app.clientId, shown, corr);
  return timeRefusal(jwt, now, corr);
}

/** GET a JSON document over HTTPS only; null when it cannot be had (refused, unreachable, not JSON). */
async function fetchJson(url: string): Promise<Record<string, unknown> | null> {
  if (!url.startsWith("https://")) return null; // Entra reads issuer metadata over HTTPS only
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: "error" });
    if (!res.ok) return null;
    const body = (await res.json()) as unknown;
    return body && typeof body === "object" ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function federatedAssertion(app: AppRegistration, jwt: ParsedJwt, now: number, corr?: string): Promise<E.AadstsError | null> {
  const iss = str(jwt.payload.iss) ?? "";
  const sub = str(jwt.payload.sub) ?? "";
  const auds = Array.isArray(jwt.payload.aud) ? jwt.payload.aud.filter((a): a is string => typeof a === "string") : [str(jwt.payload.aud) ?? ""];
  const fics = app.federatedCredentials;
  if (fics.length === 0) return E.noMatchingFederatedRecord(iss, sub, auds.join(","), corr);
  const byIssuer = fics.filter((f) => f.issuer === iss);
  if (byIssuer.length === 0) return E.federatedFieldMismatch("issuer", iss, corr);
  const bySubject = byIssuer.filter((f) => f.subject === sub);
  if (bySubject.length === 0) return E.federatedFieldMismatch("subject", sub, corr);
  if (!bySubject.some((f) => f.audiences.some((a) => auds.includes(a)))) return E.federatedFieldMismatch("audience", auds.join(","), corr);

  const discovery = await fetchJson(`${iss.replace(/\/+$/, "")}/.well-known/openid-configuration`);
  const jwksUri = str(discovery?.jwks_uri);
  if (!discovery || str(discovery.issuer) !== iss || !jwksUri) return E.externalOidcEndpointFailed(corr);
  const jwks = await fetchJson(jwksUri);
  if (!jwks || !Array.isArray(jwks.keys)) return E.externalOidcEndpointFailed(corr);
  const kid = str(jwt.header.kid) ?? "";
  const jwk = (jwks.keys as Record<string, unknown>[]).find((k) => k && k.kid === kid);
  if (!jwk) return E.federatedKeyNotFound(kid, iss, corr);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as import("node:crypto").JsonWebKey, format: "jwk" });
  } catch {
    return E.federatedKeyNotFound(kid, iss, corr);
  }
  if (!signatureValid(jwt, key)) return E.assertionInvalidSignature("The signature is invalid.", app.clientId, null, corr);
  return timeRefusal(jwt, now, corr);
}

/**
 * Null when the assertion authenticates `app`; else Entra's refusal. `tokenEndpoints` are the audiences a
 * certificate assertion may name: this tenant's token endpoint under each of its names.
 */
export async function checkClientAssertion(
  app: AppRegistration,
  assertion: string,
  tokenEndpoints: string[],
  now: number,
  corr?: string,
): Promise<E.AadstsError | null> {
  const jwt = parseJwt(assertion);
  if (!jwt) return E.malformedAssertion(corr);
  const iss = str(jwt.payload.iss);
  if (iss && iss.toLowerCase() === app.clientId.toLowerCase()) return certificateAssertion(app, jwt, tokenEndpoints, now, corr);
  return federatedAssertion(app, jwt, now, corr);
}

/** Thumbprints of a PEM certificate, lower-case hex (for registering it on an app). */
export function thumbprints(der: Buffer): { sha1: string; sha256: string } {
  return { sha1: createHash("sha1").update(der).digest("hex"), sha256: createHash("sha256").update(der).digest("hex") };
}
