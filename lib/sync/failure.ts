import "server-only";
import type { DirectoryProvider } from "@/lib/directory/provider";
import { providerForConnection } from "@/lib/directory/registry";
import type { CredentialContext, Diagnosis, FailureClass } from "@/lib/directory/types";

/**
 * How a failed run is told apart: some failures belong to the group (deleted in Azure, 403 on it), some to the
 * whole connection (the secret expired, the app was removed), and a throttling pause longer than this worker
 * can wait is no failure at all — the job goes back to the queue.
 */
export type FailureKind = "group_deleted" | "connection" | "throttled" | "group";

export class SyncFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly diagnosis: Diagnosis,
  ) {
    super(diagnosis.title);
    this.name = "SyncFailure";
  }
}

/** What the catalog knows of a group's kind, for advice on bringing it back (directory_groups.kind). */
export type DeletedGroupKind = "security" | "microsoft365" | "distribution" | "mail_security" | "dynamic";

/**
 * How a deleted group comes back depends on its kind: Microsoft 365 groups and cloud security groups (dynamic
 * ones included) stay in deleted items, restorable for 30 days
 * (https://learn.microsoft.com/en-us/graph/api/directory-deleteditems-restore; the older
 * https://learn.microsoft.com/en-us/entra/identity/users/groups-restore-deleted names Microsoft 365 groups
 * only); distribution lists and mail-enabled security groups are Exchange objects and cannot be restored
 * there; a group synced from on-premises Active Directory comes back only by restoring it in AD, and the next
 * directory sync brings it back to Azure.
 */
export function groupDeletedDiagnosis(
  groupObjectId: string | null,
  details?: string,
  group: { kind?: DeletedGroupKind | null; onPremisesSyncEnabled?: boolean | null } = {},
): Diagnosis {
  const keep = "Its members stay in the audience as of the last good sync until you untick it.";
  const restore = group.onPremisesSyncEnabled
    ? "It was synced from on-premises Active Directory: restore it in AD (for example from the AD Recycle Bin); the next directory sync brings it back to Azure, then sync again here."
    : group.kind === "distribution" || group.kind === "mail_security"
      ? `${group.kind === "distribution" ? "Distribution lists" : "Mail-enabled security groups"} cannot be restored from Azure's deleted groups: if it is still needed, create it again in Exchange and tick the new group.`
      : `If it was deleted by mistake, restore it in Azure (Groups → Deleted groups${group.kind === "microsoft365" ? ", Microsoft 365 groups" : ""}) within 30 days of the deletion, and sync again.`;
  return {
    code: "group_deleted",
    title: "Deleted in Azure",
    fix: `The group no longer exists in Azure. ${keep} ${restore}` + (groupObjectId ? ` Object ID: ${groupObjectId}.` : ""),
    details,
  };
}

export const UNSERVED_TITLE = "No longer available to this organization";

/**
 * The connection stopped serving the series' organization (an admin removed the organization from it): handled
 * like a deleted group. Nothing more is fetched; the contribution stays, with its count, until it is removed.
 */
export function unservedDiagnosis(): Diagnosis {
  return {
    code: "connection_unserved",
    title: UNSERVED_TITLE,
    fix:
      "An admin stopped this directory connection serving your organization, so the group is no longer synced. " +
      "Its members stay in the audience as of the last good sync until you untick it and update the audience. " +
      "To sync it again, ask an admin to add your organization back to the connection.",
  };
}

export function missingUserReadDiagnosis(): Diagnosis {
  return {
    code: "permission_missing",
    title: "Graph returned members without their details: User.Read.All is not granted",
    fix: "In Azure portal → App registrations → your app → API permissions, add Microsoft Graph → Application permissions → User.Read.All (not Delegated), then select “Grant admin consent”.",
  };
}

export function hiddenMembershipDiagnosis(groupObjectId: string, details?: string): Diagnosis {
  return {
    code: "hidden_membership",
    title: "This group hides its membership: Member.Read.Hidden is not granted",
    fix:
      "Graph lists the members of a group with hidden membership only to apps granted Member.Read.Hidden. In Azure portal → App registrations → your app → " +
      "API permissions, add Microsoft Graph → Application permissions → Member.Read.Hidden, then select “Grant admin consent”, and sync again. " +
      `Object ID: ${groupObjectId}.`,
    details,
  };
}

export function directoryUnavailableDiagnosis(): Diagnosis {
  return {
    code: "directory_limited",
    title: "This connection is limited to selected groups",
    fix: "An admin limited this connection to a list of Group Object IDs, so the entire directory cannot be synced. Tick the groups instead, or clear the list on the connection's page.",
  };
}

/** Errors of obtaining a token (AADSTS…), reaching the authority, or a token Graph refuses: the connection's, not the group's. */
function isConnectionFailure(request: FailureClass, diagnosis: Diagnosis): boolean {
  if (request.request) return request.unauthorized;
  return diagnosis.code !== "unknown" && diagnosis.code !== "network";
}

export function classifyFailure(
  error: unknown,
  context: {
    groupObjectId: string | null;
    secretExpiresOn?: string;
    permission?: string;
    groupKind?: DeletedGroupKind | null;
    credential?: CredentialContext;
    /** The provider of the connection the failure belongs to; without one, the default provider's. */
    provider?: Pick<DirectoryProvider, "diagnose" | "classify">;
  },
): SyncFailure {
  if (error instanceof SyncFailure) return error;
  const provider = context.provider ?? providerForConnection(null);
  const diagnosis = provider.diagnose(error, {
    groupObjectId: context.groupObjectId ?? undefined,
    // The secret's expiry explains a refusal only when the secret is what signs in.
    secretExpiresOn: !context.credential || context.credential.kind === "secret" ? context.secretExpiresOn : undefined,
    permission: context.permission,
    credential: context.credential,
  });
  const request = provider.classify(error);
  if (request.request) {
    if (request.notFound && context.groupObjectId) {
      return new SyncFailure("group_deleted", groupDeletedDiagnosis(context.groupObjectId, diagnosis.details, { kind: context.groupKind }));
    }
    // A throttling answer that said how long to wait (classify reports retryAfterMs only for those).
    if (request.retryAfterMs !== undefined) return new SyncFailure("throttled", diagnosis);
  }
  return new SyncFailure(isConnectionFailure(request, diagnosis) ? "connection" : "group", diagnosis);
}
