/**
 * A failed Graph request, reduced to what retry and diagnosis need. Built from the Graph client's GraphError
 * (or a network failure) so that callers never depend on the SDK's error shape.
 */
export class GraphRequestError extends Error {
  /** HTTP status; 0 when no response arrived (network failure, TLS error). */
  readonly status: number;
  /** Graph's error code (e.g. Authorization_RequestDenied, Request_ResourceNotFound), or "network_error". */
  readonly code: string;
  /** Retry-After of the response, when it carried one. */
  readonly retryAfterMs?: number;
  /** The request's path and query (never a token). */
  readonly path?: string;
  /** Graph's `request-id` and `date` response headers: what Microsoft support asks for. */
  readonly requestId?: string;
  readonly date?: string;

  constructor(init: { status: number; code: string; message: string; retryAfterMs?: number; path?: string; requestId?: string; date?: string }) {
    super(init.message);
    this.name = "GraphRequestError";
    this.status = init.status;
    this.code = init.code;
    this.retryAfterMs = init.retryAfterMs;
    this.path = init.path;
    this.requestId = init.requestId;
    this.date = init.date;
  }
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface SdkGraphError {
  statusCode?: number;
  code?: string | null;
  message?: string;
  body?: unknown;
  headers?: { get(name: string): string | null };
  requestId?: string | null;
  date?: Date | string | null;
}

/** The `request-id` and `date` of a response, for support (absent when no response arrived). */
export function supportIds(headers: { get(name: string): string | null } | undefined | null): { requestId?: string; date?: string } {
  if (!headers || typeof headers.get !== "function") return {};
  return { requestId: headers.get("request-id") ?? undefined, date: headers.get("date") ?? undefined };
}

/** Converts whatever the Graph client threw into a GraphRequestError. */
export function toGraphRequestError(error: unknown, path: string): GraphRequestError {
  if (error instanceof GraphRequestError) return error;
  const e = (error ?? {}) as SdkGraphError;
  const status = typeof e.statusCode === "number" && e.statusCode > 0 ? e.statusCode : 0;
  if (status === 0) {
    const cause = error instanceof Error ? error.message : typeof e.body === "string" ? e.body : String(error);
    return new GraphRequestError({ status: 0, code: "network_error", message: `Could not reach Microsoft Graph: ${cause}`, path });
  }
  const retryAfter = typeof e.headers?.get === "function" ? e.headers.get("retry-after") : undefined;
  const ids = supportIds(e.headers);
  return new GraphRequestError({
    ...ids,
    requestId: ids.requestId ?? (e.requestId || undefined),
    status,
    code: e.code || `http_${status}`,
    message: e.message || `Microsoft Graph answered ${status}.`,
    retryAfterMs: parseRetryAfter(retryAfter),
    path,
  });
}
