/**
 * The sandbox tenant server: one HTTPS origin that answers as Entra ID's authority (openid-configuration,
 * token endpoint), as Microsoft Graph v1.0 (directory reads under /v1.0) and as its own control API
 * (/_sandbox/). Point the product's authority host and Graph base URL both at `url`.
 */
import https from "node:https";
import type { AddressInfo } from "node:net";
import { handleAuthority } from "./auth/authority";
import { TokenSigner } from "./auth/jwt";
import { ensureCertificate } from "./cert";
import { handleControl } from "./control/control-api";
import type { FaultsInput } from "./faults/faults";
import { handleGraph } from "./graph/handler";
import { sendJson } from "./http/respond";
import { RequestLog } from "./log/request-log";
import { createDemoTenant, createTenant, type TenantSpecInput } from "./tenants/create-tenant";
import { tenantManifest } from "./tenants/manifest";
import { TenantRegistry } from "./tenants/registry";

export interface SandboxOptions {
  /** Default 4443; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where the certificate lives (default .data/sandbox, the path NODE_EXTRA_CA_CERTS should name). */
  dataDir?: string;
  /** Load the Northwind demo tenant with its documented ids (default true). */
  demo?: boolean;
  /** Faults for the tenants created at start (the demo tenant and `generate`). */
  faults?: FaultsInput;
  /** Also create a generated tenant at start. */
  generate?: NonNullable<TenantSpecInput["generate"]>;
}

export interface Sandbox {
  url: string;
  port: number;
  certPath: string;
  /** Tenant id of the demo tenant, when loaded. */
  demoTenantId: string | null;
  /** Tenant id of the tenant made from `generate`, when asked for. */
  generatedTenantId: string | null;
  /** Creates a tenant in-process (same as POST /_sandbox/tenants) and returns its manifest. */
  createTenant(spec: TenantSpecInput): ReturnType<typeof tenantManifest>;
  /** A tenant's manifest (same as GET /_sandbox/tenants/{id}), or null. */
  manifest(tenantId: string): ReturnType<typeof tenantManifest> | null;
  close(): Promise<void>;
}

/** How long an idle keep-alive socket stays open (see the comment at `server.keepAliveTimeout`). */
export const KEEP_ALIVE_MS = 120_000;

const AUTHORITY = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token|discovery\/v2\.0\/keys)$/;

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const { certPath, cert, key } = ensureCertificate(opts.dataDir);
  const host = opts.host ?? "127.0.0.1";
  const registry = new TenantRegistry();
  const signer = new TokenSigner();
  const unattributed = new RequestLog();
  let url = "";

  const server = https.createServer({ cert, key, keepAlive: true }, (req, res) => {
    const origin = `https://${req.headers.host ?? new URL(url).host}`;
    const u = new URL(req.url ?? "/", origin);
    const path = u.pathname;
    let work: Promise<void>;
    if (path === "/_sandbox" || path.startsWith("/_sandbox/")) work = handleControl(req, res, u, { registry, unattributed, url });
    else if (/^\/(v1\.0|beta)(\/|$)/i.test(path)) work = handleGraph(req, res, u, origin, { registry, signer, unattributed });
    else {
      const m = AUTHORITY.exec(path);
      if (m) {
        const endpoint = m[2].startsWith("v2.0") ? "oidc" : m[2].startsWith("oauth2") ? "token" : "keys";
        work = handleAuthority(req, res, u, origin, { registry, signer, unattributed }, endpoint, decodeURIComponent(m[1]));
      } else if (path === "/") {
        sendJson(res, 200, { service: "Roster sandbox tenant", graph: `${origin}/v1.0`, control: `${origin}/_sandbox/tenants` });
        return;
      } else {
        sendJson(res, 404, { error: { code: "NotFound", message: `The Roster sandbox has nothing at ${path}` } });
        return;
      }
    }
    work.catch((e) => {
      console.error("sandbox: request failed", e);
      if (!res.headersSent) sendJson(res, 500, { error: { code: "InternalError", message: String(e) } });
    });
  });

  // Node's defaults close an idle keep-alive socket after 5 s, while clients (undici's fetch, Node's agent, the
  // Graph SDK and MSAL on top of them) keep idle sockets for reuse for about as long. On a busy machine the
  // server's close and the client's reuse cross, and the client's next request dies with ECONNRESET. So the
  // server keeps idle sockets far longer than any client reuses them (the client always closes first), and
  // advertises it in `Keep-Alive: timeout=N`, the hint undici and Node's agent honour. headersTimeout must
  // exceed keepAliveTimeout (Node's rule), and requestTimeout is off: the sandbox delays answers on purpose.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 5_000;
  server.requestTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 4443, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  url = `https://${urlHost}:${port}`;

  let demoTenantId: string | null = null;
  if (opts.demo ?? true) {
    const demo = createDemoTenant(opts.faults);
    registry.add(demo);
    demoTenantId = demo.id;
  }
  let generatedTenantId: string | null = null;
  if (opts.generate) {
    const t = createTenant({ generate: opts.generate, faults: opts.faults });
    registry.add(t);
    generatedTenantId = t.id;
  }

  return {
    url,
    port,
    certPath,
    demoTenantId,
    generatedTenantId,
    createTenant(spec) {
      const t = createTenant(spec);
      registry.add(t);
      return tenantManifest(t, url);
    },
    manifest(tenantId) {
      const t = registry.get(tenantId);
      return t ? tenantManifest(t, url) : null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
