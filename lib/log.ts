/**
 * Server logging. Errors are logged by name, message and stack only; request bodies, form data and
 * credential objects are never passed here, so a client secret cannot reach a log line.
 */
const SECRETISH = /(client_secret|password|secret|authorization)=([^&\s"]+)/gi;

export function redact(text: string): string {
  return text.replace(SECRETISH, "$1=[redacted]").replace(/Bearer\s+[A-Za-z0-9._-]+/g, "Bearer [redacted]");
}

/**
 * Logs an error with its cause chain: drizzle's "Failed query" wraps the PostgreSQL error that says what went wrong
 * (its message, SQLSTATE, detail and constraint), which is the part worth reading.
 */
export function logError(context: string, error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  let text = `[roster] ${context}: ${redact(`${e.name}: ${e.message}`)}\n${redact(e.stack ?? "")}`;
  let cause: unknown = e.cause;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    const c = cause instanceof Error ? cause : new Error(String(cause));
    const pg = c as Error & { code?: unknown; detail?: unknown; constraint?: unknown; table?: unknown };
    const extra = [
      typeof pg.code === "string" ? `code ${pg.code}` : "",
      typeof pg.detail === "string" ? `detail: ${pg.detail}` : "",
      typeof pg.constraint === "string" ? `constraint ${pg.constraint}` : "",
      typeof pg.table === "string" ? `table ${pg.table}` : "",
    ].filter(Boolean);
    text += `\n  caused by ${redact(`${c.name}: ${c.message}`)}${extra.length ? ` (${redact(extra.join(", "))})` : ""}`;
    cause = c.cause;
  }
  console.error(text);
}

export function logInfo(message: string, fields?: Record<string, string | number | boolean | null>): void {
  console.log(`[roster] ${message}${fields ? " " + JSON.stringify(fields) : ""}`);
}
