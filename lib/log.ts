/**
 * Server logging. Errors are logged by name, message and stack only; request bodies, form data and
 * credential objects are never passed here, so a client secret cannot reach a log line.
 */
const SECRETISH = /(client_secret|password|secret|authorization)=([^&\s"]+)/gi;

export function redact(text: string): string {
  return text.replace(SECRETISH, "$1=[redacted]").replace(/Bearer\s+[A-Za-z0-9._-]+/g, "Bearer [redacted]");
}

export function logError(context: string, error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  console.error(`[roster] ${context}: ${redact(`${e.name}: ${e.message}`)}\n${redact(e.stack ?? "")}`);
}

export function logInfo(message: string, fields?: Record<string, string | number | boolean | null>): void {
  console.log(`[roster] ${message}${fields ? " " + JSON.stringify(fields) : ""}`);
}
