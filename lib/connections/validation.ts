/**
 * The connection input's rules, as one zod layer (issue 11, item 4) that the domain verbs run (create, verify,
 * rotate, switch, options), so a crafted request meets the same rules as the form, and that tests drive table by
 * table. The actions' own schemas (input-schemas.ts) check only types and sizes. Messages are specific, belong to
 * one field, and never repeat a secret.
 */
import { z } from "zod";
import { isValidEmail } from "@/lib/email";
import { cleanPasted } from "./pasted";
import { isUuid } from "@/lib/uuid";

export const MAX_GROUP_OBJECT_IDS = 15;
export const MAX_SECRET_MONTHS = 24;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isGuid(value: string): boolean {
  return isUuid(value.trim());
}

export interface ConnectionOptionsValue {
  groupObjectIds: string[];
  cloud: "global" | "usgov";
  useUsernameFallback: boolean;
  syncContacts: boolean;
  /** How often the scheduler refreshes this connection's synced groups: weekly (Mondays, UTC) or daily. */
  cadence: "weekly" | "daily";
}

export interface SecretValue {
  secretId: string;
  secretValue: string;
  secretExpiresOn: string;
}

/**
 * How the connection will sign in: a client secret as typed, or the credential Roster prepared for the wizard
 * (its id; create.ts loads it). A form that names no kind is a client secret, as before the choice existed.
 */
export type CredentialChoice = { kind: "secret"; secret: SecretValue } | { kind: "certificate" | "federated"; pendingId: string };

export interface ConnectionFormValue extends ConnectionOptionsValue {
  credential: CredentialChoice;
  name: string;
  organizationIds: string[];
  ownerName: string;
  ownerEmail: string;
  clientId: string;
  tenantId: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; fields: Record<string, string> };

type Raw = Record<string, unknown>;
export { cleanPasted };
/** A verified domain as Entra accepts it in place of the tenant id, e.g. contoso.onmicrosoft.com. */
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
export function isTenantDomain(value: string): boolean {
  return DOMAIN.test(value);
}

function guidField(value: string, what: string, where: string): string | null {
  if (!value) return `Enter the ${what}.`;
  if (!isGuid(value)) return `Not a GUID: the ${what} looks like 0a1b2c3d-1234-5678-9abc-def012345678 (${where}).`;
  return null;
}

/** Splits a pasted list (commas, spaces, new lines, semicolons) of group Object IDs and checks each. */
export function parseGroupObjectIds(input: unknown): { ids: string[]; error: string | null } {
  const parts = Array.isArray(input) ? input.map(String) : typeof input === "string" ? input.split(/[\s,;]+/) : [];
  const ids = parts.map(cleanPasted).filter(Boolean);
  const notGuid = ids.filter((id) => !isGuid(id));
  if (notGuid.length) {
    return { ids, error: `Not a GUID: “${notGuid[0].slice(0, 60)}”. Each Object ID looks like 0a1b2c3d-1234-5678-9abc-def012345678 (Azure → Groups → the group → Object ID).` };
  }
  const seen = new Set<string>();
  for (const id of ids) {
    const key = id.toLowerCase();
    if (seen.has(key)) return { ids, error: `${id} is listed twice; list each group once.` };
    seen.add(key);
  }
  if (ids.length > MAX_GROUP_OBJECT_IDS) {
    return { ids, error: `At most ${MAX_GROUP_OBJECT_IDS} groups can be selected (you entered ${ids.length}). Leave this empty to offer the whole directory.` };
  }
  return { ids: ids.map((id) => id.toLowerCase()), error: null };
}

/** A YYYY-MM-DD that names a real day (no 31 February, no 29 February outside leap years). */
function isCalendarDate(value: string): boolean {
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

function addMonths(day: Date, months: number): Date {
  const d = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + months, day.getUTCDate()));
  return d;
}

export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

// ── The zod layer: one schema per part of the connection input, run by the verbs ─────────────────────────────

/**
 * A form value as text: pasted quotes and whitespace removed, anything that is not a string read as empty, so
 * every rule below sees a string and each refusal is one specific message on its own field.
 */
const pastedText = z.preprocess((v) => (typeof v === "string" ? cleanPasted(v) : ""), z.string());
/** Any value, a missing key included (zod refuses a missing key unless the schema says it may be absent). */
const anyValue = z.preprocess((v) => v ?? null, z.unknown());
const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean());

/** A refinement that adds `message(value)` as the field's error when it says something. */
function rule<T>(message: (value: T) => string | null) {
  return (value: T, ctx: z.RefinementCtx) => {
    const m = message(value);
    if (m) ctx.addIssue({ code: "custom", message: m });
  };
}

const guid = (what: string, where: string) => pastedText.superRefine(rule((v) => guidField(v, what, where))).transform((v) => v.toLowerCase());

function expiryDateError(secretExpiresOn: string, now: Date): string | null {
  if (!secretExpiresOn) return "Enter the date the secret expires (Certificates & secrets → Expires).";
  if (!DATE.test(secretExpiresOn) || Number.isNaN(Date.parse(`${secretExpiresOn}T00:00:00Z`))) return "Enter a date as YYYY-MM-DD.";
  // JavaScript rolls 2027-02-31 over to March 3; PostgreSQL refuses it, which surfaced as "Something went wrong".
  if (!isCalendarDate(secretExpiresOn)) return `${secretExpiresOn} is not a date: that month has no day ${Number(secretExpiresOn.slice(8))}.`;
  const today = todayUtc(now);
  const latest = todayUtc(addMonths(new Date(`${today}T00:00:00Z`), MAX_SECRET_MONTHS));
  if (secretExpiresOn < today) return "This date is in the past: the secret has expired. Create a new client secret in Azure.";
  if (secretExpiresOn > latest) return `Azure allows secrets of at most ${MAX_SECRET_MONTHS} months, so this cannot be later than ${latest}. Check the Expires column.`;
  return null;
}

/** Never echoes the value: every message says what is wrong with it in general terms. */
function secretValueError(secretValue: string, secretId: string): string | null {
  if (!secretValue) return "Paste the client secret's Value (shown once, right after the secret is created).";
  if ((secretId && secretValue.toLowerCase() === secretId.toLowerCase()) || isGuid(secretValue)) return "This is the Secret ID; paste the secret's Value.";
  if (secretValue.length < 16 || /\s/.test(secretValue)) {
    return "This does not look like a client secret Value (Azure's are about 40 characters with no spaces). Copy the Value column again.";
  }
  return null;
}

export function secretSchema(now = new Date()) {
  return z
    .object({
      secretId: guid("Client secret ID", "Certificates & secrets → the secret's “Secret ID” column"),
      secretValue: pastedText,
      secretExpiresOn: pastedText.superRefine(rule((v: string) => expiryDateError(v, now))),
    })
    .superRefine((v, ctx) => {
      // The Value's rules compare it with the Secret ID as typed (a pasted ID in both fields is the common slip).
      const m = secretValueError(v.secretValue, v.secretId);
      if (m) ctx.addIssue({ code: "custom", path: ["secretValue"], message: m });
    });
}

export const optionsSchema = z.object({
  groupObjectIds: anyValue.transform((input, ctx) => {
    const groups = parseGroupObjectIds(input ?? "");
    if (groups.error) ctx.addIssue({ code: "custom", message: groups.error });
    return groups.ids;
  }),
  cadence: z.preprocess((v) => (v === undefined || v === "" ? "weekly" : v), z.enum(["weekly", "daily"], { error: "Choose weekly or daily." })),
  azureGovernment: checkbox,
  useUsernameFallback: checkbox,
  syncContacts: checkbox,
});

export const ownerSchema = z.object({
  ownerName: pastedText.superRefine(rule((v: string) => (!v ? "Enter the name of the person to contact about this connection." : v.length > 200 ? "Keep the name under 200 characters." : null))),
  ownerEmail: pastedText.superRefine(
    rule((v: string) => (!v ? "Enter the setup owner's e-mail address." : !isValidEmail(v) ? "This is not a valid e-mail address (it needs one @ and a domain like example.com)." : null)),
  ),
  name: pastedText.transform((v) => v || "Microsoft Entra ID").superRefine(rule((v: string) => (v.length > 120 ? "Keep the name under 120 characters." : null))),
  organizationIds: anyValue.transform((v) => (Array.isArray(v) ? [...new Set(v.map(String))] : []))
    .superRefine(rule((ids: string[]) => (ids.length === 0 ? "Choose at least one organization this directory serves." : null))),
});

/** The two IDs from the app registration's Overview page; shared by Verify and Save so both say the same thing. */
export const appIdsSchema = z
  .object({
    clientId: guid("Application (client) ID", "the app registration's Overview page"),
    // Entra accepts a verified domain in place of the tenant id; the verbs resolve it to the id before saving.
    tenantId: pastedText
      .superRefine(
        rule((v: string) =>
          isTenantDomain(v) ? null : guidField(v, "Directory (tenant) ID", "the app registration's Overview page; a verified domain such as contoso.onmicrosoft.com works too"),
        ),
      )
      .transform((v) => v.toLowerCase()),
  })
  .superRefine((v, ctx) => {
    if (v.clientId === v.tenantId) {
      ctx.addIssue({ code: "custom", path: ["tenantId"], message: "This is the Application (client) ID again: copy the Directory (tenant) ID, the line below it on the Overview page." });
    }
  });

export const CREDENTIAL_KINDS = ["federated", "certificate", "secret"] as const;
const CHOOSE_KIND = "Choose how Roster signs in: a federated credential, a certificate or a client secret.";
const EXPIRED_CHOICE = "Choose the credential again: Roster shows the values to enter in Azure.";

/** The credential the wizard chose: a client secret (the default when none is named), or the one Roster prepared. */
export function credentialChoiceSchema(now = new Date()) {
  return z.unknown().transform((raw, ctx): CredentialChoice => {
    const input = (raw ?? {}) as Raw;
    const kind = input.credentialKind === undefined || input.credentialKind === "" ? "secret" : input.credentialKind;
    if (kind === "secret") {
      const secret = secretSchema(now).safeParse(input);
      if (secret.success) return { kind, secret: secret.data };
      for (const issue of secret.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
      return z.NEVER;
    }
    if (kind !== "certificate" && kind !== "federated") {
      ctx.addIssue({ code: "custom", path: ["credentialKind"], message: CHOOSE_KIND });
      return z.NEVER;
    }
    const pendingId = typeof input.pendingId === "string" ? input.pendingId.trim().toLowerCase() : "";
    if (!isUuid(pendingId)) {
      ctx.addIssue({ code: "custom", path: ["credentialKind"], message: EXPIRED_CHOICE });
      return z.NEVER;
    }
    return { kind, pendingId };
  });
}

/** What a stored connection may switch to (lib/connections/switch-credential.ts). */
export const switchTargetSchema = z.object({
  to: z.enum(["certificate", "federated"], { error: "Choose a certificate or a federated credential." }),
});

/** A certificate's validity: Azure accepts any; Roster offers one year (the default) or two. */
export const certificateValiditySchema = z.object({
  validDays: z.preprocess((v) => (v === undefined || v === null || v === "" ? 365 : Number(v)), z.union([z.literal(365), z.literal(730)], { error: "Choose a validity of one or two years." })),
});

/**
 * Runs a schema over raw input and gives back the value, or one message per field (the first a field got, keyed
 * by the field's name), as the forms show them.
 */
export function validateWith<S extends z.ZodType>(schema: S, raw: unknown): Validated<z.output<S>> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? "_");
    fields[key] ??= issue.message;
  }
  return { ok: false, fields };
}

/** Several schemas over the same input: every field's error at once, so a form shows them all on the first try. */
function validateAll<T extends Record<string, Validated<object>>>(parts: T): Validated<{ [K in keyof T]: T[K] extends Validated<infer V> ? V : never }> {
  const fields: Record<string, string> = {};
  const value: Record<string, unknown> = {};
  for (const [key, r] of Object.entries(parts)) {
    if (r.ok) value[key] = r.value;
    else for (const [f, m] of Object.entries(r.fields)) fields[f] ??= m;
  }
  if (Object.keys(fields).length) return { ok: false, fields };
  return { ok: true, value: value as never };
}

export function validateSecret(raw: Raw, now = new Date()): Validated<SecretValue> {
  return validateWith(secretSchema(now), raw);
}

export function validateOptions(raw: Raw): Validated<ConnectionOptionsValue> {
  const r = validateWith(optionsSchema, raw);
  if (!r.ok) return r;
  const { azureGovernment, ...rest } = r.value;
  return { ok: true, value: { ...rest, cloud: azureGovernment ? "usgov" : "global" } };
}

export function validateOwner(raw: Raw): Validated<{ name: string; ownerName: string; ownerEmail: string; organizationIds: string[] }> {
  return validateWith(ownerSchema, raw);
}

export function validateAppIds(raw: Raw): Validated<{ clientId: string; tenantId: string }> {
  return validateWith(appIdsSchema, raw);
}

export function validateCredentialChoice(raw: Raw, now = new Date()): Validated<CredentialChoice> {
  return validateWith(credentialChoiceSchema(now), raw);
}

export function validateConnectionForm(raw: Raw, now = new Date()): Validated<ConnectionFormValue> {
  const r = validateAll({ ids: validateAppIds(raw), owner: validateOwner(raw), credential: validateCredentialChoice(raw, now), options: validateOptions(raw) });
  if (!r.ok) return r;
  return { ok: true, value: { ...r.value.owner, ...r.value.options, ...r.value.ids, credential: r.value.credential } };
}

/** The on-screen labels of the connection fields, so a summary names what to fix in the admin's words. */
export const FIELD_LABELS: Record<string, string> = {
  organizationIds: "Organizations",
  ownerName: "Setup owner name",
  ownerEmail: "Setup owner email",
  clientId: "Application (client) ID",
  tenantId: "Directory (tenant) ID",
  name: "Connection name",
  secretId: "Client secret ID",
  secretValue: "Client secret value",
  secretExpiresOn: "Secret expires on",
  credentialKind: "Credential",
  certificate: "Certificate",
  validDays: "Certificate validity",
  groupObjectIds: "Group Object IDs",
  cadence: "Sync schedule",
  azureGovernment: "Azure Government",
};

/** "2 fields need attention: Client secret ID and Secret expires on." — the form's summary above the buttons. */
export function fieldsNeedAttention(fields: Record<string, string>): string {
  const order = Object.keys(FIELD_LABELS);
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  const names = Object.keys(fields)
    .sort((a, b) => rank(a) - rank(b))
    .map((key) => FIELD_LABELS[key] ?? key);
  if (names.length === 0) return "Some fields need attention.";
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `${names.length === 1 ? "1 field needs" : `${names.length} fields need`} attention: ${list}.`;
}
