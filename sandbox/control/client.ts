/**
 * A client for the control API (control-api.ts), for the processes that drive a sandbox from outside: tests,
 * the e2e fixtures, the benchmark. One JSON request; a refused one fails with the sandbox's own answer.
 */
export async function callSandbox<T = unknown>(sandboxUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sandboxUrl}/_sandbox${path}`, {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sandbox ${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}
