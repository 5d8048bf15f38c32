import { cloudEndpoints } from "./cloud";
import { credentialContext } from "./credential";
import { diagnose, noApplicationRolesDiagnosis, roleMissingDiagnosis } from "./diagnose";
import { discoverTenant } from "./discovery";
import { openGraph } from "./client";
import { getGroup } from "./groups";
import { GraphRequestError } from "./errors";
import type { Diagnosis, GraphConnectionConfig, GraphPage, GraphSession } from "./types";
import type { ChecklistItem, VerificationOptions, VerificationResult } from "@/lib/directory/types";
import { isUuid } from "@/lib/uuid";

export type { ChecklistItem, VerificationOptions, VerificationResult } from "@/lib/directory/types";

/** Whether the group catalog can be read: the app signs in and Group.Read.All passed. */
export function canReadGroups(result: VerificationResult): boolean {
  return result.credentialsOk && result.checklist.some((i) => i.id === "permission:Group.Read.All" && i.ok);
}

export const REQUIRED_PERMISSIONS = ["Group.Read.All", "GroupMember.Read.All", "User.Read.All"] as const;
export const CONTACTS_PERMISSION = "OrgContact.Read.All";

/**
 * The higher-privileged application permissions Graph accepts in place of the least-privileged one the guide
 * asks for, per each API's permission table (a grant listed here allows the same read):
 * https://learn.microsoft.com/en-us/graph/api/group-list (groups),
 * https://learn.microsoft.com/en-us/graph/api/group-list-transitivemembers (members),
 * https://learn.microsoft.com/en-us/graph/api/user-list (users), https://learn.microsoft.com/en-us/graph/api/orgcontact-list (contacts).
 */
const IMPLIED_BY: Record<string, string[]> = {
  "Group.Read.All": ["Group.ReadWrite.All", "GroupMember.Read.All", "GroupMember.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "GroupMember.Read.All": ["GroupMember.ReadWrite.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "User.Read.All": ["User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "OrgContact.Read.All": ["Directory.Read.All", "Directory.ReadWrite.All"],
};

export function permissionGranted(permission: string, roles: string[]): boolean {
  return grantedVia(permission, roles) !== null;
}

/** The role in the token that grants `permission`: itself, or a higher-privileged one; null when none does. */
export function grantedVia(permission: string, roles: string[]): string | null {
  if (roles.includes(permission)) return permission;
  return (IMPLIED_BY[permission] ?? []).find((r) => roles.includes(r)) ?? null;
}

/**
 * What a passing permission line notes: nothing when the guide's permission itself is granted; otherwise which
 * grant allowed the read. The token's roles are advisory: the real read is what proves access.
 */
function grantNote(permission: string, roles: string[]): string | undefined {
  const via = grantedVia(permission, roles);
  if (via === permission) return undefined;
  if (via) return `Allowed through ${via}. The guide recommends ${permission}; no change is needed.`;
  return `Graph allowed the read, though the token's roles list neither ${permission} nor a permission that includes it. The guide recommends ${permission}.`;
}

/** A member read refused on a group with hidden membership: Graph requires Member.Read.Hidden for it. */
export function hiddenMembershipCheckDiagnosis(details?: string): Diagnosis {
  return {
    code: "hidden_membership",
    title: "This group hides its membership, and Member.Read.Hidden is not granted",
    fix:
      "Graph lists the members of a group with hidden membership only to apps granted Member.Read.Hidden. In Azure portal → App registrations → your app → " +
      "API permissions, add Microsoft Graph → Application permissions → Member.Read.Hidden, then select “Grant admin consent”, or remove this group's Object ID.",
    details,
  };
}

/** Verification answers an admin who is waiting: retry briefly, never sit out a long Retry-After. */
const VERIFY_RETRY = { maxAttempts: 3, baseDelayMs: 300, maxDelayMs: 2_000, maxRetryAfterMs: 10_000 };


function failed(id: string, label: string, d: Diagnosis): ChecklistItem {
  return { id, label, ok: false, code: d.code, title: d.title, fix: d.fix, details: d.details };
}

function notChecked(id: string, label: string, reason: string): ChecklistItem {
  return { id, label, ok: false, skipped: true, title: reason };
}

/**
 * The wizard's and the connection page's verification: discover the tenant, get a token, read its roles, make
 * one real read per required permission, and look up each configured group. Every line passes or fails with
 * its cause and fix. Runs with a fresh credential, so consent granted a minute ago is seen.
 */
export async function verifyDirectoryAccess(config: GraphConnectionConfig, options: VerificationOptions): Promise<VerificationResult> {
  const endpoints = cloudEndpoints(config.cloud);
  const checklist: ChecklistItem[] = [];
  const permissions: string[] = [...REQUIRED_PERMISSIONS, ...(options.syncContacts ? [CONTACTS_PERMISSION] : [])];
  const skipRest = (reason: string) => {
    checklist.push(notChecked("token", "Sign in as the application", reason));
    for (const p of permissions) checklist.push(notChecked(`permission:${p}`, `${p} (Application)`, reason));
    for (const g of options.groupObjectIds) checklist.push(notChecked(`group:${g}`, `Group ${g}`, reason));
  };
  const finish = (roles: string[], credentialsOk: boolean): VerificationResult => {
    const scrubbed = checklist.map((item) => scrubSecret(item, config.clientSecret));
    const firstFailure = scrubbed.find((i) => !i.ok && !i.skipped);
    return {
      ok: scrubbed.every((i) => i.ok),
      checklist: scrubbed,
      roles,
      credentialsOk,
      diagnosis: firstFailure ? { code: firstFailure.code ?? "unknown", title: firstFailure.title ?? "", fix: firstFailure.fix ?? "", details: firstFailure.details } : null,
      graphHost: config.graphHost ?? null,
    };
  };

  const cloudName = config.cloud === "usgov" ? "Azure Government" : "Azure Global";
  const discovery = await discoverTenant(config.tenantId, endpoints);
  if (!discovery.ok) {
    checklist.push(failed("tenant", `Directory found in ${cloudName}`, diagnose(discovery.error)));
    skipRest("Not checked: the directory must be found first.");
    return finish([], false);
  }
  checklist.push({ id: "tenant", label: `Directory found in ${cloudName}`, ok: true });
  // The tenant's own Graph (msgraph_host: graph.microsoft.us or dod-graph.microsoft.us in Azure Government)
  // gives the token scope and the base URL; the caller saves it with the result.
  const graphHost = discovery.graphHost ?? null;
  config = { ...config, graphHost };

  const graph = openGraph(config, { retryPolicy: VERIFY_RETRY, maxInFlight: 4 });
  let roles: string[];
  try {
    roles = await graph.tokenRoles();
    checklist.push({ id: "token", label: "Sign in as the application", ok: true });
  } catch (error) {
    const secretLooksLikeSecretId = isUuid(config.clientSecret.trim()) || (!!options.secretId && config.clientSecret.trim() === options.secretId.trim());
    // The recorded expiry explains an "expired" answer only when it has passed; a future date was mistyped.
    const today = new Date().toISOString().slice(0, 10);
    const secretExpiresOn = options.secretExpiresOn && options.secretExpiresOn <= today ? options.secretExpiresOn : undefined;
    checklist.push(failed("token", "Sign in as the application", diagnose(error, { secretExpiresOn, secretLooksLikeSecretId, cloud: config.cloud, credential: credentialContext(config) })));
    for (const p of permissions) checklist.push(notChecked(`permission:${p}`, `${p} (Application)`, "Not checked: the app must sign in first."));
    for (const g of options.groupObjectIds) checklist.push(notChecked(`group:${g}`, `Group ${g}`, "Not checked: the app must sign in first."));
    return finish([], false);
  }
  if (roles.length === 0) checklist.push(failed("roles", "Application permissions granted", noApplicationRolesDiagnosis()));
  else checklist.push({ id: "roles", label: "Application permissions granted", ok: true, details: `Roles: ${roles.join(", ")}` });

  // The member read needs a group whose members any member permission may list: not one hiding its membership
  // (that needs Member.Read.Hidden, checked per configured group below).
  let sampleGroupId: string | undefined;
  const readFor: Record<string, () => Promise<"ok" | "no-group" | "limited">> = {
    "Group.Read.All": async () => {
      const page = await graph.get<GraphPage<{ id: string; visibility?: string | null }>>("/groups?$top=20&$select=id,visibility");
      sampleGroupId = (page.value ?? []).find((g) => g.visibility !== "HiddenMembership")?.id;
      return "ok";
    },
    "GroupMember.Read.All": async () => {
      if (!sampleGroupId) return "no-group";
      // The same uncast standard listing the sync reads (lib/directory/entra/members.ts).
      await graph.get(`/groups/${encodeURIComponent(sampleGroupId)}/transitiveMembers?$top=1&$select=id`);
      return "ok";
    },
    "User.Read.All": async () => {
      // User.ReadBasic.All answers this too, with accountEnabled null: only a returned state proves the grant.
      const page = await graph.get<GraphPage<{ id: string; accountEnabled?: boolean | null }>>("/users?$top=1&$select=id,mail,userPrincipalName,accountEnabled");
      const first = page.value?.[0];
      return first && typeof first.accountEnabled !== "boolean" ? "limited" : "ok";
    },
    "OrgContact.Read.All": async () => {
      await graph.get("/contacts?$top=1&$select=id,mail");
      return "ok";
    },
  };
  let groupReadOk = false;
  for (const permission of permissions) {
    const id = `permission:${permission}`;
    const label = `${permission} (Application)`;
    try {
      const outcome = await readFor[permission]();
      // No group to read members from: no real read can prove access, so the roles claim decides.
      if (outcome === "limited" || (outcome === "no-group" && !permissionGranted(permission, roles))) {
        checklist.push(failed(id, label, roleMissingDiagnosis(permission, roles)));
        continue;
      }
      // A read Graph allowed proves access, whatever the roles claim lists; the line notes the guide's choice.
      const note = outcome === "no-group" ? "The directory has no group to read members from yet." : grantNote(permission, roles);
      checklist.push(note ? { id, label, ok: true, note } : { id, label, ok: true });
      if (permission === "Group.Read.All") groupReadOk = true;
    } catch (error) {
      checklist.push(failed(id, label, diagnose(error, { permission })));
    }
  }

  for (const objectId of options.groupObjectIds) {
    await checkGroup(graph, objectId, groupReadOk, checklist);
  }
  // The whole directory is offered: its groups with hidden membership are too, so Member.Read.Hidden is
  // checked on one the catalog holds, with one real read.
  if (options.groupObjectIds.length === 0 && options.hiddenMembershipGroupId) await checkHiddenInDirectory(graph, options.hiddenMembershipGroupId, checklist);
  return finish(roles, true);
}

export const HIDDEN_NOT_GRANTED_NOTE =
  "Member.Read.Hidden is not granted: groups with hidden membership end in Error when synced. To sync them, add Microsoft Graph → " +
  "Application permissions → Member.Read.Hidden in the app's API permissions and grant admin consent.";

async function checkHiddenInDirectory(graph: GraphSession, objectId: string, checklist: ChecklistItem[]) {
  const id = "hidden-membership";
  const label = "Groups with hidden membership (Member.Read.Hidden)";
  try {
    // "To list the members of a hidden membership group, the Member.Read.Hidden permission is required."
    // https://learn.microsoft.com/en-us/graph/api/group-list-transitivemembers
    await graph.get(`/groups/${encodeURIComponent(objectId)}/transitiveMembers?$top=1&$select=id`);
    checklist.push({ id, label, ok: true, note: "Their members can be read: Member.Read.Hidden is granted." });
  } catch (error) {
    if (error instanceof GraphRequestError && error.status === 404) return; // gone since the catalog saw it: nothing to check
    // Advisory, not a failure: every other group of the directory syncs, and a hidden one ticked without the
    // permission ends in Error with this fix, never in an empty audience.
    if (error instanceof GraphRequestError && error.status === 403) checklist.push({ id, label, ok: true, note: HIDDEN_NOT_GRANTED_NOTE });
    else checklist.push(failed(id, label, diagnose(error, { permission: "Member.Read.Hidden", groupObjectId: objectId })));
  }
}

async function checkGroup(graph: GraphSession, objectId: string, groupReadOk: boolean, checklist: ChecklistItem[]) {
  const id = `group:${objectId}`;
  if (!groupReadOk) {
    checklist.push(notChecked(id, `Group ${objectId}`, "Not checked: needs Group.Read.All."));
    return;
  }
  try {
    const group = await getGroup(graph, objectId);
    if (!group) {
      checklist.push(
        failed(id, `Group ${objectId}`, {
          code: "group_not_found",
          title: `No group with Object ID ${objectId} exists in this directory`,
          fix: "Re-copy the group's Object ID from Azure → Groups, or remove it from Group Object IDs.",
        }),
      );
    } else if (group.visibility === "HiddenMembership") {
      // "To list the members of a hidden membership group, the Member.Read.Hidden permission is required."
      // https://learn.microsoft.com/en-us/graph/api/group-list-transitivemembers. A real read tells.
      const label = `Group “${group.displayName ?? objectId}” (hidden membership)`;
      try {
        await graph.get(`/groups/${encodeURIComponent(objectId)}/transitiveMembers?$top=1&$select=id`);
        checklist.push({ id, label, ok: true, note: "Its members can be read: Member.Read.Hidden is granted." });
      } catch (error) {
        if (error instanceof GraphRequestError && error.status === 403) checklist.push(failed(id, label, hiddenMembershipCheckDiagnosis(error.message)));
        else checklist.push(failed(id, label, diagnose(error, { permission: "Member.Read.Hidden", groupObjectId: objectId })));
      }
    } else {
      checklist.push({ id, label: `Group “${group.displayName ?? objectId}”`, ok: true });
    }
  } catch (error) {
    checklist.push(failed(id, `Group ${objectId}`, diagnose(error, { permission: "Group.Read.All", groupObjectId: objectId })));
  }
}

/** Defence in depth: no echo of the secret survives into stored or displayed text. */
function scrubSecret(item: ChecklistItem, secret: string): ChecklistItem {
  if (secret.length < 4) return item;
  const clean = (s: string | undefined) => (s === undefined ? s : s.split(secret).join("[secret]"));
  return { ...item, title: clean(item.title), fix: clean(item.fix), details: clean(item.details), ...(item.note !== undefined ? { note: clean(item.note) } : {}) };
}
