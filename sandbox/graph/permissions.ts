/**
 * Which application permissions (the token's `roles`) allow which directory reads, per Graph's permission
 * tables. Graph authorises by the token, so consent changes show only in tokens issued after them.
 */

const any = (roles: ReadonlySet<string>, names: string[]) => names.some((n) => roles.has(n));
const DIRECTORY = ["Directory.Read.All", "Directory.ReadWrite.All"];

export const canListGroups = (r: ReadonlySet<string>) =>
  any(r, ["Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "GroupMember.ReadWrite.All", ...DIRECTORY]);

/** List members / transitive members of a group. */
export const canListMembers = canListGroups;

/**
 * Members of a group whose visibility is HiddenMembership: Member.Read.Hidden, on top of a member read.
 * https://learn.microsoft.com/en-us/graph/permissions-reference#memberreadhidden
 */
export const canReadHiddenMembers = (r: ReadonlySet<string>) => any(r, ["Member.Read.Hidden"]);

/** How much of a user the app may see: everything, the basic profile, or (in member lists) only id and type. */
export function userAccess(r: ReadonlySet<string>): "full" | "basic" | "none" {
  if (any(r, ["User.Read.All", "User.ReadWrite.All", ...DIRECTORY])) return "full";
  if (any(r, ["User.ReadBasic.All"])) return "basic";
  return "none";
}

export const canReadContacts = (r: ReadonlySet<string>) => any(r, ["OrgContact.Read.All", ...DIRECTORY]);

export const canReadOrganization = (r: ReadonlySet<string>) =>
  any(r, ["Organization.Read.All", "Organization.ReadWrite.All", ...DIRECTORY]);
