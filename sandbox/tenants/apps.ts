/**
 * App registrations as a tenant sees them: client id, the service principal, granted application
 * permissions (`roles`), delegated ones (never in an app-only token), and client secrets with their
 * validity window. Secret values follow Entra's current format so "pasted the Secret ID instead of the
 * value" mistakes look as they do in real life.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { AppSpec } from "../scenarios/scenario-file";

export interface ClientSecret {
  secretId: string;
  displayName: string;
  value: string;
  startDateTime: Date;
  endDateTime: Date;
}

/**
 * States of an app registration that make Entra refuse its token requests, each set by a control mutation
 * (`setAppFlags`), as an admin would cause them in the portal. See token-endpoint.ts for the answers.
 */
export interface AppFlags {
  /** The enterprise application (service principal) is disabled: AADSTS7000112. */
  disabled: boolean;
  /** The app has no service principal in this tenant (never consented or deleted there): AADSTS7000229. */
  noServicePrincipal: boolean;
  /** A Conditional Access policy for workload identities blocks this service principal: AADSTS53003. */
  blockedByConditionalAccess: boolean;
  /** Its token requests are sent to the other cloud's authority: AADSTS900382 / AADSTS90038. */
  crossCloud: boolean;
}

export const NO_APP_FLAGS: AppFlags = { disabled: false, noServicePrincipal: false, blockedByConditionalAccess: false, crossCloud: false };

/**
 * A certificate uploaded under "Certificates & secrets" (keyCredentials of the application): Entra keeps the
 * public certificate and matches an assertion's `x5t` (SHA-1) or `x5t#S256` (SHA-256) thumbprint against it;
 * its validity is the certificate's own (https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials).
 */
export interface CertificateCredential {
  keyId: string;
  displayName: string;
  /** Lower-case hex thumbprints, as `x5t` / `x5t#S256` carry them base64url-encoded. */
  thumbprintSha1: string;
  thumbprintSha256: string;
  publicKeyPem: string;
  startDateTime: Date;
  endDateTime: Date;
}

/**
 * A federated identity credential: Entra trusts tokens from `issuer` whose `sub` is `subject` and whose `aud`
 * is one of `audiences` (https://learn.microsoft.com/en-us/graph/api/resources/federatedidentitycredential).
 */
export interface FederatedCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface AppRegistration {
  name: string;
  clientId: string;
  servicePrincipalId: string;
  roles: string[];
  delegated: string[];
  secrets: ClientSecret[];
  certificates: CertificateCredential[];
  federatedCredentials: FederatedCredential[];
  flags: AppFlags;
}

const DAY = 86_400_000;
const CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~";

export function newSecretValue(): string {
  const bytes = randomBytes(37);
  let s = "";
  for (let i = 0; i < 37; i++) s += CHARS[bytes[i] % (i < 3 ? 62 : CHARS.length)];
  return `${s.slice(0, 3)}8Q~${s.slice(3)}`;
}

export function newSecret(displayName: string, expiresInDays: number, now = Date.now()): ClientSecret {
  return { secretId: randomUUID(), displayName, value: newSecretValue(), startDateTime: new Date(now), endDateTime: new Date(now + expiresInDays * DAY) };
}

/**
 * Apps for a new tenant. `fresh` gives new client ids, secret ids and values (a copy of a scenario must not
 * share credentials with the demo tenant); otherwise the scenario's fixed ones are kept.
 */
export function instantiateApps(specs: AppSpec[], fresh: boolean, now = Date.now()): AppRegistration[] {
  return specs.map((a) => ({
    name: a.name,
    clientId: fresh ? randomUUID() : a.clientId,
    servicePrincipalId: fresh ? randomUUID() : a.servicePrincipalId,
    roles: [...a.roles],
    delegated: [...a.delegated],
    flags: { ...NO_APP_FLAGS },
    certificates: [],
    federatedCredentials: [],
    secrets: a.secrets.map((s) => ({
      secretId: fresh ? randomUUID() : s.secretId,
      displayName: s.displayName,
      value: fresh ? newSecretValue() : s.value,
      startDateTime: new Date(now - s.startsDaysAgo * DAY),
      endDateTime: new Date(now + s.expiresInDays * DAY),
    })),
  }));
}
