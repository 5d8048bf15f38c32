import "server-only";
import { readEnv } from "@/lib/env";

/**
 * Roster as an OpenID Connect issuer, for workload identity federation: the admin adds a federated credential to
 * the app registration with this issuer, a subject unique to the connection and the audience
 * api://AzureADTokenExchange; Entra then fetches `{issuer}/.well-known/openid-configuration` and its `jwks_uri`
 * to check the assertions Roster signs (https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-create-trust).
 */
export const FEDERATION_AUDIENCE = "api://AzureADTokenExchange";

/** Roster's public URL as issuer (OIDC_ISSUER_URL, else NEXTAUTH_URL, else the development URL). No trailing slash. */
export function rosterIssuer(source: NodeJS.ProcessEnv = process.env): string {
  const env = readEnv(source);
  return (env.OIDC_ISSUER_URL ?? env.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/+$/, "");
}

/** Entra fetches issuer metadata over HTTPS only: a plain-http issuer cannot work, which the wizard says. */
export function issuerReachableByEntra(issuer: string): boolean {
  return issuer.startsWith("https://");
}

/** The subject of a connection's assertions: unique per connection, stable for its life, not secret. */
export function federationSubject(connectionId: string): string {
  return `roster:directory-connection:${connectionId}`;
}

export function jwksUri(issuer: string): string {
  return `${issuer}/.well-known/jwks.json`;
}

/** The discovery document: what Entra reads of it is `issuer` and `jwks_uri`. */
export function openIdConfiguration(issuer: string) {
  return {
    issuer,
    jwks_uri: jwksUri(issuer),
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    claims_supported: ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"],
  };
}
