/**
 * One Graph request end to end: authenticate, apply the tenant's injected faults (connection reset,
 * Retry-After answers, throttle budget, page errors, latency), route, answer with Graph's headers, log.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TokenSigner } from "../auth/jwt";
import type { AnswerFault } from "../faults/faults";
import { send, sleep, type Headers } from "../http/respond";
import type { RequestLog } from "../log/request-log";
import type { TenantRegistry } from "../tenants/registry";
import type { Tenant } from "../tenants/tenant";
import { authenticate, claimedTenant } from "./bearer";
import { GraphError, graphErrorBody } from "./errors";
import { JSON_TYPE, type GraphAnswer } from "./lists";
import { parseQuery, type ODataQuery } from "./query";
import { route } from "./routes";
import { deltaResource, logQuery, parseDeltaParams } from "./delta-query";
import { serveDelta } from "./delta";

export interface GraphContext {
  registry: TenantRegistry;
  signer: TokenSigner;
  /** Requests that name no known tenant. */
  unattributed: RequestLog;
}

const header = (req: IncomingMessage, name: string): string | null => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : (v ?? null);
};

/** Graph's resource-unit cost (identity service limits): members 3, transitiveMembers 5, users 2, else 1. */
export function resourceUnits(segments: string[], q: ODataQuery | null): number {
  const s = segments.map((x) => x.toLowerCase());
  let cost = s[2] === "transitivemembers" ? 5 : s[2] === "members" ? 3 : s[0] === "users" && s.length === 1 ? 2 : 1;
  if (q?.select) cost -= 1;
  if (q?.top !== null && q?.top !== undefined && q.top < 20) cost -= 1;
  return Math.max(1, cost);
}

function throttled(status: 429 | 503, seconds: number, appId: string, tenantId: string, fault: string): GraphError {
  const e =
    status === 429
      ? new GraphError(429, "TooManyRequests", `Too many requests from Identifier:${appId}+${tenantId} under category:throttle.aad.ags.appId.large. Please try again later.`, {
          "Retry-After": seconds,
          "x-ms-throttle-scope": `Tenant_Application/Read/${appId}/${tenantId}`,
          "x-ms-throttle-information": "ResourceUnitLimitExceeded",
        })
      : new GraphError(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry after some time.", { "Retry-After": seconds });
  e.fault = fault;
  return e;
}

export async function handleGraph(req: IncomingMessage, res: ServerResponse, url: URL, origin: string, ctx: GraphContext): Promise<void> {
  const started = Date.now();
  const requestId = randomUUID();
  const clientRequestId = header(req, "client-request-id") ?? requestId;
  const consistencyLevel = header(req, "consistencylevel");
  const eventual = consistencyLevel?.toLowerCase() === "eventual";
  let tenant: Tenant | undefined = claimedTenant(req.headers.authorization, ctx.registry);
  let appId: string | null = null;
  let query: ODataQuery | null = null;
  let ru: number | null = null;
  let answer: GraphAnswer;
  let delivery: AnswerFault | null = null;
  let limitPercentage: number | null = null;

  const log = (status: number, a: GraphAnswer | null, fault: string | null) =>
    (tenant?.log ?? ctx.unattributed).add({
      time: new Date(started).toISOString(),
      at: started,
      durationMs: Date.now() - started,
      kind: "graph",
      method: req.method ?? "GET",
      url: req.url ?? "",
      status,
      appId,
      consistencyLevel,
      authorization: !!req.headers.authorization,
      clientRequestId: header(req, "client-request-id"),
      retryAttempt: header(req, "retry-attempt") !== null ? Number(header(req, "retry-attempt")) : null,
      select: query?.select ?? null,
      top: query?.top ?? null,
      retryAfter: a?.headers?.["Retry-After"] !== undefined ? Number(a.headers["Retry-After"]) : null,
      resourceUnits: ru,
      error: a?.error ?? null,
      fault,
    });

  try {
    const [version, ...segments] = url.pathname.split("/").filter(Boolean).map((s) => decodeURIComponent(s));
    if (version !== "v1.0") throw new GraphError(version === "beta" ? 501 : 400, version === "beta" ? "NotImplemented" : "BadRequest", version === "beta" ? "The Roster sandbox emulates Graph v1.0 only." : `Invalid version: ${version}`);
    const caller = authenticate(req.headers.authorization, ctx.registry, ctx.signer);
    tenant = caller.tenant;
    appId = caller.appId;
    if (req.method !== "GET") throw new GraphError(405, "Request_BadRequest", `The Roster sandbox serves directory reads only; '${req.method}' is not emulated.`);
    const rule = tenant.faults.onRequest(url.pathname, url.pathname + url.search);
    if (rule?.kind === "reset") {
      log(0, null, "resetConnection");
      req.socket.destroy();
      return;
    }
    if (rule?.kind === "status") throw throttled(rule.status, rule.retryAfter, appId, tenant.id, "retryAfter");
    // Delta functions take their own options ($deltatoken, $skiptoken, an id-only $filter): delta-query.ts.
    const delta = deltaResource(segments);
    const deltaParams = delta ? parseDeltaParams(delta, url.searchParams) : null;
    query = deltaParams ? logQuery(deltaParams) : parseQuery(url.searchParams);
    ru = resourceUnits(segments, query);
    // The budget is the application's in this tenant (identity and access limits: per application+tenant pair).
    const charge = tenant.faults.charge(ru, appId);
    if (charge.wait !== null) throw throttled(429, charge.wait, appId, tenant.id, "throttle");
    limitPercentage = charge.percentage;
    delivery = tenant.faults.onAnswer(url.pathname, url.pathname + url.search);
    const call = { tenant, caller, query, eventual, advanced: eventual && query.count, origin, path: url.pathname };
    answer = deltaParams ? serveDelta(call, deltaParams, header(req, "prefer")) : route(call, segments);
  } catch (e) {
    if (!(e instanceof GraphError)) console.error("sandbox: Graph handler failed", e);
    const g = e instanceof GraphError ? e : new GraphError(500, "Service_InternalServerError", "Encountered an internal server error.");
    answer = { status: g.status, body: graphErrorBody(g.code, g.message, requestId, clientRequestId), contentType: JSON_TYPE, headers: g.headers, fault: g.fault, error: g.code };
  }

  // Latency is the emulated service's response time, counted from the request's arrival: like Graph's own
  // latency it includes building the page, so a benchmark's floor is pages × latency, not pages × (latency +
  // however long this emulator took on a busy machine).
  const latency = tenant?.faults.latency("graph") ?? 0;
  const remaining = latency - (Date.now() - started);
  if (remaining > 0) await sleep(remaining);
  const headers: Headers = {
    "request-id": requestId,
    "client-request-id": clientRequestId,
    "x-ms-ags-diagnostic": JSON.stringify({ ServerInfo: { DataCenter: "Roster Sandbox", Slice: "E", Ring: "0", ScaleUnit: "000", RoleInstance: "SANDBOX" } }),
    "OData-Version": "4.0",
    "Cache-Control": "no-cache",
    "Strict-Transport-Security": "max-age=31536000",
    ...(ru !== null && answer.status < 400 ? { "x-ms-resource-unit": ru } : {}),
    // Sent on regular answers once the caller has used 0.8 or more of its limit (0.8 to 1.8).
    // https://learn.microsoft.com/en-us/graph/throttling-limits#identity-and-access-service-limits
    ...(limitPercentage !== null && answer.status < 400 ? { "x-ms-throttle-limit-percentage": limitPercentage.toFixed(2) } : {}),
    ...answer.headers,
  };
  if (delivery && answer.status < 400) {
    log(answer.status, answer, delivery.kind);
    await deliverBadly(req, res, answer, headers, delivery);
    return;
  }
  send(res, answer.status, answer.body, answer.contentType ?? JSON_TYPE, headers);
  log(answer.status, answer, answer.fault ?? (latency > 0 ? "latency" : null));
}

/** A successful answer delivered the way a bad network or a proxy in between delivers it (faults.ts). */
async function deliverBadly(req: IncomingMessage, res: ServerResponse, answer: GraphAnswer, headers: Headers, fault: AnswerFault): Promise<void> {
  if (fault.kind === "nonJson") {
    const html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";
    send(res, 200, html, "text/html; charset=utf-8", { ...headers, "Content-Type": "text/html; charset=utf-8" });
    return;
  }
  if (fault.kind === "stall" && fault.phase === "headers") {
    await sleep(fault.ms);
    req.socket.destroy();
    return;
  }
  // The head promises the whole body (Content-Length), then only its first bytes arrive.
  const body = Buffer.from(answer.body, "utf8");
  if (res.destroyed) return;
  res.writeHead(answer.status, { "Content-Type": answer.contentType ?? JSON_TYPE, "Content-Length": body.length, ...headers });
  res.write(body.subarray(0, Math.min(fault.afterBytes, Math.max(0, body.length - 1))));
  if (fault.kind === "stall") await sleep(fault.ms);
  // Let the written bytes leave before the connection goes (the client must see a head and part of a body).
  await new Promise<void>((resolve) => {
    if (res.destroyed || !res.socket) return resolve();
    res.socket.write("", () => resolve());
  });
  req.socket.destroy();
}
