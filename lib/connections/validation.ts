/**
 * The wizard's field rules, in one pure function that the domain verbs run (so a crafted request meets the
 * same rules as the form) and that tests drive table by table. Messages are specific and belong to one field.
 */
import { isValidEmail } from "@/lib/email";
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
/**
 * A pasted value without the whitespace and quotes that copying from a portal, a chat or a JSON file brings
 * along: "  “0a1b…”\n" is 0a1b….
 */
export function cleanPasted(value: string): string {
  return value.trim().replace(/^["'`\u201c\u201d\u2018\u2019]+|["'`\u201c\u201d\u2018\u2019]+$/g, "").trim();
}
const text = (raw: Raw, key: string) => (typeof raw[key] === "string" ? cleanPasted(raw[key] as string) : "");
/** A verified domain as Entra accepts it in place of the tenant id, e.g. contoso.onmicrosoft.com. */
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
export function isTenantDomain(value: string): boolean {
  return DOMAIN.test(value);
}
const flag = (raw: Raw, key: string) => raw[key] === true || raw[key] === "on" || raw[key] === "true";

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

export function validateSecret(raw: Raw, now = new Date()): Validated<SecretValue> {
  const fields: Record<string, string> = {};
  const secretId = text(raw, "secretId");
  const secretValue = typeof raw.secretValue === "string" ? cleanPasted(raw.secretValue) : "";
  const secretExpiresOn = text(raw, "secretExpiresOn");
  const idError = guidField(secretId, "Client secret ID", "Certificates & secrets → the secret's “Secret ID” column");
  if (idError) fields.secretId = idError;
  if (!secretValue) fields.secretValue = "Paste the client secret's Value (shown once, right after the secret is created).";
  else if ((secretId && secretValue.toLowerCase() === secretId.toLowerCase()) || isGuid(secretValue)) {
    fields.secretValue = "This is the Secret ID; paste the secret's Value.";
  } else if (secretValue.length < 16 || /\s/.test(secretValue)) {
    fields.secretValue = "This does not look like a client secret Value (Azure's are about 40 characters with no spaces). Copy the Value column again.";
  }
  if (!secretExpiresOn) fields.secretExpiresOn = "Enter the date the secret expires (Certificates & secrets → Expires).";
  else if (!DATE.test(secretExpiresOn) || Number.isNaN(Date.parse(`${secretExpiresOn}T00:00:00Z`))) {
    fields.secretExpiresOn = "Enter a date as YYYY-MM-DD.";
  } else if (!isCalendarDate(secretExpiresOn)) {
    // JavaScript rolls 2027-02-31 over to March 3; PostgreSQL refuses it, which surfaced as "Something went wrong".
    fields.secretExpiresOn = `${secretExpiresOn} is not a date: that month has no day ${Number(secretExpiresOn.slice(8))}.`;
  } else {
    const today = todayUtc(now);
    const latest = todayUtc(addMonths(new Date(`${today}T00:00:00Z`), MAX_SECRET_MONTHS));
    if (secretExpiresOn < today) fields.secretExpiresOn = "This date is in the past: the secret has expired. Create a new client secret in Azure.";
    else if (secretExpiresOn > latest) {
      fields.secretExpiresOn = `Azure allows secrets of at most ${MAX_SECRET_MONTHS} months, so this cannot be later than ${latest}. Check the Expires column.`;
    }
  }
  if (Object.keys(fields).length) return { ok: false, fields };
  return { ok: true, value: { secretId: secretId.toLowerCase(), secretValue, secretExpiresOn } };
}

export function validateOptions(raw: Raw): Validated<ConnectionOptionsValue> {
  const groups = parseGroupObjectIds(raw.groupObjectIds ?? "");
  if (groups.error) return { ok: false, fields: { groupObjectIds: groups.error } };
  const cadence = raw.cadence === undefined || raw.cadence === "" ? "weekly" : raw.cadence;
  if (cadence !== "weekly" && cadence !== "daily") return { ok: false, fields: { cadence: "Choose weekly or daily." } };
  return {
    ok: true,
    value: {
      groupObjectIds: groups.ids,
      cloud: flag(raw, "azureGovernment") ? "usgov" : "global",
      useUsernameFallback: flag(raw, "useUsernameFallback"),
      syncContacts: flag(raw, "syncContacts"),
      cadence,
    },
  };
}

export function validateOwner(raw: Raw): Validated<{ name: string; ownerName: string; ownerEmail: string; organizationIds: string[] }> {
  const fields: Record<string, string> = {};
  const ownerName = text(raw, "ownerName");
  const ownerEmail = text(raw, "ownerEmail");
  const name = text(raw, "name") || "Microsoft Entra ID";
  const organizationIds = Array.isArray(raw.organizationIds) ? [...new Set(raw.organizationIds.map(String))] : [];
  if (!ownerName) fields.ownerName = "Enter the name of the person to contact about this connection.";
  else if (ownerName.length > 200) fields.ownerName = "Keep the name under 200 characters.";
  if (!ownerEmail) fields.ownerEmail = "Enter the setup owner's e-mail address.";
  else if (!isValidEmail(ownerEmail)) fields.ownerEmail = "This is not a valid e-mail address (it needs one @ and a domain like example.com).";
  if (name.length > 120) fields.name = "Keep the name under 120 characters.";
  if (organizationIds.length === 0) fields.organizationIds = "Choose at least one organization this directory serves.";
  if (Object.keys(fields).length) return { ok: false, fields };
  return { ok: true, value: { name, ownerName, ownerEmail, organizationIds } };
}

/** The two IDs from the app registration's Overview page; shared by Verify and Save so both say the same thing. */
export function validateAppIds(raw: Raw): Validated<{ clientId: string; tenantId: string }> {
  const fields: Record<string, string> = {};
  const clientId = text(raw, "clientId");
  const tenantId = text(raw, "tenantId");
  const clientError = guidField(clientId, "Application (client) ID", "the app registration's Overview page");
  // Entra accepts a verified domain in place of the tenant id; the verbs resolve it to the id before saving.
  const tenantError = isTenantDomain(tenantId) ? null : guidField(tenantId, "Directory (tenant) ID", "the app registration's Overview page; a verified domain such as contoso.onmicrosoft.com works too");
  if (clientError) fields.clientId = clientError;
  if (tenantError) fields.tenantId = tenantError;
  else if (!clientError && clientId.toLowerCase() === tenantId.toLowerCase()) {
    fields.tenantId = "This is the Application (client) ID again: copy the Directory (tenant) ID, the line below it on the Overview page.";
  }
  if (Object.keys(fields).length) return { ok: false, fields };
  return { ok: true, value: { clientId: clientId.toLowerCase(), tenantId: tenantId.toLowerCase() } };
}

export const CREDENTIAL_KINDS = ["federated", "certificate", "secret"] as const;
const EXPIRED_CHOICE = "Choose the credential again: Roster shows the values to enter in Azure.";

export function validateCredentialChoice(raw: Raw, now = new Date()): Validated<CredentialChoice> {
  const kind = raw.credentialKind === undefined || raw.credentialKind === "" ? "secret" : raw.credentialKind;
  if (kind === "secret") {
    const secret = validateSecret(raw, now);
    return secret.ok ? { ok: true, value: { kind, secret: secret.value } } : secret;
  }
  if (kind !== "certificate" && kind !== "federated") return { ok: false, fields: { credentialKind: "Choose how Roster signs in: a federated credential, a certificate or a client secret." } };
  const pendingId = typeof raw.pendingId === "string" ? raw.pendingId.trim().toLowerCase() : "";
  if (!isUuid(pendingId)) return { ok: false, fields: { credentialKind: EXPIRED_CHOICE } };
  return { ok: true, value: { kind, pendingId } };
}

export function validateConnectionForm(raw: Raw, now = new Date()): Validated<ConnectionFormValue> {
  const fields: Record<string, string> = {};
  const ids = validateAppIds(raw);
  const owner = validateOwner(raw);
  const credential = validateCredentialChoice(raw, now);
  const options = validateOptions(raw);
  for (const r of [ids, owner, credential, options]) if (!r.ok) Object.assign(fields, r.fields);
  if (!ids.ok || !owner.ok || !credential.ok || !options.ok) return { ok: false, fields };
  return { ok: true, value: { ...owner.value, ...options.value, ...ids.value, credential: credential.value } };
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
