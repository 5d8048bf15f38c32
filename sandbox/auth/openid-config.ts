/**
 * GET /{tenant}/v2.0/.well-known/openid-configuration, as Entra answers it (fields and cloud hints included),
 * with every endpoint on the sandbox's own origin so MSAL sends the token request back here. MSAL checks
 * that `issuer` shares the authority's origin (or is a Microsoft host), which the sandbox origin does.
 */
import { CLOUDS, isGovernment } from "./clouds";
import type { Tenant } from "../tenants/tenant";

export function openIdConfiguration(tenant: Tenant, origin: string): Record<string, unknown> {
  const base = `${origin}/${tenant.id}`;
  const cloud = CLOUDS[tenant.cloud];
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic", "self_signed_tls_client_auth"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `https://${cloud.msgraphHost}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: cloud.tenantRegionScope,
    ...(cloud.tenantRegionSubScope ? { tenant_region_sub_scope: cloud.tenantRegionSubScope } : {}),
    cloud_instance_name: cloud.cloudInstanceName,
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: cloud.msgraphHost,
    rbac_url: isGovernment(tenant.cloud) ? "https://pasff.usgovcloudapi.net" : "https://pas.windows.net",
  };
}
