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
