/**
 * Injected faults, per tenant: what real Graph and Entra do on a bad day. Set at start (CLI flags,
 * startSandbox) or at run time (POST /_sandbox/tenants/{id}/faults); setting replaces the whole set and
 * restarts every counter.
 */
import { z } from "zod";

const path = z.string().min(1);
const count = z.number().int().min(1);

export const FaultsSchema = z
  .object({
    /** Added before every Graph response (each page), in ms. */
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    /** Added before every token response, in ms. */
    tokenLatencyMs: z.number().int().min(0).max(600_000).optional(),
    /** On the nth request whose path matches (and the `times - 1` after it), answer `status` with Retry-After. */
    retryAfter: z
      .array(
        z
          .object({
            path,
            nth: count.default(1),
            times: count.default(1),
            seconds: z.number().int().min(0).max(3600).default(2),
            status: z.union([z.literal(429), z.literal(503)]).default(429),
          })
          .strict(),
      )
      .optional(),
    /** Fail page `page` (1-based) of a group's member listing, the first time it is asked for or always. */
    pageErrors: z
      .array(
        z
          .object({
            groupId: z.string().min(1),
            page: count,
            status: z.union([z.literal(403), z.literal(500), z.literal(503)]).default(503),
            mode: z.enum(["once", "always"]).default("once"),
            list: z.enum(["members", "transitiveMembers", "any"]).default("any"),
            retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
          })
          .strict(),
      )
      .optional(),
    /**
     * A budget like Graph's resource-unit buckets: past `limit` per window, 429 until the window ends. Graph
     * keeps the identity and access budget per application and tenant pair (another app in the same tenant has
     * its own), and from 80 % of it on, every answer carries `x-ms-throttle-limit-percentage` (0.8 to 1.8).
     * https://learn.microsoft.com/en-us/graph/throttling-limits#identity-and-access-service-limits
     * https://learn.microsoft.com/en-us/graph/throttling
     */
    throttle: z
      .object({
        limit: count,
        windowSeconds: z.number().min(1).max(3600).default(10),
        unit: z.enum(["requests", "resourceUnits"]).default("requests"),
      })
      .strict()
      .optional(),
    /** Destroy the connection (no HTTP answer) on the nth matching request and `times - 1` after it. */
    resetConnection: z.array(z.object({ path, nth: count.default(1), times: count.default(1) }).strict()).optional(),
    /**
     * Send the head of a successful answer and the first `afterBytes` of its body, then destroy the socket: a
     * connection lost mid-transfer, the commonest transient fault of a cloud service ("momentary loss of
     * network connectivity"). https://learn.microsoft.com/en-us/azure/well-architected/reliability/handle-transient-faults
     */
    bodyReset: z.array(z.object({ path, nth: count.default(1), times: count.default(1), afterBytes: z.number().int().min(0).default(4096) }).strict()).optional(),
    /**
     * Stall the nth matching request for `ms`, then drop the connection: before any byte ("headers") or after the
     * head and the first `afterBytes` of the body ("body"). Graph's client sets no timeout of its own; the
     * guidance counts "timeouts that occur when a service is busy" among the transient faults to retry.
     * https://learn.microsoft.com/en-us/azure/well-architected/reliability/handle-transient-faults
     */
    stall: z
      .array(
        z
          .object({
            path,
            nth: count.default(1),
            times: count.default(1),
            phase: z.enum(["headers", "body"]).default("body"),
            afterBytes: z.number().int().min(0).default(4096),
            ms: z.number().int().min(1).max(600_000).default(600_000),
          })
          .strict(),
      )
      .optional(),
    /**
     * Answer the nth matching request 200 with an HTML page instead of JSON (what a proxy or gateway in between
     * sends on a bad day). Graph's own answers are JSON; a client must treat anything else as a failed request
     * and retry it. https://learn.microsoft.com/en-us/graph/best-practices-concept#handling-expected-errors
     */
    nonJson: z.array(z.object({ path, nth: count.default(1), times: count.default(1) }).strict()).optional(),
  })
  .strict();

export type Faults = z.output<typeof FaultsSchema>;
export type FaultsInput = z.input<typeof FaultsSchema>;

export type RequestFault = { kind: "reset" } | { kind: "status"; status: 429 | 503; retryAfter: number };

/** Faults in how a successful answer is delivered (Graph requests only). */
export type AnswerFault =
  | { kind: "bodyReset"; afterBytes: number }
  | { kind: "stall"; phase: "headers" | "body"; afterBytes: number; ms: number }
  | { kind: "nonJson" };

/** The doc's threshold: x-ms-throttle-limit-percentage is sent once the caller has used 80 % of its limit. */
export const THROTTLE_WARNING_FRACTION = 0.8;

export interface Charge {
  /** Retry-After seconds when the budget is spent, else null. */
  wait: number | null;
  /** The share of the budget used, when it is at least 0.8 (sent as x-ms-throttle-limit-percentage), else null. */
  percentage: number | null;
}

/** `*` matches anything; a pattern without `*` matches any path containing it. Case-insensitive. */
export function pathMatcher(pattern: string): (path: string) => boolean {
  if (!pattern.includes("*")) {
    const needle = pattern.toLowerCase();
    return (p) => p.toLowerCase().includes(needle);
  }
  const re = new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");
  return (p) => re.test(p);
}

export class FaultEngine {
  private config: Faults = {};
  private retryCounts: number[] = [];
  private resetCounts: number[] = [];
  private pageErrorFired: boolean[] = [];
  private answerCounts = { bodyReset: [] as number[], stall: [] as number[], nonJson: [] as number[] };
  /** One budget window per application (the tenant is this engine's). */
  private windows = new Map<string, { start: number; used: number }>();
  private readonly matchers = new Map<string, (p: string) => boolean>();

  set(config: Faults): void {
    this.config = config;
    this.retryCounts = (config.retryAfter ?? []).map(() => 0);
    this.resetCounts = (config.resetConnection ?? []).map(() => 0);
    this.pageErrorFired = (config.pageErrors ?? []).map(() => false);
    this.answerCounts = { bodyReset: (config.bodyReset ?? []).map(() => 0), stall: (config.stall ?? []).map(() => 0), nonJson: (config.nonJson ?? []).map(() => 0) };
    this.windows = new Map();
  }

  clear(): void {
    this.set({});
  }

  snapshot() {
    return {
      faults: this.config,
      counters: {
        retryAfter: this.retryCounts,
        resetConnection: this.resetCounts,
        pageErrorsFired: this.pageErrorFired,
        ...this.answerCounts,
        throttle: this.config.throttle
          ? Object.fromEntries(
              [...this.windows].map(([appId, w]) => [appId, { windowStartedAt: w.start ? new Date(w.start).toISOString() : null, used: w.used }]),
            )
          : null,
      },
    };
  }

  latency(kind: "graph" | "token"): number {
    return (kind === "graph" ? this.config.latencyMs : this.config.tokenLatencyMs) ?? 0;
  }

  /** Rule-based faults for one request, counted whether or not they fire. `path` is pathname plus query. */
  onRequest(pathname: string, pathWithQuery: string): RequestFault | null {
    let hit: RequestFault | null = null;
    (this.config.resetConnection ?? []).forEach((r, k) => {
      if (!this.matches(r.path, pathname, pathWithQuery)) return;
      const n = ++this.resetCounts[k];
      if (!hit && n >= r.nth && n < r.nth + r.times) hit = { kind: "reset" };
    });
    (this.config.retryAfter ?? []).forEach((r, k) => {
      if (!this.matches(r.path, pathname, pathWithQuery)) return;
      const n = ++this.retryCounts[k];
      if (!hit && n >= r.nth && n < r.nth + r.times) hit = { kind: "status", status: r.status, retryAfter: r.seconds };
    });
    return hit;
  }

  /** Faults in delivering a successful Graph answer, counted whether or not they fire. */
  onAnswer(pathname: string, pathWithQuery: string): AnswerFault | null {
    let hit: AnswerFault | null = null;
    const each = <R extends { path: string; nth: number; times: number }>(rules: R[] | undefined, counts: number[], fault: (r: R) => AnswerFault) =>
      (rules ?? []).forEach((r, k) => {
        if (!this.matches(r.path, pathname, pathWithQuery)) return;
        const n = ++counts[k];
        if (!hit && n >= r.nth && n < r.nth + r.times) hit = fault(r);
      });
    each(this.config.bodyReset, this.answerCounts.bodyReset, (r) => ({ kind: "bodyReset", afterBytes: r.afterBytes }));
    each(this.config.stall, this.answerCounts.stall, (r) => ({ kind: "stall", phase: r.phase, afterBytes: r.afterBytes, ms: r.ms }));
    each(this.config.nonJson, this.answerCounts.nonJson, () => ({ kind: "nonJson" }));
    return hit;
  }

  pageError(groupId: string, list: "members" | "transitiveMembers", page: number): { status: 403 | 500 | 503; retryAfter: number | null } | null {
    const rules = this.config.pageErrors ?? [];
    for (let k = 0; k < rules.length; k++) {
      const r = rules[k];
      if (r.groupId.toLowerCase() !== groupId.toLowerCase() || r.page !== page || (r.list !== "any" && r.list !== list)) continue;
      if (r.mode === "once" && this.pageErrorFired[k]) continue;
      this.pageErrorFired[k] = true;
      return { status: r.status, retryAfter: r.retryAfterSeconds ?? null };
    }
    return null;
  }

  /** Charges one request of `appId` against its budget in this tenant. */
  charge(resourceUnits: number, appId: string, now = Date.now()): Charge {
    const t = this.config.throttle;
    if (!t) return { wait: null, percentage: null };
    const windowMs = t.windowSeconds * 1000;
    const key = appId.toLowerCase();
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) this.windows.set(key, (w = { start: now, used: 0 }));
    const cost = t.unit === "resourceUnits" ? resourceUnits : 1;
    if (w.used + cost > t.limit) return { wait: Math.max(1, Math.ceil((w.start + windowMs - now) / 1000)), percentage: null };
    w.used += cost;
    const used = w.used / t.limit;
    return { wait: null, percentage: used >= THROTTLE_WARNING_FRACTION ? Math.round(used * 100) / 100 : null };
  }

  private matches(pattern: string, pathname: string, pathWithQuery: string): boolean {
    let m = this.matchers.get(pattern);
    if (!m) this.matchers.set(pattern, (m = pathMatcher(pattern)));
    return m(pattern.includes("?") ? pathWithQuery : pathname);
  }
}
