/**
 * POST /{tenant}/oauth2/v2.0/token, client-credentials grant, checked in the order Entra reports problems:
 * tenant, request shape, scope, app in tenant, a request sent to the other cloud (the app's `crossCloud` flag:
 * 900382 for an Azure Government tenant, 90038 for a global one), the client's credential: a client secret (wrong →
 * 7000215, expired → 7000222) or a signed client assertion, of a certificate or a federated issuer (client-assertion.ts), the app's service principal (missing → 7000229, disabled → 7000112), the resource's cloud (a
 * Graph host of another cloud → 500011), then Conditional Access for workload identities (53003), which
 * Entra evaluates once the client has authenticated. Errors: aadsts.ts. A token carries the app's granted
 * application permissions in `roles`, and no `roles` claim at all when it has none (delegated-only apps).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { AppRegistration } from "../tenants/apps";
import type { Tenant } from "../tenants/tenant";
import * as E from "./aadsts";
import { checkClientAssertion, JWT_BEARER } from "./client-assertion";
import { CLOUDS, GRAPH_APP_ID, isGovernment } from "./clouds";
import type { TokenSigner } from "./jwt";

export interface TokenResult {
  status: number;
  body: Record<string, unknown>;
  /** "AADSTS…" when refused. */
  error: string | null;
  appId: string | null;
}

const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);

function refused(e: E.AadstsError, appId: string | null): TokenResult {
  return { status: e.status, body: e.body, error: `AADSTS${(e.body.error_codes as number[])[0]}`, appId };
}

export async function issueToken(
  tenant: Tenant | undefined,
  tenantParam: string,
  form: URLSearchParams,
  basic: { id: string; secret: string } | null,
  signer: TokenSigner,
  /** The caller's client-request-id, echoed as Entra's correlation id. */
  corr?: string,
  now = Date.now(),
  /** Where the client reached the token endpoint (scheme and host): a certificate assertion's `aud` names it. */
  origin = "",
): Promise<TokenResult> {
  const clientId = form.get("client_id") ?? basic?.id ?? null;
  if (!tenant) return refused(E.tenantNotFound(tenantParam, corr), clientId);
  const grant = form.get("grant_type");
  if (!grant) return refused(E.missingParameter("grant_type", corr), clientId);
  if (grant !== "client_credentials") return refused(E.unsupportedGrant(grant, corr), clientId);
  if (!clientId) return refused(E.missingParameter("client_id", corr), null);
  const scopeParam = form.get("scope");
  if (!scopeParam) return refused(E.missingParameter("scope", corr), clientId);
  const scopes = scopeParam.split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s.toLowerCase()));
  if (scopes.length !== 1 || !/\/\.default$/i.test(scopes[0])) return refused(E.invalidScope(scopeParam, corr), clientId);

  const app = tenant.findApp(clientId);
  if (!app) return refused(E.appNotInTenant(clientId, tenant.displayName, corr), clientId);
  if (app.flags.crossCloud) {
    return refused(
      isGovernment(tenant.cloud) ? E.crossCloudConfidentialClient(corr) : E.nationalCloudRedirection(tenantParam, CLOUDS.global.cloudInstanceName, CLOUDS.usgov.cloudInstanceName, corr),
      clientId,
    );
  }
  const assertion = form.get("client_assertion");
  if (assertion) {
    if (form.get("client_assertion_type") !== JWT_BEARER) return refused(E.invalidAssertionType(corr), clientId);
    const endpoints = tenant.names().map((n) => `${origin}/${n}/oauth2/v2.0/token`);
    const refusal = await checkClientAssertion(app, assertion, endpoints, now, corr);
    if (refusal) return refused(refusal, clientId);
  } else {
    const secret = form.get("client_secret") ?? basic?.secret ?? null;
    if (!secret) return refused(E.missingSecret(corr), clientId);
    const match = app.secrets.find((s) => s.value === secret);
    if (!match) return refused(E.wrongSecret(app.clientId, corr), clientId);
    if (match.endDateTime.getTime() <= now || match.startDateTime.getTime() > now) return refused(E.expiredSecret(app.clientId, corr), clientId);
  }
  if (app.flags.noServicePrincipal) return refused(E.missingServicePrincipal(app.clientId, tenant.id, corr), clientId);
  if (app.flags.disabled) return refused(E.appDisabled(app.clientId, app.name, corr), clientId);

  const resource = scopes[0].replace(/\/\.default$/i, "").replace(/\/+$/, "");
  const cloud = CLOUDS[tenant.cloud];
  if (resource.toLowerCase() !== cloud.graphResource && resource.toLowerCase() !== GRAPH_APP_ID) {
    return refused(E.resourceNotFound(resource, tenant.displayName, corr), clientId);
  }
  if (app.flags.blockedByConditionalAccess) return refused(E.blockedByConditionalAccess(corr), clientId);

  const lifetime = tenant.tokenLifetimeSeconds;
  const iat = Math.floor(now / 1000);
  const token = signer.sign(claims(tenant, app, cloud.graphResource, iat, lifetime, !!assertion));
  return {
    status: 200,
    body: { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: token },
    error: null,
    appId: app.clientId,
  };
}

function claims(tenant: Tenant, app: AppRegistration, aud: string, iat: number, lifetime: number, viaAssertion: boolean): Record<string, unknown> {
  const sts = `https://sts.windows.net/${tenant.id}/`;
  const c: Record<string, unknown> = {
    aud,
    iss: sts,
    iat,
    nbf: iat,
    exp: iat + lifetime,
    aio: randomBytes(24).toString("base64url"),
    app_displayname: app.name,
    appid: app.clientId,
    // 1 = client secret, 2 = certificate or assertion (https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference).
    appidacr: viaAssertion ? "2" : "1",
    idp: sts,
    idtyp: "app",
    oid: app.servicePrincipalId,
    rh: `0.${randomBytes(16).toString("base64url")}.`,
    sub: app.servicePrincipalId,
    tenant_region_scope: CLOUDS[tenant.cloud].tenantRegionScope,
    tid: tenant.id,
    uti: randomUUID().replace(/-/g, "").slice(0, 22),
    ver: "1.0",
    xms_tcdt: Math.floor(new Date(tenant.directory.org.createdDateTime).getTime() / 1000),
  };
  // Entra omits the claim entirely when no application permission is granted.
  if (app.roles.length > 0) c.roles = [...app.roles];
  return c;
}
