/**
 * Text that enters the database from outside (Graph, CSV files, forms, error messages) is made storable here.
 * PostgreSQL's text type cannot hold U+0000, and jsonb refuses both the `\u0000` escape and a lone UTF-16
 * surrogate (JSON.stringify writes one as `\udXXX`): a single such character in a display name failed the
 * statement that staged it, and then the statement that recorded the failure. So:
 *   - NUL is removed; other control characters (C0 except tab, CR and LF; DEL; C1) become a space;
 *   - a lone surrogate becomes U+FFFD, the replacement character;
 *   - display strings are cut at their documented size (Graph documents displayName at 256 characters).
 * Pure, no dependencies: lib/directory/entra, lib/sync, lib/audience and the actions all use it.
 */

/** Lone high surrogates (no low one after) and lone low surrogates (no high one before). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NUL = /\u0000/g;
const CONTROL = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF]/;
const CONTROL_OR_NEWLINE = /[\u0001-\u001F\u007F-\u009F]/g;

/**
 * The documented maximum length of a directory object's displayName: 256 characters for users and groups.
 * https://learn.microsoft.com/en-us/graph/api/resources/user?view=graph-rest-1.0#properties
 * https://learn.microsoft.com/en-us/graph/api/resources/group?view=graph-rest-1.0#properties
 */
export const DIRECTORY_NAME_MAX = 256;

/** True when the text holds something PostgreSQL would refuse (NUL, lone surrogate). */
export function hasUnstorableText(value: string): boolean {
  NUL.lastIndex = 0;
  LONE_SURROGATE.lastIndex = 0;
  return NUL.test(value) || LONE_SURROGATE.test(value);
}

/** True when the text holds U+0000. */
export function hasNul(value: string): boolean {
  return value.includes("\u0000");
}

/** Storable text, otherwise unchanged: NUL removed, lone surrogates replaced. Multi-line text keeps its lines. */
export function storableText(value: string): string {
  if (!SUSPECT.test(value)) return value;
  return value.replace(NUL, "").replace(LONE_SURROGATE, "\uFFFD").replace(CONTROL, " ");
}

/**
 * A one-line name (a person's or a group's display name, a file's label): storable, every control character
 * (newlines too) a space, trimmed, and at most `max` characters (code points, so an emoji is never split),
 * the cut marked with "…". Empty becomes null.
 */
export function cleanName(value: string | null | undefined, max: number = DIRECTORY_NAME_MAX): string | null {
  if (value == null) return null;
  const text = value.replace(NUL, "").replace(LONE_SURROGATE, "\uFFFD").replace(CONTROL_OR_NEWLINE, " ").trim();
  if (!text) return null;
  return truncate(text, max);
}

/** At most `max` code points; a cut string ends with "…" (within the limit). */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const points = Array.from(value);
  if (points.length <= max) return value;
  return `${points.slice(0, Math.max(0, max - 1)).join("").trimEnd()}…`;
}

/**
 * A value about to become jsonb (a diagnosis, an audit detail): every string in it, keys included, made
 * storable, and strings longer than `maxString` cut, so that recording a failure can never itself fail on
 * what the failure said.
 */
export function jsonSafe<T>(value: T, maxString = 4_000): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return truncate(storableText(v), maxString);
    if (v === null || typeof v !== "object" || depth > 20) return v;
    if (v instanceof Date) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[storableText(k)] = walk(x, depth + 1);
    return out;
  };
  return walk(value, 0) as T;
}

/**
 * A server action's input as it arrives from a form: every string in plain objects and arrays made storable
 * (lengths are the schema's business). Anything else (File, FormData, numbers) passes unchanged.
 */
export function storableInput<T>(value: T): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return storableText(v);
    if (v === null || typeof v !== "object" || depth > 20) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = walk(x, depth + 1);
    return out;
  };
  return walk(value, 0) as T;
}
