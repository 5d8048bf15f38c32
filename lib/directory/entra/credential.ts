import { ClientSecretCredential } from "@azure/identity";
import type { CloudEndpoints } from "./cloud";
import type { GraphConnectionConfig } from "./types";

/**
 * The app's client-credentials identity in its cloud. A new credential means a new token: after an admin
 * grants consent, a fresh credential is what sees the new roles (a token is cached for about an hour).
 */
export function createDirectoryCredential(config: GraphConnectionConfig, endpoints: CloudEndpoints): ClientSecretCredential {
  return new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, {
    authorityHost: endpoints.authorityHost,
    // MSAL's instance discovery only knows Microsoft's own authorities; for any other host it fails first.
    disableInstanceDiscovery: !endpoints.isMicrosoftAuthority,
  });
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
