import { allowedGraphHost, cloudEndpoints, cloudOfInstance, GraphHostRefusedError, type CloudEndpoints } from "./cloud";
import type { Cloud } from "./types";

/**
 * Reads a tenant's openid-configuration the way MSAL does, but keeps the answer. MSAL reports an unknown
 * tenant, a wrong cloud and an unreachable host all as `endpoints_resolution_error`; this tells them apart.
 */
export type TenantDiscovery =
  | { ok: true; cloud: Cloud | null; instanceName?: string; graphHost?: string; tokenEndpoint?: string }
  | { ok: false; error: TenantDiscoveryError };

export type TenantDiscoveryFailure = "tenant_not_found" | "wrong_cloud" | "graph_host_refused" | "network" | "unexpected_answer";

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

/**
 * A tenant's discovery in its configured cloud; when that cloud does not know the tenant, the other cloud is
 * asked before "not found" is said, so a tenant of the other cloud gets "tick (or untick) Azure Government".
 */
export async function discoverTenant(tenantId: string, endpoints: CloudEndpoints, fetchImpl: typeof fetch = fetch, env: NodeJS.ProcessEnv = process.env): Promise<TenantDiscovery> {
  const found = await discoverIn(tenantId, endpoints, fetchImpl);
  if (found.ok || found.error.reason !== "tenant_not_found") return found;
  const otherCloud: Cloud = endpoints.cloud === "usgov" ? "global" : "usgov";
  const other = cloudEndpoints(otherCloud, env);
  // One authority answering for both clouds (an override) has already answered for both.
  if (other.authorityHost === endpoints.authorityHost) return found;
  const there = await discoverIn(tenantId, other, fetchImpl);
  if (!there.ok || there.cloud !== otherCloud) return found;
  return {
    ok: false,
    error: new TenantDiscoveryError({
      reason: "wrong_cloud",
      host: found.error.host,
      configuredCloud: endpoints.cloud,
      tenantCloud: otherCloud,
      message: `${found.error.message}\nThe tenant was found at ${new URL(other.authorityHost).host} (cloud instance ${there.instanceName}).`,
    }),
  };
}

async function discoverIn(tenantId: string, endpoints: CloudEndpoints, fetchImpl: typeof fetch): Promise<TenantDiscovery> {
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
  const announced = typeof body.msgraph_host === "string" ? body.msgraph_host : undefined;
  let graphHost: string | undefined;
  try {
    graphHost = announced ? allowedGraphHost(announced, endpoints.cloud) : undefined;
  } catch (error) {
    if (!(error instanceof GraphHostRefusedError)) throw error;
    return { ok: false, error: new TenantDiscoveryError({ reason: "graph_host_refused", host, message: error.message }) };
  }
  return {
    ok: true,
    cloud: tenantCloud,
    instanceName,
    graphHost,
    tokenEndpoint: typeof body.token_endpoint === "string" ? body.token_endpoint : undefined,
  };
}
