import { ownDiagnosis, publicErrorText } from "@/lib/errors";
import { GraphRequestError } from "./errors";
import { TenantDiscoveryError } from "./discovery";
import { assertionDiagnosis } from "./assertion-diagnoses";
import type { DiagnosisContext } from "@/lib/directory/types";
import type { Cloud, Diagnosis } from "./types";

export type { Diagnosis } from "./types";

export type { DiagnosisContext } from "@/lib/directory/types";

const CLOUD_NAMES: Record<Cloud, string> = { global: "Azure Global", usgov: "Azure Government" };
const APP_PERMISSIONS_PATH = "Azure portal → App registrations → your app → API permissions";
// Said both in the wizard (nothing saved yet) and on a saved connection, so it names both places.
const ROTATE_STEPS =
  "In Azure (App registrations → your app → Certificates & secrets) create a new client secret, then enter its Secret ID, Value and expiry date in Roster (for a saved connection, under “Rotate secret” on its page).";

export function addPermissionFix(permission: string): string {
  return `In ${APP_PERMISSIONS_PATH}, select Add a permission → Microsoft Graph → Application permissions → ${permission} (not Delegated), then select “Grant admin consent”.`;
}

/**
 * Raw text for support, behind "Details". Bearer tokens are cut out in case a library echoed one; a database
 * error's SQL and parameters never get here (publicErrorText), they go to the server log.
 */
function detailsOf(error: unknown): string | undefined {
  const text = publicErrorText(error);
  return text?.replace(/Bearer\s+[A-Za-z0-9._-]+/g, "Bearer [redacted]").slice(0, 2000);
}

function aadstsCode(text: string): string | null {
  return text.match(/AADSTS(\d+)/)?.[1] ?? null;
}

/**
 * The OAuth `error` value of a token refusal (RFC 6749 §5.2; Entra's values are listed on
 * https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes): from @azure/identity's
 * AuthenticationError, else from MSAL's message, which reads "invalid_client: Error(s): 7000215 - … ".
 */
function oauthErrorOf(error: unknown, text: string): string | null {
  const response = (error as { errorResponse?: { error?: unknown } } | null)?.errorResponse;
  if (typeof response?.error === "string" && response.error !== "unknown") return response.error;
  return (
    text.match(/\b([a-z]+(?:_[a-z]+)+): (?:Error\(s\)|AADSTS)/)?.[1] ??
    text.match(/\b(invalid_client|unauthorized_client|invalid_grant|invalid_request|invalid_resource|invalid_scope|invalid_tenant|interaction_required|temporarily_unavailable|access_denied)\b/)?.[1] ??
    null
  );
}

const ENTERPRISE_APP_PATH = "Microsoft Entra admin center → Enterprise applications → your app";

/** Diagnoses by AADSTS code: the precise cause, whatever family the `error` value put it in. */
function byCode(code: string | null, details: string | undefined, context: DiagnosisContext): Diagnosis | null {
  const assertion = code ? assertionDiagnosis(code, details, context.credential) : null;
  if (assertion) return assertion;
  switch (code) {
    case "7000215":
      return context.secretLooksLikeSecretId
        ? {
            code: "secret_is_secret_id",
            title: "This is the Secret ID; paste the secret's Value",
            fix: "Azure shows two columns for a client secret: paste the Value (shown only once, right after the secret is created), not the Secret ID. If the Value is lost, create a new client secret.",
            details,
          }
        : {
            code: "secret_wrong",
            title: "Entra ID rejected the client secret",
            fix: "Copy the Value of the secret from Certificates & secrets again, checking that it belongs to this app and that no character was cut off (if what you pasted looks like the Secret ID, paste the Value). Azure shows the Value only right after creating the secret: if it is lost, create a new client secret and use it.",
            details,
          };
    case "7000222":
      return {
        code: "secret_expired",
        title: context.secretExpiresOn ? `The client secret expired on ${context.secretExpiresOn}` : "The client secret has expired",
        fix: ROTATE_STEPS,
        details,
      };
    case "700016":
      return {
        code: "app_not_in_tenant",
        title: "No application with this Application (client) ID exists in this directory",
        fix: "Re-copy the Application (client) ID from the app registration's Overview page, and check that the Directory (tenant) ID on the same page is the one entered here.",
        details,
      };
    case "7000229":
      // The app registration exists, but this directory has no service principal (enterprise application) for it.
      return {
        code: "app_not_consented",
        title: "The app has no enterprise application in this directory: it was never consented here",
        fix: "An administrator of this directory grants admin consent to the app (App registrations → your app → API permissions → “Grant admin consent”), which creates its enterprise application. If the enterprise application was deleted, restore it from Enterprise applications → Deleted applications. Then verify again.",
        details,
      };
    case "7000112":
      return {
        code: "app_disabled",
        title: "The app is disabled in this directory",
        fix: `In ${ENTERPRISE_APP_PATH} → Properties, set “Enabled for users to sign-in?” to Yes and save (also check that the app was not deactivated), then verify again.`,
        details,
      };
    case "53003":
      return {
        code: "conditional_access_blocked",
        title: "A Conditional Access policy blocks this app from getting a token",
        fix: "A Conditional Access policy for workload identities applies to this app (for example, it allows sign-in only from certain locations). In Microsoft Entra admin center → Conditional Access, review the policies that target this app's service principal: exclude it, or allow the addresses Roster's server connects from. The sign-in logs (Service principal sign-ins) name the policy.",
        details,
      };
    case "900382":
    case "90038":
      return crossCloudDiagnosis(code, details, context);
    case "90002":
      return {
        code: "tenant_not_found",
        title: "No directory with this Directory (tenant) ID was found",
        fix: "Re-copy the Directory (tenant) ID from the app registration's Overview page. If your organization uses Azure Government, tick “Azure Government”.",
        details,
      };
    case "500011":
      return {
        code: "wrong_cloud",
        title: context.cloud === "usgov" ? "This directory is not in Azure Government" : "Microsoft Graph of this cloud is unknown to the directory: is this an Azure Government tenant?",
        fix: context.cloud === "usgov" ? "Untick “Azure Government” and verify again." : "Tick “Azure Government” if your organization uses it, then verify again.",
        details,
      };
    case "7000216":
    case "700027":
      return {
        code: "client_assertion_invalid",
        title: "Entra ID rejected the app's credentials",
        fix: "Create a new client secret for the app and enter its Value.",
        details,
      };
    default:
      return null;
  }
}

/**
 * AADSTS900382 (a confidential client's request sent to another cloud's authority: a Government tenant asked
 * of the global one) and AADSTS90038 (the tenant belongs to another national cloud), per
 * https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes.
 */
function crossCloudDiagnosis(code: string, details: string | undefined, context: DiagnosisContext): Diagnosis {
  if (context.cloud === "usgov") {
    return { code: "wrong_cloud", title: "This directory is not in Azure Government", fix: "Untick “Azure Government” and verify again.", details };
  }
  if (context.cloud === "global" || code === "900382") {
    return { code: "wrong_cloud", title: "This directory is in Azure Government", fix: "Tick “Azure Government” and verify again.", details };
  }
  return {
    code: "wrong_cloud",
    title: "The sign-in request went to another cloud than the directory's",
    fix: "Tick “Azure Government” if your organization uses it (untick it if not), then verify again.",
    details,
  };
}

/** Diagnoses by the OAuth `error` value alone, for an AADSTS code Roster has no words for. */
function byOAuthError(error: string | null, code: string | null, details: string | undefined): Diagnosis | null {
  const shown = code ? ` (AADSTS${code})` : "";
  switch (error) {
    case "invalid_client":
      return {
        code: "client_credentials_rejected",
        title: `Entra ID rejected the app's credentials${shown}`,
        fix: "Check that the client secret's Value (not its Secret ID) belongs to this Application (client) ID and has not expired; if in doubt, create a new client secret and enter it.",
        details,
      };
    case "unauthorized_client":
      return {
        code: "app_not_allowed",
        title: `Entra ID does not allow this app in this directory${shown}`,
        fix: `Check the Application (client) ID and Directory (tenant) ID, and in ${ENTERPRISE_APP_PATH} that the app exists and is enabled, then verify again.`,
        details,
      };
    case "invalid_grant":
    case "interaction_required":
    case "access_denied":
      return {
        code: "token_policy_refused",
        title: `A directory policy stopped Entra ID from issuing the app a token${shown}`,
        fix: "Check Microsoft Entra admin center → Conditional Access and the sign-in logs (Service principal sign-ins) for this app, then verify again.",
        details,
      };
    case "invalid_tenant":
      return byCode("90002", details, {});
    case "temporarily_unavailable":
      return {
        code: "entra_unavailable",
        title: `Entra ID is temporarily unavailable${shown}`,
        fix: "This is on Microsoft's side and usually brief: verify again in a few minutes.",
        details,
      };
    default:
      return null;
  }
}

/**
 * A refused token request, keyed first on the OAuth `error` value and then on the AADSTS code. The value
 * alone decides for an outage (temporarily_unavailable); otherwise the code names the precise cause, and the
 * value gives the fix when the code is one Roster does not know.
 */
function diagnoseTokenError(error: string | null, code: string | null, details: string | undefined, context: DiagnosisContext): Diagnosis {
  if (error === "temporarily_unavailable") return byOAuthError(error, code, details)!;
  return (
    byCode(code, details, context) ??
    byOAuthError(error, code, details) ?? {
      code: "token_error",
      title: code ? `Entra ID refused to issue a token (AADSTS${code})` : "Entra ID refused to issue a token",
      fix: "Check the Application (client) ID, Directory (tenant) ID and client secret against the app registration, then verify again.",
      details,
    }
  );
}

function diagnoseDiscovery(error: TenantDiscoveryError): Diagnosis {
  const details = detailsOf(error);
  switch (error.reason) {
    case "tenant_not_found":
      return byCode("90002", details, {})!;
    case "wrong_cloud":
      return error.tenantCloud === "usgov"
        ? {
            code: "wrong_cloud",
            title: "This directory is in Azure Government: is this an Azure Government tenant?",
            fix: "Tick “Azure Government” and verify again.",
            details,
          }
        : {
            code: "wrong_cloud",
            title: `This directory is in ${CLOUD_NAMES[error.tenantCloud ?? "global"]}, not Azure Government`,
            fix: "Untick “Azure Government” and verify again.",
            details,
          };
    case "graph_host_refused":
      return {
        code: "graph_host_refused",
        title: "This directory's Microsoft Graph is in a cloud Roster does not support",
        fix: "Roster connects to Azure Global (graph.microsoft.com) and Azure Government, L4 and L5 / DoD (graph.microsoft.us, dod-graph.microsoft.us). Check the Directory (tenant) ID; a directory in another national cloud (such as Microsoft Azure operated by 21Vianet) cannot be connected.",
        details,
      };
    case "network":
      return networkDiagnosis(error.host, details);
    default:
      return {
        code: "authority_unexpected",
        title: `The sign-in service at ${error.host} gave an unexpected answer`,
        fix: "Verify again in a few minutes. If it persists, check the Directory (tenant) ID and contact support with the details below.",
        details,
      };
  }
}

function networkDiagnosis(host: string | undefined, details: string | undefined): Diagnosis {
  return {
    code: "network",
    title: host ? `Could not reach ${host}` : "Could not reach Microsoft's services",
    fix: "Roster's server could not connect. This is usually temporary: verify again in a few minutes. If it persists, check the server's outbound network access.",
    details,
  };
}

/**
 * Graph's `request-id` and `date` (response headers, and innerError in the error body: https://learn.microsoft.com/en-us/graph/errors),
 * which Microsoft support asks for when a request failed. Empty when no response arrived.
 */
function supportLine(error: GraphRequestError): string {
  const parts = [error.requestId && `request-id ${error.requestId}`, error.date && `date ${error.date}`].filter(Boolean);
  return parts.length ? `; ${parts.join(", ")}` : "";
}

function diagnoseGraphError(error: GraphRequestError, context: DiagnosisContext): Diagnosis {
  const details = detailsOf(`${error.status} ${error.code}: ${error.message}${error.path ? ` (${error.path})` : ""}${supportLine(error)}`);
  if (error.status === 0) return networkDiagnosis(undefined, details);
  if (error.status === 401) {
    return {
      code: "graph_unauthorized",
      title: "Microsoft Graph did not accept the app's token",
      fix: "Check that “Azure Government” matches your tenant's cloud, then verify again. If it persists, create a new client secret and rotate it here.",
      details,
    };
  }
  if (error.status === 403) {
    return context.permission
      ? { code: "permission_missing", title: `${context.permission} is not granted as an application permission`, fix: addPermissionFix(context.permission), details }
      : {
          code: "permission_missing",
          title: "The app lacks a permission Roster needs",
          fix: addPermissionFix("Group.Read.All, GroupMember.Read.All and User.Read.All"),
          details,
        };
  }
  if (error.status === 404) {
    return {
      code: "group_not_found",
      title: context.groupObjectId ? `Group ${context.groupObjectId} was deleted in Azure or never existed` : "Deleted in Azure",
      fix: "If the group was deleted by mistake, restore it in Azure (Groups → Deleted groups, within 30 days). Otherwise untick it, or remove its Object ID from this connection.",
      details,
    };
  }
  if (error.status === 429 || error.status === 503 || error.status === 504) {
    return {
      code: "throttled",
      title: "Microsoft Graph is throttling requests for this tenant",
      fix: "Nothing to change: Roster waits as Graph asks and retries. If other apps read the directory heavily, the next scheduled run will catch up.",
      details,
    };
  }
  // A page whose body was not JSON (list-stream.ts): the answer, not the request, was at fault.
  if (error.status >= 500 || error.code === "invalid_response") {
    return {
      code: "graph_unavailable",
      title: error.code === "invalid_response" ? "Microsoft Graph sent an answer Roster could not read" : "Microsoft Graph had an internal error",
      fix: "This is on Microsoft's side and usually brief: try again later. Roster keeps the last good audience meanwhile.",
      details,
    };
  }
  return {
    code: "graph_error",
    title: `Microsoft Graph refused the request (${error.status} ${error.code})`,
    fix: "Verify the connection again; if it persists, contact support with the details below.",
    details,
  };
}

/** Turns any failure of reaching Entra ID or Graph into what the admin should do. */
export function diagnose(error: unknown, context: DiagnosisContext = {}): Diagnosis {
  if (error instanceof TenantDiscoveryError) return diagnoseDiscovery(error);
  if (error instanceof GraphRequestError) return diagnoseGraphError(error, context);
  const own = ownDiagnosis(error);
  if (own) return { code: own.code, title: own.title, fix: own.fix };
  const details = detailsOf(error);
  const text = details ?? "";
  const code = aadstsCode(text);
  const oauthError = oauthErrorOf(error, text);
  if (code) return diagnoseTokenError(oauthError, code, details, context);
  if (/endpoints_resolution_error/.test(text)) {
    return {
      code: "authority_unreachable",
      title: "The sign-in service could not find this tenant or could not be reached",
      fix: "Re-copy the Directory (tenant) ID from the app registration's Overview page; if your organization uses Azure Government, tick “Azure Government”.",
      details,
    };
  }
  if (/network_error|fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|socket hang up|certificate/i.test(text)) {
    return networkDiagnosis(undefined, details);
  }
  return {
    code: "unknown",
    title: "Something unexpected went wrong while contacting Microsoft",
    fix: "Verify the connection again. If it persists, contact support with the details below.",
    details,
  };
}

/** The token carries no application roles at all: the classic "permissions added as Delegated" mistake. */
export function noApplicationRolesDiagnosis(): Diagnosis {
  return {
    code: "delegated_only",
    title: "The app has no application permissions (added as Delegated, or admin consent not granted)",
    fix: `In ${APP_PERMISSIONS_PATH}, remove User.Read (Delegated), add Group.Read.All, GroupMember.Read.All and User.Read.All as Application permissions, then select “Grant admin consent”.`,
  };
}

/** A read worked but the token does not carry the role: Graph answered through another grant we do not rely on. */
export function roleMissingDiagnosis(permission: string, roles: string[]): Diagnosis {
  return {
    code: "permission_missing",
    title: `${permission} is not granted as an application permission`,
    fix: addPermissionFix(permission),
    details: `Application permissions in the token: ${roles.length ? roles.join(", ") : "none"}.`,
  };
}
