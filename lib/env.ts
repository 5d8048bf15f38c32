import { z } from "zod";

/**
 * Roster's configuration contract (docs/design.md, "Configuration contract") in one zod schema, after t3's env
 * pattern: every variable is declared once, an empty value counts as unset, and a missing or malformed variable
 * is reported by name with what it should be, never with its value (most of them are secrets).
 *
 * Validated once at start (`assertEnv`: Next's instrumentation hook, the CLI, the dev script), and read lazily
 * at call time (`readEnv`), so tests that set process.env between calls see their values. Parsing is cheap: a
 * dozen strings.
 *
 * Not here: what only development or tests read (NODE_ENV, ROSTER_DATA_DIR, DATABASE_POOL_MAX, VITEST, PORT), and
 * db/client.ts's own reading of DATABASE_URL when called with none (db/ imports nothing above it); lib/db.ts
 * passes it the validated value.
 */

/** Unset, or empty as `.env.example` leaves it: both mean "not configured". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), schema.optional());

const secret = (hint: string) => z.string({ error: `must be a string (${hint})` }).trim().min(1, { error: `is empty (${hint})` });

const base64Key = z
  .string()
  .trim()
  .refine((value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, "base64").length === 32, {
    error: "must be 32 bytes encoded in base64 (for example `openssl rand -base64 32`)",
  });

const origin = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { error: `must be a ${protocols.map((p) => p.replace(":", "")).join(" or ")} URL such as ${example}` },
    )
    .transform((value) => new URL(value).origin);

const MULTI_TENANT = ["common", "organizations", "consumers"];

const schema = z
  .object({
    DATABASE_URL: optional(
      z
        .string()
        .trim()
        .refine((value) => /^postgres(ql)?:\/\/./.test(value), {
          error: "must be a PostgreSQL URL such as postgres://user:pass@host:5432/roster (unset: the embedded database)",
        }),
    ),
    AUTH_SECRET: optional(secret("openssl rand -base64 32")),
    NEXTAUTH_SECRET: optional(secret("openssl rand -base64 32")),
    NEXTAUTH_URL: optional(origin(["http:", "https:"], "https://roster.example.com")),
    /**
     * Roster's OIDC issuer for federated credentials, when it differs from NEXTAUTH_URL (a test's HTTPS front).
     * Entra fetches an issuer's keys over HTTPS only, so federation needs an https URL here or in NEXTAUTH_URL.
     */
    OIDC_ISSUER_URL: optional(origin(["https:", "http:"], "https://roster.example.com")),
    ENCRYPTION_KEY: optional(base64Key),
    ENCRYPTION_KEY_PREVIOUS: optional(base64Key),
    CRON_SECRET: optional(secret("openssl rand -base64 32")),
    ENTRA_AUTHORITY_HOST: optional(origin(["https:"], "https://localhost:4443 (Entra clients refuse plain http)")),
    /** Moves only Azure Government's authority (tests that play the two clouds with two sandboxes). */
    ENTRA_AUTHORITY_HOST_USGOV: optional(origin(["https:"], "https://localhost:4443 (Entra clients refuse plain http)")),
    GRAPH_BASE_URL: optional(origin(["https:"], "https://localhost:4443 (Graph clients refuse plain http)")),
    /** Outgoing mail (lib/mail): smtp:// (STARTTLS when the server offers it) or smtps:// (TLS from the start). */
    SMTP_URL: optional(
      z
        .string()
        .trim()
        .refine(
          (value) => {
            try {
              const url = new URL(value);
              return (url.protocol === "smtp:" || url.protocol === "smtps:") && url.hostname !== "";
            } catch {
              return false;
            }
          },
          { error: "must be an smtp:// or smtps:// URL such as smtps://user:pass@smtp.example.com:465 (unset: alerts show only in Roster)" },
        ),
    ),
    /** The From of every email: an address, or `Name <address>`. */
    MAIL_FROM: optional(
      z
        .string()
        .trim()
        .refine((value) => /^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/.test(value), {
          error: "must be an email address or `Name <address>`, such as Roster <roster@example.com>",
        }),
    ),
    AUTH_ENTRA_CLIENT_ID: optional(z.string().trim()),
    AUTH_ENTRA_CLIENT_SECRET: optional(z.string().trim()),
    AUTH_ENTRA_TENANT_ID: optional(
      z
        .string()
        .trim()
        .refine((value) => !MULTI_TENANT.includes(value.toLowerCase()), {
          error: "must be your Directory (tenant) ID: common, organizations and consumers are refused, because single sign-on matches people by email",
        }),
    ),
  })
  .superRefine((env, ctx) => {
    // Only a well-formed SMTP_URL needs a From: a malformed one is reported on its own.
    if (env.SMTP_URL && /^smtps?:\/\/./i.test(env.SMTP_URL) && !env.MAIL_FROM) {
      ctx.addIssue({ code: "custom", path: ["MAIL_FROM"], message: "is missing: SMTP_URL is set, and every email needs a From address such as Roster <roster@example.com>" });
    }
    const sso = ["AUTH_ENTRA_CLIENT_ID", "AUTH_ENTRA_CLIENT_SECRET", "AUTH_ENTRA_TENANT_ID"] as const;
    const set = sso.filter((name) => env[name] !== undefined);
    if (set.length > 0 && set.length < sso.length) {
      for (const name of sso.filter((n) => env[n] === undefined)) {
        ctx.addIssue({ code: "custom", path: [name], message: `is missing: single sign-on needs all three of ${sso.join(", ")} (${set.join(", ")} set)` });
      }
    }
  });

export type Env = z.infer<typeof schema>;

/** What a missing or malformed variable throws: one line per variable, each naming it. */
export class EnvError extends Error {
  constructor(readonly variables: string[], lines: string[]) {
    super(`Invalid configuration:\n${lines.map((l) => `  ${l}`).join("\n")}\nSee .env.example and the README's Configuration table.`);
    this.name = "EnvError";
  }
}

function fail(issues: z.core.$ZodIssue[]): never {
  const lines = issues.map((issue) => `${String(issue.path[0] ?? "environment")} ${issue.message}`);
  throw new EnvError([...new Set(issues.map((i) => String(i.path[0])))], lines);
}

/** The validated configuration, read from `source` now (process.env by default). Throws EnvError. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) fail(result.error.issues);
  return result.data;
}

/**
 * Validates the whole contract at start, with production's requirements: a server that would fail on its first
 * sign-in or its first sealed secret refuses to start instead, naming what is missing.
 */
export function assertEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const env = readEnv(source);
  if (source.NODE_ENV === "production") {
    const lines: string[] = [];
    if (!env.AUTH_SECRET && !env.NEXTAUTH_SECRET) lines.push("AUTH_SECRET is required in production (or NEXTAUTH_SECRET); generate it with openssl rand -base64 32");
    if (!env.ENCRYPTION_KEY) lines.push("ENCRYPTION_KEY is required in production; generate it with openssl rand -base64 32");
    if (lines.length > 0) throw new EnvError(lines.map((l) => l.split(" ")[0]), lines);
  }
  return env;
}
