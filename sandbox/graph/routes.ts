/**
 * The Graph v1.0 directory reads the sandbox serves: /users, /groups, /contacts (each with /{id} and
 * /$count), /groups/{id}/members and /transitiveMembers (with casts to microsoft.graph.user, .orgContact,
 * .group, and /$count), /users/{id}/memberOf and /transitiveMemberOf (also under /contacts/{id}), and
 * /organization. Each checks the caller's roles first, then the query rules.
 */
import { DISABLED, GUEST } from "../directory/user-table";
import { CONTACT, GROUP, USER, ref, refIndex, refKind, type GroupRecord, type ObjectKind } from "../directory/records";
import { advancedRequired, badRequest, forbidden, GraphError, notFound, unsupportedQuery } from "./errors";
import { compileFilter, type Getter } from "./filter";
import { contextUrl, countMatches, JSON_TYPE, servePage, type GraphAnswer, type GraphCall, type ListSpec } from "./lists";
import { canListGroups, canListMembers, canReadContacts, canReadHiddenMembers, canReadOrganization, userAccess } from "./permissions";
import { ODATA_TYPE, PROPS, projector, valueOf, type Access } from "./properties";
import { compileSearch } from "./search";
import { isGuid } from "../directory/ids";

const CASTS: Record<string, ObjectKind> = {
  "microsoft.graph.user": USER,
  "microsoft.graph.group": GROUP,
  "microsoft.graph.orgcontact": CONTACT,
};
const ENTITY_SET: Record<ObjectKind, string> = { [USER]: "users", [GROUP]: "groups", [CONTACT]: "contacts" };
const NOT_EMULATED = new Set(["delta", "owners", "getbyids", "$batch", "directoryobjects", "me", "serviceprincipals", "applications", "devices"]);

export function route(call: GraphCall, segments: string[]): GraphAnswer {
  const s = segments.map((x) => x.toLowerCase());
  const [root, id, rel] = s;
  if (s.length === 0) throw badRequest("Resource not found for the segment ''.", "BadRequest");
  if (NOT_EMULATED.has(root) || (rel && NOT_EMULATED.has(rel))) {
    throw new GraphError(501, "NotImplemented", `The Roster sandbox does not emulate '${segments.join("/")}'.`);
  }
  switch (root) {
    case "users":
      if (s.length === 1) return list(call, USER, [USER]);
      if (s.length === 2 && id === "$count") return countSegment(call, USER, [USER]);
      if (s.length === 2) return getUser(call, segments[1]);
      if (s.length === 3 && (rel === "memberof" || rel === "transitivememberof")) return memberOf(call, USER, segments[1], rel === "transitivememberof");
      break;
    case "groups":
      if (s.length === 1) return list(call, GROUP, [GROUP]);
      if (s.length === 2 && id === "$count") return countSegment(call, GROUP, [GROUP]);
      if (s.length === 2) return getGroup(call, segments[1]);
      if (rel === "members" || rel === "transitivemembers") {
        // members[/microsoft.graph.{type}][/$count]
        const rest = s.slice(3);
        let castKind: ObjectKind | undefined;
        if (rest[0] !== undefined && rest[0] !== "$count") {
          castKind = CASTS[rest[0]];
          if (castKind === undefined) {
            // Devices, service principals…: real types this sandbox never holds.
            if (rest[0].startsWith("microsoft.graph.") && rest.length === 1) {
              refuseCastForGroupKind(call, segments[1], rest[0]);
              return emptyCast(call, rest[0]);
            }
            break;
          }
          if (castKind !== USER) refuseCastForGroupKind(call, segments[1], rest[0]);
          rest.shift();
        }
        const countOnly = rest[0] === "$count";
        if (countOnly) rest.shift();
        if (rest.length === 0) return members(call, segments[1], rel === "transitivemembers", castKind, countOnly);
      }
      break;
    case "contacts":
      if (s.length === 1) return list(call, CONTACT, [CONTACT]);
      if (s.length === 2 && id === "$count") return countSegment(call, CONTACT, [CONTACT]);
      if (s.length === 2) return getContact(call, segments[1]);
      if (s.length === 3 && (rel === "memberof" || rel === "transitivememberof")) return memberOf(call, CONTACT, segments[1], rel === "transitivememberof");
      break;
    case "organization":
      if (s.length <= 2) return organization(call, s.length === 2 ? segments[1] : null);
      break;
  }
  throw badRequest(`Resource not found for the segment '${segments[segments.length - 1]}'.`, "BadRequest");
}

// ---- shared pieces ----

function canonicalSelect(call: GraphCall, kinds: ObjectKind[]): string[] | null {
  const sel = call.query.select;
  if (!sel) return null;
  return sel.map((name) => {
    for (const k of kinds) {
      const c = PROPS[k].get(name.toLowerCase());
      if (c) return c;
    }
    const type = kinds.length === 1 ? ODATA_TYPE[kinds[0]].slice(1) : "microsoft.graph.directoryObject";
    throw badRequest(`Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${type}'.`, "BadRequest");
  });
}

function recordOf(call: GraphCall, r: number) {
  const dir = call.tenant.directory;
  const i = refIndex(r);
  const kind = refKind(r);
  return kind === USER ? dir.users.get(i) : kind === GROUP ? dir.groups[i] : dir.contacts[i];
}

/** Property reads for $filter/$search, with the hot user flags answered from the state bits. */
function getterFor(call: GraphCall, r: number): Getter {
  let rec: ReturnType<typeof recordOf> | null = null;
  return (kind, prop) => {
    if (kind === USER && prop === "accountEnabled") return (call.tenant.directory.users.bits(refIndex(r)) & DISABLED) === 0;
    if (kind === USER && prop === "userType") return call.tenant.directory.users.bits(refIndex(r)) & GUEST ? "Guest" : "Member";
    rec ??= recordOf(call, r);
    return valueOf(kind, rec, prop);
  };
}

/** The $filter/$search predicate for a list of `kinds`, enforcing which need an advanced query. */
function predicate(call: GraphCall, kinds: ObjectKind[], memberList: boolean): ((r: number) => boolean) | null {
  const { filter, search } = call.query;
  if (search !== null && !call.eventual) {
    throw unsupportedQuery("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");
  }
  const f = filter !== null ? compileFilter(filter, kinds) : null;
  if (f && memberList && !call.advanced) throw unsupportedQuery("The specified filter to the reference property query is currently not supported.");
  if (f?.needsAdvanced && !call.advanced) throw advancedRequired(f.needsAdvanced);
  const srch = search !== null ? compileSearch(search) : null;
  if (!f && !srch) return null;
  return (r) => {
    const get = getterFor(call, r);
    const kind = refKind(r);
    return (!f || f.test(kind, get)) && (!srch || srch(kind, get));
  };
}

function accessFor(call: GraphCall, kind: ObjectKind): Access {
  const roles = call.caller.roles;
  if (kind === USER) {
    const a = userAccess(roles);
    return a === "none" ? "limited" : a;
  }
  if (kind === CONTACT) return canReadContacts(roles) ? "full" : "limited";
  return canListGroups(roles) ? "full" : "limited";
}

function projectorFor(call: GraphCall, kinds: ObjectKind[], withType: boolean): (r: number) => Record<string, unknown> {
  const select = canonicalSelect(call, kinds);
  const byKind = ([USER, GROUP, CONTACT] as ObjectKind[]).map((k) => projector(k, select, accessFor(call, k), withType));
  return (r) => byKind[refKind(r)](recordOf(call, r));
}

function requireList(call: GraphCall, kind: ObjectKind): void {
  const roles = call.caller.roles;
  const ok = kind === USER ? userAccess(roles) !== "none" : kind === GROUP ? canListGroups(roles) : canReadContacts(roles);
  if (!ok) throw forbidden();
}

function plainCount(n: number): GraphAnswer {
  return { status: 200, body: String(n), contentType: "text/plain;charset=utf-8" };
}

// ---- collections of one type ----

function directorySpec(call: GraphCall, kind: ObjectKind, match: ((r: number) => boolean) | null): ListSpec {
  const dir = call.tenant.directory;
  const length = kind === USER ? dir.users.count : kind === GROUP ? dir.groups.length : dir.contacts.length;
  return {
    key: `${ENTITY_SET[kind]}|${call.query.filter ?? ""}|${call.query.search ?? ""}`,
    length,
    at: (k) => ref(kind, k),
    skip: (r) => !dir.live(r),
    match,
    project: projectorFor(call, [kind], false),
    context: ENTITY_SET[kind],
  };
}

function list(call: GraphCall, kind: ObjectKind, kinds: ObjectKind[]): GraphAnswer {
  requireList(call, kind);
  return servePage(call, directorySpec(call, kind, predicate(call, kinds, false)));
}

/** A /$count segment needs ConsistencyLevel: eventual and then counts as an advanced query itself. */
function asCountQuery(call: GraphCall): GraphCall {
  if (!call.eventual) throw badRequest("$count is not currently supported.");
  return { ...call, advanced: true };
}

function countSegment(call: GraphCall, kind: ObjectKind, kinds: ObjectKind[]): GraphAnswer {
  requireList(call, kind);
  const c = asCountQuery(call);
  return plainCount(countMatches(c, directorySpec(c, kind, predicate(c, kinds, false))));
}

function entity(call: GraphCall, kind: ObjectKind, r: number, withType = false): GraphAnswer {
  const body = { "@odata.context": contextUrl(call, ENTITY_SET[kind], "/$entity"), ...projectorFor(call, [kind], withType)(r) };
  return { status: 200, body: JSON.stringify(body), contentType: JSON_TYPE };
}

function checkObjectId(id: string): void {
  if (!isGuid(id)) throw badRequest(`Invalid object identifier '${id}'.`);
}

function getUser(call: GraphCall, idOrUpn: string): GraphAnswer {
  requireList(call, USER);
  const i = call.tenant.directory.users.indexOf(decodeURIComponent(idOrUpn));
  if (i < 0) throw notFound(idOrUpn);
  return entity(call, USER, ref(USER, i));
}

function getGroup(call: GraphCall, id: string): GraphAnswer {
  requireList(call, GROUP);
  checkObjectId(id);
  const g = call.tenant.directory.findGroup(id);
  if (g < 0 || stillReplicating(call.tenant.directory.groups[g])) throw notFound(id);
  return entity(call, GROUP, ref(GROUP, g));
}

function getContact(call: GraphCall, id: string): GraphAnswer {
  requireList(call, CONTACT);
  checkObjectId(id);
  const c = call.tenant.directory.findContact(id);
  if (c < 0) throw notFound(id);
  return entity(call, CONTACT, ref(CONTACT, c));
}

/**
 * A group created moments ago may not have replicated to every directory replica yet: "If the group was created
 * less than 15 minutes ago, the call might fail with a 404 error code due to replication delays" — retry after
 * a delay (https://learn.microsoft.com/en-us/graph/api/team-put-teams; https://learn.microsoft.com/en-us/graph/api/group-update
 * notes the same replication delay for a recently created group and says to retry after a brief delay). The sandbox models it with a count set by the
 * control API's addGroup (replicationDelayRequests): that many GETs or member listings answer 404
 * Request_ResourceNotFound, then the group answers normally. (Graph gives no count or time; this is a model.)
 */
function stillReplicating(group: GroupRecord): boolean {
  if (!group.replicationPending) return false;
  group.replicationPending--;
  return true;
}

// ---- members ----

/**
 * A cast to a member type the group cannot hold is refused, not answered with an empty list: "An attempt to
 * filter by an OData cast that represents an unsupported member type returns a 400 Bad Request error with the
 * Request_UnsupportedQuery code", e.g. /transitiveMembers/microsoft.graph.group on a Microsoft 365 group.
 * A Microsoft 365 group's members are users only (no groups, no org contacts, no devices).
 * https://learn.microsoft.com/en-us/graph/api/group-list-transitivemembers
 * https://learn.microsoft.com/en-us/graph/api/resources/groups-overview#group-membership
 * (The error's message text is not documented; this one is the sandbox's own.)
 */
function refuseCastForGroupKind(call: GraphCall, groupId: string, cast: string): void {
  if (!isGuid(groupId)) return; // the member route reports the bad id
  const g = call.tenant.directory.findGroup(groupId);
  if (g < 0 || !call.tenant.directory.groups[g].groupTypes.includes("Unified")) return;
  const type = cast.replace(/^microsoft\.graph\./i, "");
  throw unsupportedQuery(`The type '${type}' is not a supported member type of a Microsoft 365 group.`);
}

function members(call: GraphCall, groupId: string, transitive: boolean, cast: ObjectKind | undefined, countOnly: boolean): GraphAnswer {
  if (!canListMembers(call.caller.roles)) throw forbidden();
  if (countOnly) call = asCountQuery(call);
  checkObjectId(groupId);
  const dir = call.tenant.directory;
  const g = dir.findGroup(groupId);
  if (g < 0 || stillReplicating(dir.groups[g])) throw notFound(groupId);
  // "To list the members of a hidden membership group, the Member.Read.Hidden permission is required."
  // https://learn.microsoft.com/en-us/graph/api/group-list-transitivemembers (and group-list-members). The
  // pages do not say how Graph refuses; the sandbox answers 403 Authorization_RequestDenied, never an empty list.
  if (dir.groups[g].visibility === "HiddenMembership" && !canReadHiddenMembers(call.caller.roles)) throw forbidden();
  if (cast !== undefined && transitive && !call.advanced) {
    throw advancedRequired(`The OData cast to '${ODATA_TYPE[cast].slice(1)}' on transitiveMembers`);
  }
  const flat = transitive ? dir.transitive(g) : dir.direct(g);
  const arr = cast === USER ? flat.users : cast === GROUP ? flat.groups : cast === CONTACT ? flat.contacts : flat.all;
  const kinds: ObjectKind[] = cast !== undefined ? [cast] : [USER, GROUP, CONTACT];
  const listName = transitive ? "transitiveMembers" : "members";
  const spec: ListSpec = {
    key: `${groupId.toLowerCase()}|${listName}|${cast ?? ""}|${call.query.filter ?? ""}|${call.query.search ?? ""}`,
    length: arr.length,
    at: (k) => arr[k],
    match: predicate(call, kinds, true),
    project: projectorFor(call, kinds, cast === undefined),
    context: cast !== undefined ? ENTITY_SET[cast] : "directoryObjects",
    pageFault: (page) => pageFault(call, groupId, listName, page),
  };
  if (countOnly) return plainCount(countMatches(call, spec));
  return servePage(call, spec);
}

/**
 * /users/{id|upn}/memberOf and /transitiveMemberOf (and the same under /contacts/{id}): the groups an object
 * belongs to, directly or through nesting, typed like Graph's directoryObject collection, then the directory
 * roles and administrative units it is a member of.
 */
function memberOf(call: GraphCall, kind: ObjectKind, idOrUpn: string, transitive: boolean): GraphAnswer {
  requireList(call, kind);
  if (!canListMembers(call.caller.roles)) throw forbidden();
  const dir = call.tenant.directory;
  let target: number;
  if (kind === USER) {
    const i = dir.users.indexOf(decodeURIComponent(idOrUpn));
    if (i < 0) throw notFound(idOrUpn);
    target = ref(USER, i);
  } else {
    checkObjectId(idOrUpn);
    const c = dir.findContact(idOrUpn);
    if (c < 0) throw notFound(idOrUpn);
    target = ref(CONTACT, c);
  }
  const groups: number[] = [];
  for (let g = 0; g < dir.groups.length; g++) {
    const r = ref(GROUP, g);
    if (!dir.live(r)) continue;
    const flat = transitive ? dir.transitive(g) : dir.direct(g);
    if ((kind === USER ? flat.users : flat.contacts).includes(target)) groups.push(r);
  }
  // Directory roles and administrative units come in the same collection, after the groups (they nest in
  // nothing, so direct and transitive agree): "Get groups, directory roles, and administrative units that the
  // user is a member of". https://learn.microsoft.com/en-us/graph/api/user-list-transitivememberof
  // https://learn.microsoft.com/en-us/graph/api/user-list-memberof
  const targetId = dir.idOf(target).toLowerCase();
  const extras = dir.rolesAndUnits.filter((x) => x.memberIds.some((m) => m.toLowerCase() === targetId));
  const listName = transitive ? "transitiveMemberOf" : "memberOf";
  const match = predicate(call, [GROUP], true);
  const projectGroup = projectorFor(call, [GROUP], true);
  const select = call.query.select?.map((p) => p.toLowerCase()) ?? null;
  const projectExtra = (x: (typeof extras)[number]): Record<string, unknown> => {
    const full: Record<string, unknown> = { id: x.id, displayName: x.displayName, description: x.description };
    if (x.type === "directoryRole") full.roleTemplateId = x.roleTemplateId;
    const o: Record<string, unknown> = { "@odata.type": `#microsoft.graph.${x.type}` };
    for (const [k, v] of Object.entries(full)) if (!select || select.includes(k.toLowerCase())) o[k] = v;
    return o;
  };
  return servePage(call, {
    key: `${idOrUpn.toLowerCase()}|${listName}|${call.query.filter ?? ""}|${call.query.search ?? ""}`,
    length: groups.length + extras.length,
    // Groups by their ref; roles and units as -1, -2, … (no ref kind names them).
    at: (k) => (k < groups.length ? groups[k] : -(k - groups.length) - 1),
    match: match ? (r) => r >= 0 && match(r) : null,
    project: (r) => (r >= 0 ? projectGroup(r) : projectExtra(extras[-r - 1])),
    context: "directoryObjects",
  });
}

function pageFault(call: GraphCall, groupId: string, list: "members" | "transitiveMembers", page: number): GraphAnswer | null {
  const f = call.tenant.faults.pageError(groupId, list, page);
  if (!f) return null;
  // 403 is Graph's refusal of a read the app may not make (https://learn.microsoft.com/en-us/graph/errors):
  // final, unlike the transient 500 and 503.
  const e =
    f.status === 403
      ? forbidden()
      : f.status === 500
        ? new GraphError(500, "Service_InternalServerError", "Encountered an internal server error.")
        : new GraphError(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry after some time.");
  if (f.retryAfter !== null) e.headers["Retry-After"] = f.retryAfter;
  e.fault = "pageError";
  throw e;
}

function emptyCast(call: GraphCall, cast: string): GraphAnswer {
  if (!canListMembers(call.caller.roles)) throw forbidden();
  const set = cast.replace("microsoft.graph.", "") + "s";
  const body: Record<string, unknown> = { "@odata.context": contextUrl(call, set) };
  if (call.advanced) body["@odata.count"] = 0;
  body.value = [];
  return { status: 200, body: JSON.stringify(body), contentType: JSON_TYPE };
}

// ---- organization ----

function organization(call: GraphCall, id: string | null): GraphAnswer {
  if (!canReadOrganization(call.caller.roles)) throw forbidden();
  const t = call.tenant;
  if (id !== null && id.toLowerCase() !== t.id.toLowerCase()) throw notFound(id);
  const org = t.directory.org;
  const full: Record<string, unknown> = {
    id: t.id,
    deletedDateTime: null,
    businessPhones: [],
    city: null,
    country: null,
    countryLetterCode: org.countryLetterCode,
    createdDateTime: org.createdDateTime,
    defaultUsageLocation: null,
    displayName: org.displayName,
    marketingNotificationEmails: [],
    onPremisesLastSyncDateTime: null,
    onPremisesSyncEnabled: null,
    postalCode: null,
    preferredLanguage: "en",
    securityComplianceNotificationMails: [],
    securityComplianceNotificationPhones: [],
    state: null,
    street: null,
    technicalNotificationMails: [],
    tenantType: "AAD",
    assignedPlans: [],
    privacyProfile: null,
    provisionedPlans: [],
    verifiedDomains: [
      { capabilities: "Email, OfficeCommunicationsOnlineService", isDefault: true, isInitial: false, name: org.domain, type: "Managed" },
      { capabilities: "Email, OfficeCommunicationsOnlineService", isDefault: false, isInitial: true, name: org.initialDomain, type: "Managed" },
    ],
  };
  const sel = call.query.select;
  let item: Record<string, unknown> = full;
  if (sel) {
    const byLower = new Map(Object.keys(full).map((k) => [k.toLowerCase(), k]));
    item = {};
    for (const name of sel) {
      const k = byLower.get(name.toLowerCase());
      if (!k) throw badRequest(`Parsing OData Select and Expand failed: Could not find a property named '${name}' on type 'microsoft.graph.organization'.`, "BadRequest");
      item[k] = full[k];
    }
  }
  const body = id !== null ? { "@odata.context": contextUrl(call, "organization", "/$entity"), ...item } : { "@odata.context": contextUrl(call, "organization"), value: [item] };
  return { status: 200, body: JSON.stringify(body), contentType: JSON_TYPE };
}
