import type { ChecklistItem, VerificationResult } from "@/lib/graph/verify";

/** What a verification tells the browser: the checklist and, for the wizard, fixes placed on their fields. */
export interface VerificationSummary {
  ok: boolean;
  checklist: ChecklistItem[];
  roles: string[];
  /** Fixes for the wizard's fields, keyed by field name (e.g. a wrong secret lands on secretValue). */
  fields: Record<string, string>;
}

export type ConnectionHealth = "healthy" | "degraded" | "failing";

export function healthOf(result: VerificationResult): ConnectionHealth {
  if (result.ok) return "healthy";
  return result.credentialsOk ? "degraded" : "failing";
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
