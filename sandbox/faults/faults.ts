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
            status: z.union([z.literal(500), z.literal(503)]).default(503),
            mode: z.enum(["once", "always"]).default("once"),
            list: z.enum(["members", "transitiveMembers", "any"]).default("any"),
            retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
          })
          .strict(),
      )
      .optional(),
    /** A budget like Graph's resource-unit buckets: past `limit` per window, 429 until the window ends. */
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
  })
  .strict();

export type Faults = z.output<typeof FaultsSchema>;
export type FaultsInput = z.input<typeof FaultsSchema>;

export type RequestFault = { kind: "reset" } | { kind: "status"; status: 429 | 503; retryAfter: number };

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
  private window = { start: 0, used: 0 };
  private readonly matchers = new Map<string, (p: string) => boolean>();

  set(config: Faults): void {
    this.config = config;
    this.retryCounts = (config.retryAfter ?? []).map(() => 0);
    this.resetCounts = (config.resetConnection ?? []).map(() => 0);
    this.pageErrorFired = (config.pageErrors ?? []).map(() => false);
    this.window = { start: 0, used: 0 };
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
        throttle: this.config.throttle ? { windowStartedAt: this.window.start ? new Date(this.window.start).toISOString() : null, used: this.window.used } : null,
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

  pageError(groupId: string, list: "members" | "transitiveMembers", page: number): { status: 500 | 503; retryAfter: number | null } | null {
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

  /** Charges one request against the budget; the Retry-After seconds when it is over, else null. */
  charge(resourceUnits: number, now = Date.now()): number | null {
    const t = this.config.throttle;
    if (!t) return null;
    const windowMs = t.windowSeconds * 1000;
    if (!this.window.start || now - this.window.start >= windowMs) this.window = { start: now, used: 0 };
    const cost = t.unit === "resourceUnits" ? resourceUnits : 1;
    if (this.window.used + cost > t.limit) return Math.max(1, Math.ceil((this.window.start + windowMs - now) / 1000));
    this.window.used += cost;
    return null;
  }

  private matches(pattern: string, pathname: string, pathWithQuery: string): boolean {
    let m = this.matchers.get(pattern);
    if (!m) this.matchers.set(pattern, (m = pathMatcher(pattern)));
    return m(pattern.includes("?") ? pathWithQuery : pathname);
  }
}
