/**
 * What a tenant was asked, for tests to assert on: that Retry-After was honoured (time of the retry vs the
 * 429), that $select was minimal, that ConsistencyLevel was re-sent on every page. Bounded, oldest dropped.
 */

export interface LoggedRequest {
  seq: number;
  /** ISO time the request arrived, and the same as epoch milliseconds. */
  time: string;
  at: number;
  durationMs: number;
  kind: "oidc" | "token" | "graph";
  method: string;
  /** Path and query as received. */
  url: string;
  status: number;
  /** Client id for token requests; the token's appid for Graph requests. */
  appId: string | null;
  consistencyLevel: string | null;
  authorization: boolean;
  clientRequestId: string | null;
  /** The Graph SDK's Retry-Attempt header (1, 2, …) on its retries. */
  retryAttempt: number | null;
  /** Parsed OData options, when present. */
  select: string[] | null;
  top: number | null;
  /** Seconds sent in Retry-After, for 429/503 answers. */
  retryAfter: number | null;
  /** Graph's resource-unit cost of the request (x-ms-resource-unit). */
  resourceUnits: number | null;
  /** Error code sent (Graph `error.code` or Entra `AADSTS…`). */
  error: string | null;
  /** The fault that shaped the answer, if any: latency, retryAfter, pageError, throttle, resetConnection. */
  fault: string | null;
}

const LIMIT = 20_000;

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  add(entry: Omit<LoggedRequest, "seq">): LoggedRequest {
    const e = { seq: ++this.seq, ...entry };
    this.entries.push(e);
    if (this.entries.length > LIMIT) this.entries.splice(0, this.entries.length - LIMIT);
    return e;
  }

  list(since = 0): LoggedRequest[] {
    return since > 0 ? this.entries.filter((e) => e.seq > since) : [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
