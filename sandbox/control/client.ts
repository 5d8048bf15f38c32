/**
 * A client for the control API (control-api.ts), for the processes that drive a sandbox from outside: tests,
 * the e2e fixtures, the benchmark. One JSON request; a refused one fails with the sandbox's own answer.
 *
 * A request whose connection breaks before an answer (ECONNRESET on a reused idle socket, "other side closed")
 * is sent again, but only when sending it twice does what sending it once does:
 * - GET and DELETE (reads; deleting a tenant or clearing a log leaves the same state the second time);
 * - PUT or POST to `/tenants/{id}/faults`, which replaces the tenant's whole fault set.
 * Creating a tenant (POST /tenants) and applying mutations (POST /tenants/{id}/mutations) are not repeated:
 * the first attempt may have been applied, and a second would create another tenant or apply the ops twice.
 */
export interface SandboxAnswer<T> {
  status: number;
  body: T;
}

/** Attempts for a call that may be repeated (the first one included). */
const ATTEMPTS = 3;

export function isIdempotentControlCall(method: string, path: string): boolean {
  const m = method.toUpperCase();
  if (m === "GET" || m === "HEAD" || m === "DELETE") return true;
  if (m === "PUT" || m === "POST") return /^\/tenants\/[^/]+\/faults\/?$/.test(path.split("?")[0]);
  return false;
}

/** The connection failed before any answer arrived (fetch rejects; a status, even a 500, is an answer). */
function isConnectionFailure(e: unknown): boolean {
  return e instanceof TypeError || (e instanceof Error && /ECONNRESET|EPIPE|socket|other side closed|fetch failed/i.test(`${e.message} ${String((e as { cause?: unknown }).cause ?? "")}`));
}

function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One control request, answered with its status and parsed body (null when empty); never throws on a status. */
export async function sandboxRequest<T = unknown>(sandboxUrl: string, method: string, path: string, body?: unknown): Promise<SandboxAnswer<T>> {
  const attempts = isIdempotentControlCall(method, path) ? ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${sandboxUrl}/_sandbox${path}`, {
        method,
        headers: body === undefined ? undefined : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: parseBody(text) as T };
    } catch (e) {
      if (attempt >= attempts || !isConnectionFailure(e)) throw e;
    }
  }
}

export async function callSandbox<T = unknown>(sandboxUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await sandboxRequest<T>(sandboxUrl, method, path, body);
  if (res.status < 200 || res.status > 299) throw new Error(`sandbox ${method} ${path} → ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}
