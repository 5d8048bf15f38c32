/**
 * The directory's object shapes, as Microsoft Graph v1.0 names their properties. Only what a directory read
 * can return is modelled; everything else a real object has is reported as null by the serialiser.
 */

export const USER = 0;
export const GROUP = 1;
export const CONTACT = 2;
export type ObjectKind = typeof USER | typeof GROUP | typeof CONTACT;

/** A member reference packs (index, kind) into one int so member lists can be Int32Arrays. */
export const ref = (kind: ObjectKind, index: number): number => index * 4 + kind;
export const refKind = (r: number): ObjectKind => (r & 3) as ObjectKind;
export const refIndex = (r: number): number => r >>> 2;

export interface UserRecord {
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  userPrincipalName: string;
  mailNickname: string;
  accountEnabled: boolean;
  userType: "Member" | "Guest";
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  companyName: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  preferredLanguage: string | null;
  usageLocation: string | null;
  employeeId: string | null;
  createdDateTime: string;
  /** Guests only: where the invitation stands. */
  externalUserState: string | null;
  creationType: string | null;
}

export interface GroupRecord {
  id: string;
  displayName: string;
  description: string | null;
  mail: string | null;
  mailEnabled: boolean;
  mailNickname: string;
  securityEnabled: boolean;
  groupTypes: string[];
  membershipRule: string | null;
  membershipRuleProcessingState: "On" | "Paused" | null;
  visibility: "Public" | "Private" | "HiddenMembership" | null;
  createdDateTime: string;
  /** Direct members as refs (see ref()). Typed arrays for generated groups, plain arrays once mutated. */
  members: ArrayLike<number>;
  deleted: boolean;
  /** Requests (GET or member listing) still answered 404 while the new group replicates; see graph/routes.ts. */
  replicationPending?: number;
}

export interface ContactRecord {
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  mailNickname: string | null;
  companyName: string | null;
  jobTitle: string | null;
  department: string | null;
  createdDateTime: string;
  deleted: boolean;
}

/**
 * A directory role (activated) or an administrative unit: not members of groups, but what a user's
 * memberOf / transitiveMemberOf also lists, typed #microsoft.graph.directoryRole / .administrativeUnit.
 */
export interface RoleOrUnitRecord {
  type: "directoryRole" | "administrativeUnit";
  id: string;
  displayName: string;
  description: string | null;
  /** directoryRole only: the role template it was activated from. */
  roleTemplateId: string | null;
  /** Object ids of its user (and contact) members. */
  memberIds: string[];
}

export interface OrganizationRecord {
  displayName: string;
  /** The verified custom domain used for mail. */
  domain: string;
  /** The tenant's *.onmicrosoft.com (or .us) domain, used in guest UPNs. */
  initialDomain: string;
  countryLetterCode: string;
  createdDateTime: string;
}

/** What a group is, in the words the product's UI and the manifest use. */
export type GroupKind = "microsoft365" | "security" | "mailEnabledSecurity" | "distribution" | "dynamic";

export function groupKind(g: Pick<GroupRecord, "groupTypes" | "mailEnabled" | "securityEnabled">): GroupKind {
  if (g.groupTypes.includes("DynamicMembership")) return "dynamic";
  if (g.groupTypes.includes("Unified")) return "microsoft365";
  if (g.mailEnabled && g.securityEnabled) return "mailEnabledSecurity";
  if (g.mailEnabled) return "distribution";
  return "security";
}
