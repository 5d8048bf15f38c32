import type { ChecklistItem, VerificationResult } from "@/lib/directory/types";
import type { ConnectionStatus } from "@/db/schema";
import type { ExistingConnection } from "./identity";

/** What a verification tells the browser: the checklist and, for the wizard, fixes placed on their fields. */
export interface VerificationSummary {
  ok: boolean;
  checklist: ChecklistItem[];
  roles: string[];
  /** Fixes for the wizard's fields, keyed by field name (e.g. a wrong secret lands on secretValue). */
  fields: Record<string, string>;
  /** The Directory (tenant) ID as stored: a verified domain typed in its place resolved to the tenant's GUID. */
  tenantId?: string;
  /** Set instead of a checklist when the same tenant and app are already connected. */
  existing?: ExistingConnection;
}

export type ConnectionHealth = "healthy" | "degraded" | "failing";

export function healthOf(result: VerificationResult): ConnectionHealth {
  if (result.ok) return "healthy";
  return result.credentialsOk ? "degraded" : "failing";
}

/**
 * What a verification writes on the connection row, wherever it ran (create, verify, rotate): one place, so the
 * page, the dialog and the cron all read the same health. A passing check activates a draft; a failing one
 * leaves the status as it was.
 */
export function verificationColumns(result: VerificationResult, status: ConnectionStatus) {
  return {
    health: healthOf(result),
    status: result.ok ? ("active" as const) : status,
    grantedRoles: result.roles,
    lastVerification: result.checklist,
    lastVerifiedAt: new Date(),
    lastError: result.diagnosis,
    // The tenant's Graph as its openid-configuration names it; a verification that did not reach the tenant
    // keeps the host last seen.
    ...(result.graphHost ? { msgraphHost: result.graphHost } : {}),
  };
}

/** Which wizard field an Entra/Graph diagnosis is about. */
const FIELD_BY_CODE: Record<string, string> = {
  secret_wrong: "secretValue",
  secret_is_secret_id: "secretValue",
  client_assertion_invalid: "secretValue",
  secret_expired: "secretValue",
  app_not_in_tenant: "clientId",
  tenant_not_found: "tenantId",
  authority_unreachable: "tenantId",
  wrong_cloud: "azureGovernment",
  group_not_found: "groupObjectIds",
  federation_not_configured: "federatedCredential",
  federation_issuer_mismatch: "federatedCredential",
  federation_subject_mismatch: "federatedCredential",
  federation_audience_mismatch: "federatedCredential",
  federation_issuer_unreachable: "federatedCredential",
  federation_key_unknown: "federatedCredential",
  certificate_not_registered: "certificate",
  certificate_expired: "certificate",
  assertion_time_invalid: "credentialKind",
};

export function summarizeVerification(result: VerificationResult): VerificationSummary {
  const fields: Record<string, string> = {};
  for (const item of result.checklist) {
    if (item.ok || item.skipped || !item.code) continue;
    const field = FIELD_BY_CODE[item.code];
    if (field && !fields[field]) fields[field] = `${item.title}. ${item.fix}`;
  }
  return { ok: result.ok, checklist: result.checklist, roles: result.roles, fields };
}

/** The first failed check's cause, and how many failed: what an alert names so the admin need not scan the list. */
export function firstProblemOf(summary: Pick<VerificationSummary, "checklist">): { cause: string; count: number } | null {
  const failures = summary.checklist.filter((i) => !i.ok && !i.skipped);
  const first = failures[0];
  if (!first) return null;
  return { cause: (first.title ?? first.label).replace(/\.$/, ""), count: failures.length };
}

/**
 * One sentence for the alert above the checklist that already names the cause:
 * "Verification failed: Entra ID rejected the client secret. The fix is in the checklist below."
 */
export function describeVerificationOutcome(summary: Pick<VerificationSummary, "ok" | "checklist">, fixesAre = "in the checklist below"): string {
  if (summary.ok) return "Every check passed.";
  const problem = firstProblemOf(summary);
  if (!problem) return "Verification did not finish: verify again.";
  if (problem.count === 1) return `Verification failed: ${problem.cause}. The fix is ${fixesAre}.`;
  return `Verification failed in ${problem.count} checks, first: ${problem.cause}. Each fix is ${fixesAre}.`;
}

/** Where a failed check of a connection's new settings belongs on its settings form. */
export function settingsFieldsOf(summary: Pick<VerificationSummary, "fields" | "checklist">): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, message] of Object.entries(summary.fields)) {
    if (["azureGovernment", "groupObjectIds", "clientId", "tenantId"].includes(key)) fields[key] = message;
  }
  const contacts = summary.checklist.find((i) => i.id === "permission:OrgContact.Read.All" && !i.ok && !i.skipped);
  if (contacts) fields.syncContacts = `${contacts.title}. ${contacts.fix}`;
  return fields;
}

/**
 * Which checklist lines a field's value decides, so that editing the field clears the results it made stale:
 * the IDs, the secret and the cloud decide every line; the group list its group lines; contacts its permission.
 */
export function checksConcerning(field: string): (item: ChecklistItem) => boolean {
  switch (field) {
    case "groupObjectIds":
      return (item) => item.id.startsWith("group:");
    case "syncContacts":
      return (item) => item.id === "permission:OrgContact.Read.All";
    case "clientId":
    case "tenantId":
    case "secretId":
    case "secretValue":
    case "credentialKind":
    case "azureGovernment":
      return () => true;
    default:
      return () => false;
  }
}
