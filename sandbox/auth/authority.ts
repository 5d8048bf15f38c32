/**
 * The Entra side of the server: the OpenID configuration, the token endpoint and the (empty) key set, per
 * tenant path segment (a tenant id or one of its domains). Unknown tenants get AADSTS90002 from both, as
 * Entra answers. Token requests obey the tenant's token faults (latency, Retry-After, connection reset).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson, sleep } from "../http/respond";
import type { RequestLog } from "../log/request-log";
import type { TenantRegistry } from "../tenants/registry";
import { aadsts, tenantNotFound } from "./aadsts";
import type { TokenSigner } from "./jwt";
import { openIdConfiguration } from "./openid-config";
import { issueToken } from "./token-endpoint";

export interface AuthorityContext {
  registry: TenantRegistry;
  signer: TokenSigner;
  unattributed: RequestLog;
}

const ENTRA_HEADERS = { "Cache-Control": "no-store, no-cache", Pragma: "no-cache", "x-ms-ests-server": "2.1.0 - Roster sandbox" };

export async function handleAuthority(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  origin: string,
  ctx: AuthorityContext,
  endpoint: "oidc" | "token" | "keys",
  tenantParam: string,
): Promise<void> {
  const started = Date.now();
  const tenant = ctx.registry.get(tenantParam);
  const corrHeader = req.headers["client-request-id"];
  const corr = typeof corrHeader === "string" ? corrHeader : undefined;
  let status = 200;
  let appId: string | null = null;
  let error: string | null = null;
  let fault: string | null = null;
  let retryAfter: number | null = null;
  const log = () =>
    (tenant?.log ?? ctx.unattributed).add({
      time: new Date(started).toISOString(),
      at: started,
      durationMs: Date.now() - started,
      kind: endpoint === "token" ? "token" : "oidc",
      method: req.method ?? "GET",
      url: req.url ?? "",
      status,
      appId,
      consistencyLevel: null,
      authorization: !!req.headers.authorization,
      clientRequestId: corr ?? null,
      retryAttempt: null,
      select: null,
      top: null,
      retryAfter,
      resourceUnits: null,
      error,
      fault,
    });
  const headers = { ...ENTRA_HEADERS, "x-ms-request-id": randomUUID() };

  if (endpoint === "keys") {
    // Sandbox tokens are HS256 with a private key: there is nothing to publish.
    sendJson(res, tenant ? 200 : 400, tenant ? { keys: [] } : tenantNotFound(tenantParam, corr).body, headers);
    status = tenant ? 200 : 400;
    log();
    return;
  }
  if (endpoint === "oidc") {
    const e = tenant ? null : tenantNotFound(tenantParam, corr);
    status = e ? e.status : 200;
    error = e ? "AADSTS90002" : null;
    sendJson(res, status, e ? e.body : openIdConfiguration(tenant!, origin), headers);
    log();
    return;
  }

  if (req.method !== "POST") {
    const e = aadsts(400, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a GET request.", corr);
    status = e.status;
    error = "AADSTS900561";
    sendJson(res, status, e.body, headers);
    log();
    return;
  }
  const form = new URLSearchParams(await readBody(req, 64 * 1024));
  appId = form.get("client_id");
  if (tenant) {
    const rule = tenant.faults.onRequest(url.pathname, url.pathname + url.search);
    if (rule?.kind === "reset") {
      status = 0;
      fault = "resetConnection";
      log();
      req.socket.destroy();
      return;
    }
    const latency = tenant.faults.latency("token");
    if (latency > 0) {
      fault = "latency";
      await sleep(latency);
    }
    if (rule?.kind === "status") {
      status = rule.status;
      retryAfter = rule.retryAfter;
      fault = "retryAfter";
      error = rule.status === 429 ? "AADSTS50196" : "AADSTS90033";
      const e =
        rule.status === 429
          ? aadsts(429, "temporarily_unavailable", 50196, "The server terminated an operation because it encountered a client request loop. Please contact your app vendor.", corr)
          : aadsts(503, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.", corr);
      sendJson(res, status, e.body, { ...headers, "Retry-After": rule.retryAfter });
      log();
      return;
    }
  }
  const auth = req.headers.authorization;
  let basic: { id: string; secret: string } | null = null;
  if (auth?.toLowerCase().startsWith("basic ")) {
    const [id, ...rest] = Buffer.from(auth.slice(6), "base64").toString("utf8").split(":");
    basic = { id: decodeURIComponent(id), secret: decodeURIComponent(rest.join(":")) };
  }
  const result = await issueToken(tenant, tenantParam, form, basic, ctx.signer, corr, Date.now(), origin);
  status = result.status;
  error = result.error;
  appId = result.appId ?? appId;
  sendJson(res, status, result.body, headers);
  log();
}
