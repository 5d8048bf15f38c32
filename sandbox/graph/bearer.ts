/**
 * Graph's check of the bearer token: present, signed by this sandbox, not expired, for a tenant it hosts,
 * and with an audience of that tenant's cloud (a global token is refused by a US Government tenant's Graph
 * and vice versa). Failures are 401 InvalidAuthenticationToken, as Graph answers.
 */
import { graphAudiences } from "../auth/clouds";
import { decodePayload, type TokenSigner } from "../auth/jwt";
import type { TenantRegistry } from "../tenants/registry";
import type { Tenant } from "../tenants/tenant";
import { unauthorized } from "./errors";

export interface Caller {
  tenant: Tenant;
  roles: ReadonlySet<string>;
  appId: string;
}

const bearerOf = (authorization: string | undefined) => /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1] ?? null;

/** The tenant a request claims to be for, even when its token is bad: requests are logged per tenant. */
export function claimedTenant(authorization: string | undefined, registry: TenantRegistry): Tenant | undefined {
  const token = bearerOf(authorization);
  const tid = token ? decodePayload(token)?.tid : undefined;
  return typeof tid === "string" ? registry.get(tid) : undefined;
}

export function authenticate(authorization: string | undefined, registry: TenantRegistry, signer: TokenSigner, now = Date.now()): Caller {
  const token = bearerOf(authorization);
  if (!token) throw unauthorized("Access token is empty.");
  if (token.split(".").length !== 3) throw unauthorized("IDX14100: JWT is not well formed, there are no dots (.).");
  const claims = signer.verify(token);
  if (!claims) throw unauthorized("Access token validation failure. Invalid signature.");
  const exp = typeof claims.exp === "number" ? claims.exp : 0;
  const nbf = typeof claims.nbf === "number" ? claims.nbf : 0;
  if (exp * 1000 <= now || nbf * 1000 > now + 300_000) throw unauthorized("Lifetime validation failed, the token is expired.");
  const tenant = typeof claims.tid === "string" ? registry.get(claims.tid) : undefined;
  if (!tenant || tenant.id !== claims.tid) throw unauthorized("Access token validation failure. Invalid tenant.");
  if (typeof claims.aud !== "string" || !graphAudiences(tenant.cloud).includes(claims.aud)) {
    throw unauthorized("Access token validation failure. Invalid audience.");
  }
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === "string") : [];
  return { tenant, roles: new Set(roles), appId: String(claims.appid ?? "") };
}
