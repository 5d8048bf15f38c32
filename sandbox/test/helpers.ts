/**
 * Test helpers: a sandbox per test file on a free port, its control API over HTTPS, and Roster's real
 * client stack (ClientSecretCredential + Graph client) pointed at it. Run with NODE_EXTRA_CA_CERTS set to
 * the sandbox certificate (npm test does; see sandbox/README.md).
 */
import { ClientSecretCredential } from "@azure/identity";
import { Client } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import { sandboxRequest } from "../control/client";
import type { LoggedRequest } from "../log/request-log";
import { startSandbox, type Sandbox } from "../server";
import type { TenantSpecInput } from "../tenants/create-tenant";
import type { tenantManifest } from "../tenants/manifest";

export type Manifest = ReturnType<typeof tenantManifest>;

export function start(): Promise<Sandbox> {
  return startSandbox({ port: 0 });
}

export function control<T = unknown>(sb: Sandbox, path: string, method = "GET", body?: unknown): Promise<{ status: number; body: T }> {
  return sandboxRequest<T>(sb.url, method, path, body);
}

export async function newTenant(sb: Sandbox, spec: TenantSpecInput = { scenario: "northwind" }): Promise<Manifest> {
  const r = await control<Manifest>(sb, "/tenants", "POST", spec);
  if (r.status !== 201) throw new Error(`create tenant: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function mutate(sb: Sandbox, tenantId: string, ...ops: unknown[]) {
  const r = await control<{ results: Array<Record<string, unknown>> }>(sb, `/tenants/${tenantId}/mutations`, "POST", { ops });
  if (r.status !== 200) throw new Error(`mutation: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.results;
}

export async function requests(sb: Sandbox, tenantId: string): Promise<LoggedRequest[]> {
  return (await control<{ requests: LoggedRequest[] }>(sb, `/tenants/${tenantId}/requests`)).body.requests;
}

export function app(m: Manifest, name = "Roster Directory Sync") {
  const a = m.apps.find((x) => x.name === name);
  if (!a) throw new Error(`no app ${name}`);
  return { clientId: a.clientId, secret: a.secrets.find((s) => !s.expired)?.value ?? a.secrets[0].value, app: a };
}

export function credential(sb: Sandbox, tenantId: string, clientId: string, secret: string) {
  return new ClientSecretCredential(tenantId, clientId, secret, { authorityHost: sb.url, disableInstanceDiscovery: true });
}

export function graph(sb: Sandbox, cred: ClientSecretCredential, scope = "https://graph.microsoft.com/.default"): Client {
  return Client.initWithMiddleware({
    authProvider: new TokenCredentialAuthenticationProvider(cred, { scopes: [scope] }),
    baseUrl: sb.url,
    customHosts: new Set([new URL(sb.url).hostname]),
  });
}

/** A Graph client for a tenant's main app. */
export function graphFor(sb: Sandbox, m: Manifest, name?: string): Client {
  const a = app(m, name);
  return graph(sb, credential(sb, m.tenantId, a.clientId, a.secret), m.scope);
}

/** Follows @odata.nextLink to the end, as a product must; returns every item and the page count. */
export async function all<T = Record<string, unknown>>(
  client: Client,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ items: T[]; pages: number; counts: number[] }> {
  const items: T[] = [];
  const counts: number[] = [];
  let pages = 0;
  let next: string | undefined = path;
  while (next) {
    const res: { value: T[]; "@odata.nextLink"?: string; "@odata.count"?: number } = await client.api(next).headers(headers).get();
    pages++;
    items.push(...res.value);
    if (res["@odata.count"] !== undefined) counts.push(res["@odata.count"]);
    next = res["@odata.nextLink"];
  }
  return { items, pages, counts };
}

/** The body of a Graph error thrown by the Graph client. */
export async function graphError(p: Promise<unknown>): Promise<{ statusCode: number; code: string; message: string; headers?: Headers }> {
  try {
    await p;
  } catch (e) {
    const err = e as { statusCode: number; code: string; message: string; headers?: Headers };
    return err;
  }
  throw new Error("expected the Graph call to fail");
}

export const EVENTUAL = { ConsistencyLevel: "eventual" };
