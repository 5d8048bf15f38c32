/**
 * What a test needs to know about a tenant to drive it and to predict the right answers: credentials,
 * endpoints, and per group the transitive counts split by the product's keep/skip reasons. Group numbers
 * are cached per directory version (a mutation changes them); app data is always current.
 */
import { CLOUDS } from "../auth/clouds";
import type { Directory } from "../directory/directory";
import { groupKind, refIndex, type GroupKind, type GroupRecord } from "../directory/records";
import { countAddresses, countMembers, type AddressCounts, type MemberCounts } from "../directory/stats";
import { DELETED, DISABLED, GUEST, NO_MAIL, UPN_INVALID } from "../directory/user-table";
import type { AppRegistration } from "./apps";
import type { Tenant } from "./tenant";

/** Up to this many users, manifests count distinct addresses per group (a set per group costs time). */
const ADDRESS_LIMIT = 50_000;
/** Up to this many users, manifests list every user and contact (Northwind-sized directories). */
const LIST_LIMIT = 5_000;

export interface GroupManifest {
  id: string;
  displayName: string;
  mail: string | null;
  kind: GroupKind;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  membershipRule: string | null;
  direct: { users: number; groups: number; contacts: number };
  /** Ids of the groups nested directly in this one. */
  nestedGroupIds: string[];
  transitive: MemberCounts;
  /** Distinct lower-cased addresses (small directories only; see GET …/groups/{id} for any size). */
  addresses: AddressCounts | null;
}

export function appManifest(a: AppRegistration, now = Date.now()) {
  return {
    name: a.name,
    clientId: a.clientId,
    servicePrincipalId: a.servicePrincipalId,
    roles: [...a.roles],
    delegated: [...a.delegated],
    flags: { ...a.flags },
    secrets: a.secrets.map((s) => ({
      secretId: s.secretId,
      displayName: s.displayName,
      value: s.value,
      startDateTime: s.startDateTime.toISOString(),
      expiresAt: s.endDateTime.toISOString(),
      expired: s.endDateTime.getTime() <= now,
    })),
    certificates: a.certificates.map((c) => ({
      keyId: c.keyId,
      displayName: c.displayName,
      thumbprint: c.thumbprintSha1.toUpperCase(),
      startDateTime: c.startDateTime.toISOString(),
      expiresAt: c.endDateTime.toISOString(),
    })),
    federatedCredentials: a.federatedCredentials.map((f) => ({ ...f, audiences: [...f.audiences] })),
  };
}

export function groupManifest(dir: Directory, g: number, withAddresses: boolean): GroupManifest {
  const rec: GroupRecord = dir.groups[g];
  const d = dir.direct(g);
  const t = dir.transitive(g);
  return {
    id: rec.id,
    displayName: rec.displayName,
    mail: rec.mail,
    kind: groupKind(rec),
    mailEnabled: rec.mailEnabled,
    securityEnabled: rec.securityEnabled,
    groupTypes: [...rec.groupTypes],
    membershipRule: rec.membershipRule,
    direct: { users: d.users.length, groups: d.groups.length, contacts: d.contacts.length },
    nestedGroupIds: Array.from(d.groups, (r) => dir.groups[refIndex(r)].id),
    transitive: countMembers(dir, t),
    addresses: withAddresses ? countAddresses(dir, t) : null,
  };
}

const groupCache = new WeakMap<Tenant, { version: number; groups: GroupManifest[] }>();

export function tenantManifest(tenant: Tenant, url: string) {
  const dir = tenant.directory;
  const small = dir.users.count <= ADDRESS_LIMIT;
  const listed = dir.users.count <= LIST_LIMIT;
  let cached = groupCache.get(tenant);
  if (!cached || cached.version !== dir.version) {
    const groups = dir.groups.flatMap((g, i) => (g.deleted ? [] : [groupManifest(dir, i, small)]));
    cached = { version: dir.version, groups };
    groupCache.set(tenant, cached);
  }
  const counts = { users: 0, enabledUsers: 0, disabledUsers: 0, guests: 0, usersWithoutMail: 0, usersWithInvalidUpn: 0, groups: cached.groups.length, contacts: 0 };
  for (let i = 0; i < dir.users.count; i++) {
    const b = dir.users.bits(i);
    if (b & DELETED) continue;
    counts.users++;
    if (b & DISABLED) counts.disabledUsers++;
    else counts.enabledUsers++;
    if (b & GUEST) counts.guests++;
    if (b & NO_MAIL) counts.usersWithoutMail++;
    if (b & UPN_INVALID) counts.usersWithInvalidUpn++;
  }
  counts.contacts = dir.contacts.filter((c) => !c.deleted).length;
  const cloud = CLOUDS[tenant.cloud];
  return {
    tenantId: tenant.id,
    cloud: tenant.cloud,
    displayName: dir.org.displayName,
    domain: dir.org.domain,
    initialDomain: dir.org.initialDomain,
    createdAt: tenant.createdAt.toISOString(),
    source: tenant.source,
    authorityHost: url,
    graphBaseUrl: url,
    tokenEndpoint: `${url}/${tenant.id}/oauth2/v2.0/token`,
    graphResource: cloud.graphResource,
    scope: `${cloud.graphResource}/.default`,
    tokenLifetimeSeconds: tenant.tokenLifetimeSeconds,
    version: dir.version,
    apps: tenant.apps.map((a) => appManifest(a)),
    counts,
    groups: cached.groups,
    users: listed ? usersList(dir) : null,
    contacts: listed ? dir.contacts.filter((c) => !c.deleted).map((c) => ({ id: c.id, displayName: c.displayName, mail: c.mail })) : null,
  };
}

function usersList(dir: Directory) {
  const out = [];
  for (let i = 0; i < dir.users.count; i++) {
    if (dir.users.isDeleted(i)) continue;
    const u = dir.users.get(i);
    out.push({ id: u.id, displayName: u.displayName, mail: u.mail, userPrincipalName: u.userPrincipalName, accountEnabled: u.accountEnabled, userType: u.userType, department: u.department });
  }
  return out;
}

/**
 * One group in full: its manifest entry with exact distinct-address counts, and (up to 100,000 users) the
 * expected recipients and the skipped members by reason, for tests that compare an audience exactly.
 */
export function groupDetail(tenant: Tenant, g: number) {
  const dir = tenant.directory;
  const base = groupManifest(dir, g, true);
  const t = dir.transitive(g);
  if (t.users.length > 100_000) return { ...base, recipients: null, skipped: null };
  const mail = new Set<string>();
  const upn = new Set<string>();
  const contacts = new Set<string>();
  const skipped = { disabled: [] as string[], upnOnly: [] as string[], noAddress: [] as string[], contactsWithoutMail: [] as string[] };
  for (const r of t.users) {
    const i = refIndex(r);
    const b = dir.users.bits(i);
    const u = dir.users.get(i);
    if (b & DISABLED) skipped.disabled.push(u.id);
    else if (!(b & NO_MAIL)) mail.add(u.mail!.toLowerCase());
    else if (!(b & UPN_INVALID)) {
      upn.add(u.userPrincipalName.toLowerCase());
      skipped.upnOnly.push(u.id);
    } else skipped.noAddress.push(u.id);
  }
  for (const r of t.contacts) {
    const c = dir.contacts[refIndex(r)];
    if (c.mail) contacts.add(c.mail.toLowerCase());
    else skipped.contactsWithoutMail.push(c.id);
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return {
    ...base,
    transitiveGroupIds: Array.from(t.groups, (r) => dir.groups[refIndex(r)].id),
    recipients: { mail: sorted(mail), upnFallback: sorted(upn), contacts: sorted(contacts) },
    skipped,
  };
}

