/**
 * Graph v1.0 property sets and projection: the default properties each type returns without $select,
 * what $select may name, and how an object looks when the app may not read its type (id and @odata.type
 * only, every other requested property null, as Graph documents for directoryObject collections).
 */
import { CONTACT, GROUP, USER, type ContactRecord, type GroupRecord, type ObjectKind, type UserRecord } from "../directory/records";

export type Access = "full" | "basic" | "limited";

export const USER_DEFAULT = [
  "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage",
  "surname", "userPrincipalName", "id",
];
const USER_MORE = [
  "accountEnabled", "userType", "department", "companyName", "createdDateTime", "mailNickname", "employeeId", "usageLocation",
  "externalUserState", "creationType", "otherMails", "proxyAddresses", "imAddresses", "deletedDateTime", "onPremisesSyncEnabled",
  "onPremisesImmutableId", "onPremisesSamAccountName", "ageGroup", "city", "country", "state", "streetAddress", "postalCode",
  "employeeType", "faxNumber", "showInAddressList", "isResourceAccount",
];
export const GROUP_DEFAULT = [
  "id", "deletedDateTime", "classification", "createdDateTime", "creationOptions", "description", "displayName",
  "expirationDateTime", "groupTypes", "isAssignableToRole", "mail", "mailEnabled", "mailNickname", "membershipRule",
  "membershipRuleProcessingState", "onPremisesDomainName", "onPremisesLastSyncDateTime", "onPremisesNetBiosName",
  "onPremisesSamAccountName", "onPremisesSecurityIdentifier", "onPremisesSyncEnabled", "preferredDataLocation",
  "preferredLanguage", "proxyAddresses", "renewedDateTime", "resourceBehaviorOptions", "resourceProvisioningOptions",
  "securityEnabled", "securityIdentifier", "theme", "visibility", "onPremisesProvisioningErrors", "serviceProvisioningErrors",
];
export const CONTACT_DEFAULT = [
  "id", "deletedDateTime", "companyName", "department", "displayName", "givenName", "jobTitle", "mail", "mailNickname",
  "onPremisesLastSyncDateTime", "onPremisesSyncEnabled", "surname", "addresses", "onPremisesProvisioningErrors", "phones",
  "proxyAddresses", "serviceProvisioningErrors",
];

/** Canonical spelling by lower-cased name, per kind: $select is case-insensitive, responses are not. */
const canonical = (names: string[]) => new Map(names.map((n) => [n.toLowerCase(), n]));
export const PROPS: Record<ObjectKind, Map<string, string>> = {
  [USER]: canonical([...USER_DEFAULT, ...USER_MORE]),
  [GROUP]: canonical(GROUP_DEFAULT),
  [CONTACT]: canonical(CONTACT_DEFAULT),
};
export const DEFAULTS: Record<ObjectKind, string[]> = { [USER]: USER_DEFAULT, [GROUP]: GROUP_DEFAULT, [CONTACT]: CONTACT_DEFAULT };
const USER_BASIC = new Set(USER_DEFAULT);

export const ODATA_TYPE: Record<ObjectKind, string> = {
  [USER]: "#microsoft.graph.user",
  [GROUP]: "#microsoft.graph.group",
  [CONTACT]: "#microsoft.graph.orgContact",
};

const smtp = (mail: string | null) => (mail ? [`SMTP:${mail}`] : []);

function userValue(u: UserRecord, p: string): unknown {
  switch (p) {
    case "otherMails":
    case "imAddresses":
      return [];
    case "proxyAddresses":
      return u.userType === "Guest" ? [] : smtp(u.mail);
    case "showInAddressList":
    case "isResourceAccount":
      return null;
    default: {
      const v = (u as unknown as Record<string, unknown>)[p];
      return v === undefined ? null : v;
    }
  }
}

/** The group's on-premises-style SID, derived from its object id as Entra does (S-1-12-1-…). */
function securityIdentifier(id: string): string {
  const b = Buffer.from(id.replace(/-/g, ""), "hex");
  // A GUID's first three fields are stored little-endian; reorder to its byte layout first.
  const bytes = Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)]);
  return `S-1-12-1-${bytes.readUInt32LE(0)}-${bytes.readUInt32LE(4)}-${bytes.readUInt32LE(8)}-${bytes.readUInt32LE(12)}`;
}

function groupValue(g: GroupRecord, p: string): unknown {
  switch (p) {
    case "creationOptions":
    case "resourceBehaviorOptions":
    case "resourceProvisioningOptions":
    case "onPremisesProvisioningErrors":
    case "serviceProvisioningErrors":
      return [];
    case "proxyAddresses":
      return smtp(g.mail);
    case "renewedDateTime":
      return g.createdDateTime;
    case "isAssignableToRole":
      return null;
    case "securityIdentifier":
      return securityIdentifier(g.id);
    case "groupTypes":
      return [...g.groupTypes];
    default: {
      const v = (g as unknown as Record<string, unknown>)[p];
      return v === undefined || p === "members" || p === "deleted" ? null : v;
    }
  }
}

function contactValue(c: ContactRecord, p: string): unknown {
  switch (p) {
    case "addresses":
    case "phones":
    case "onPremisesProvisioningErrors":
    case "serviceProvisioningErrors":
      return [];
    case "proxyAddresses":
      return smtp(c.mail);
    default: {
      const v = (c as unknown as Record<string, unknown>)[p];
      return v === undefined || p === "deleted" ? null : v;
    }
  }
}

export function valueOf(kind: ObjectKind, rec: UserRecord | GroupRecord | ContactRecord, prop: string): unknown {
  if (kind === USER) return userValue(rec as UserRecord, prop);
  if (kind === GROUP) return groupValue(rec as GroupRecord, prop);
  return contactValue(rec as ContactRecord, prop);
}

/**
 * A function turning objects of one kind into response items. `select` holds canonical names (null = the
 * type's defaults); names the type does not have are left out, as Graph does for mixed directoryObject
 * collections. The property list is worked out once, not per object: this runs for every item of every page.
 */
export function projector(
  kind: ObjectKind,
  select: string[] | null,
  access: Access,
  withType: boolean,
): (rec: UserRecord | GroupRecord | ContactRecord) => Record<string, unknown> {
  const known = PROPS[kind];
  const names = (select ?? DEFAULTS[kind]).filter((p) => known.has(p.toLowerCase()));
  const nulled = new Set(names.filter((p) => p !== "id" && (access === "limited" || (access === "basic" && kind === USER && !USER_BASIC.has(p)))));
  const type = withType || access === "limited" ? ODATA_TYPE[kind] : null;
  const limited = access === "limited";
  return (rec) => {
    const o: Record<string, unknown> = {};
    if (type) o["@odata.type"] = type;
    if (limited) o.id = rec.id;
    for (const p of names) {
      if (p === "id") o.id = rec.id;
      else o[p] = nulled.has(p) ? null : valueOf(kind, rec, p);
    }
    return o;
  };
}

export function project(
  kind: ObjectKind,
  rec: UserRecord | GroupRecord | ContactRecord,
  select: string[] | null,
  access: Access,
  withType: boolean,
): Record<string, unknown> {
  return projector(kind, select, access, withType)(rec);
}
