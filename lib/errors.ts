/**
 * Errors the product expects and can explain. Anything else is a bug: it is logged on the server and the
 * user sees a generic message, never a stack, SQL, or a secret.
 */
export type ErrorCode =
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "invalid_input"
  | "conflict"
  | "rate_limited"
  | "too_large"
  | "unavailable";

const statusByCode: Record<ErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  invalid_input: 400,
  conflict: 409,
  rate_limited: 429,
  too_large: 413,
  unavailable: 503,
};

export class RosterError extends Error {
  readonly code: ErrorCode;
  /** Messages to show beside specific form fields, keyed by field name. */
  readonly fields?: Record<string, string>;

  constructor(code: ErrorCode, message: string, fields?: Record<string, string>) {
    super(message);
    this.name = "RosterError";
    this.code = code;
    this.fields = fields;
  }

  get status(): number {
    return statusByCode[this.code];
  }
}

export const unauthenticated = () => new RosterError("unauthenticated", "Sign in to continue.");
export const forbidden = (message = "You do not have permission to do that.") => new RosterError("forbidden", message);
export const notFound = (what: string) => new RosterError("not_found", `${what} was not found.`);
export const invalidInput = (message: string, fields?: Record<string, string>) =>
  new RosterError("invalid_input", message, fields);

export type ActionError = { code: ErrorCode | "internal"; message: string; fields?: Record<string, string> };
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };

/**
 * The one mapping from a thrown error to what a person is told, for server actions (lib/action.ts) and route
 * handlers alike: a RosterError keeps its code, message and fields, with its HTTP status; anything else is
 * logged by the caller's `log` (with `context`) and answered with a generic message, never its text. Next's
 * redirect() and notFound() work by throwing an error with a digest: those are rethrown untouched.
 */
export function errorResponse(error: unknown, log: (error: unknown) => void): { status: number; error: ActionError } {
  if (error instanceof RosterError) {
    return { status: error.status, error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } };
  }
  if (error && typeof error === "object" && "digest" in error) throw error;
  log(error);
  return { status: 500, error: { code: "internal", message: "Something went wrong on our side. Please try again." } };
}

/**
 * errorResponse as a route handler's JSON reply, `{ "error": { code, message, fields? } }` with its status and
 * never cached. `context` names the route in the server log when the error is not one the product expects.
 */
export function errorJson(error: unknown, context: string, log: (context: string, error: unknown) => void): Response {
  const { status, error: body } = errorResponse(error, (e) => log(context, e));
  return Response.json({ error: body }, { status, headers: { "cache-control": "no-store" } });
}

/** A diagnosis an error carries itself (e.g. a stored secret that cannot be opened), in the shape diagnoses have. */
export interface OwnDiagnosis {
  code: string;
  title: string;
  fix: string;
}

export function ownDiagnosis(error: unknown): OwnDiagnosis | undefined {
  const d = error && typeof error === "object" && "diagnosis" in error ? (error as { diagnosis?: unknown }).diagnosis : undefined;
  return d && typeof d === "object" && "code" in d && "title" in d && "fix" in d ? (d as OwnDiagnosis) : undefined;
}

/** The SQLSTATE of a PostgreSQL error anywhere in the cause chain (postgres.js and PGlite both carry `code` and `severity`). */
export function databaseErrorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, severity } = e as { code?: unknown; severity?: unknown };
    if (typeof severity === "string" && typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** Text from a database layer: drizzle's "Failed query: <sql> params: <values>", or a bare statement. */
const SQL_TEXT = /Failed query:|\bparams:|\b(select\s[\s\S]*\sfrom|insert\s+into|update\s+"?\w+"?\s+set|delete\s+from)\b/i;

/**
 * What may be shown of an unexpected error (a diagnosis's "Details"): its name and message, except that a database
 * error, which carries SQL, query parameters or row values, is named only by its SQLSTATE. The full error, cause
 * and all, belongs in the server log (lib/log.ts).
 */
export function publicErrorText(error: unknown): string | undefined {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : typeof error === "string" ? error : undefined;
  if (text === undefined) return undefined;
  const sqlState = databaseErrorCode(error);
  if (sqlState || SQL_TEXT.test(text)) {
    return `A database error${sqlState ? ` (SQLSTATE ${sqlState})` : ""} stopped this. The server log has the details.`;
  }
  return text;
}
