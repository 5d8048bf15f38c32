import { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from "@azure/identity";
import type { CloudEndpoints } from "./cloud";
import type { CredentialContext } from "./assertion-diagnoses";
import type { GraphConnectionConfig } from "./types";

/**
 * The app's client-credentials identity in its cloud, by the connection's kind of credential:
 * - a client secret: ClientSecretCredential;
 * - a certificate: ClientCertificateCredential, which signs each assertion with the private key (PS256, the
 *   certificate named by its SHA-256 thumbprint, https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials);
 * - federated: ClientAssertionCredential, whose callback has Roster's issuer sign a fresh short-lived assertion
 *   for every token request (https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation).
 * A new credential means a new token: after an admin grants consent, a fresh credential is what sees the new
 * roles (a token is cached for about an hour).
 */
export function createDirectoryCredential(config: GraphConnectionConfig, endpoints: CloudEndpoints): TokenCredential {
  const options = {
    authorityHost: endpoints.authorityHost,
    // MSAL's instance discovery only knows Microsoft's own authorities; for any other host it fails first.
    disableInstanceDiscovery: !endpoints.isMicrosoftAuthority,
  };
  const c = config.credential;
  if (c?.kind === "certificate") return new ClientCertificateCredential(config.tenantId, config.clientId, { certificate: `${c.certificatePem}\n${c.privateKeyPem}` }, options);
  if (c?.kind === "federated") return new ClientAssertionCredential(config.tenantId, config.clientId, c.getAssertion, options);
  return new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, options);
}

/**
 * What makes one credential differ from another, for the shared-credential cache key (hashed, never logged):
 * the secret itself, the certificate's thumbprint, or the federated issuer and subject.
 */
export function credentialFingerprint(config: GraphConnectionConfig): string {
  const c = config.credential;
  if (c?.kind === "certificate") return `certificate:${c.thumbprint}`;
  if (c?.kind === "federated") return `federated:${c.issuer}:${c.subject}`;
  return `secret:${config.clientSecret}`;
}

/** The public facts of the credential, for diagnoses that name the value to fix in Azure. */
export function credentialContext(config: GraphConnectionConfig): CredentialContext {
  const c = config.credential;
  if (c?.kind === "certificate") return { kind: "certificate", thumbprint: c.thumbprint };
  if (c?.kind === "federated") return { kind: "federated", issuer: c.issuer, subject: c.subject };
  return { kind: "secret" };
}

/** The claims Roster reads from an access token (it never verifies the signature: it only reads its own token). */
export function accessTokenClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) return {};
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function rolesOf(claims: Record<string, unknown>): string[] {
  return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === "string") : [];
}
