import { cloudOfInstance, type CloudEndpoints } from "./cloud";
import type { Cloud } from "./types";

/**
 * Reads a tenant's openid-configuration the way MSAL does, but keeps the answer. MSAL reports an unknown
 * tenant, a wrong cloud and an unreachable host all as `endpoints_resolution_error`; this tells them apart.
 */
export type TenantDiscovery =
  | { ok: true; cloud: Cloud | null; instanceName?: string; graphHost?: string; tokenEndpoint?: string }
  | { ok: false; error: TenantDiscoveryError };

export type TenantDiscoveryFailure = "tenant_not_found" | "wrong_cloud" | "network" | "unexpected_answer";

export class TenantDiscoveryError extends Error {
  readonly reason: TenantDiscoveryFailure;
  /** For wrong_cloud: the cloud the connection is set to, and the one the tenant lives in. */
  readonly configuredCloud?: Cloud;
  readonly tenantCloud?: Cloud;
  readonly host: string;

  constructor(init: { reason: TenantDiscoveryFailure; message: string; host: string; configuredCloud?: Cloud; tenantCloud?: Cloud }) {
    super(init.message);
    this.name = "TenantDiscoveryError";
    this.reason = init.reason;
    this.host = init.host;
    this.configuredCloud = init.configuredCloud;
    this.tenantCloud = init.tenantCloud;
  }
}

export async function discoverTenant(tenantId: string, endpoints: CloudEndpoints, fetchImpl: typeof fetch = fetch): Promise<TenantDiscovery> {
  const host = new URL(endpoints.authorityHost).host;
  const url = `${endpoints.authorityHost}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: AbortSignal.timeout(15_000), cache: "no-store" });
  } catch (error) {
    const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return { ok: false, error: new TenantDiscoveryError({ reason: "network", host, message: `Could not reach ${host}: ${cause}` }) };
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: reported below as an unexpected answer
  }
  if (!response.ok) {
    const description = typeof body.error_description === "string" ? body.error_description : text.slice(0, 500);
    const codes = Array.isArray(body.error_codes) ? body.error_codes : [];
    if (codes.includes(90002) || /AADSTS90002/.test(description) || body.error === "invalid_tenant") {
      return { ok: false, error: new TenantDiscoveryError({ reason: "tenant_not_found", host, message: description }) };
    }
    return {
      ok: false,
      error: new TenantDiscoveryError({ reason: "unexpected_answer", host, message: `${host} answered ${response.status}: ${description}` }),
    };
  }
  const instanceName = typeof body.cloud_instance_name === "string" ? body.cloud_instance_name : undefined;
  const tenantCloud = cloudOfInstance(instanceName);
  if (tenantCloud && tenantCloud !== endpoints.cloud) {
    return {
      ok: false,
      error: new TenantDiscoveryError({
        reason: "wrong_cloud",
        host,
        configuredCloud: endpoints.cloud,
        tenantCloud,
        message: `The tenant's openid-configuration names cloud instance "${instanceName}" (msgraph_host ${String(body.msgraph_host ?? "?")}).`,
      }),
    };
  }
  return {
    ok: true,
    cloud: tenantCloud,
    instanceName,
    graphHost: typeof body.msgraph_host === "string" ? body.msgraph_host : undefined,
    tokenEndpoint: typeof body.token_endpoint === "string" ? body.token_endpoint : undefined,
  };
}
