/**
 * Delta queries on users, groups and org contacts, as Microsoft Learn documents them:
 * https://learn.microsoft.com/en-us/graph/delta-query-overview (call pattern, state tokens, @removed, replays,
 * synchronization reset, token duration), https://learn.microsoft.com/en-us/graph/delta-query-groups (members@delta,
 * a large group's members spread over several pages, each page repeating the group),
 * https://learn.microsoft.com/en-us/graph/api/group-delta, https://learn.microsoft.com/en-us/graph/api/user-delta,
 * https://learn.microsoft.com/en-us/graph/api/orgcontact-delta.
 *
 * A round is one or more requests: the first (no token, or a `$deltatoken`) fixes what the round reports; its
 * pages follow `@odata.nextLink` (`$skiptoken`); the last page carries `@odata.deltaLink` (`$deltatoken`) for the
 * next round. The options of the first request are kept in the token, so the links carry only the token.
 * A round reports, after a `$deltatoken`, every object the change journal touched since the token, in its current
 * state; `@removed` for what left (`reason: "changed"` for objects that can still be restored from deletedItems,
 * as deleted users and groups can for 30 days; member links removed carry `reason: "deleted"` as in the
 * delta-query-groups example).
 *
 * Modelled, each from the pages above:
 * - `$deltatoken=latest`: a delta link and no data ("sync from now", directory resources only);
 * - `Prefer: odata.maxpagesize` (see delta-query.ts for the caps);
 * - replays, when the tenant's `setDeltaReplay` is on: a round also repeats the previous round's changes;
 * - token duration: "For directory objects, the limit is seven days", then "a 40X-series error with error codes
 *   such as syncStateNotFound"; the Microsoft 365 Developer blog (2020-07-03, "Duration of change tracking tokens
 *   for identity and education resources") gives it as BadRequest, `syncStateNotFound`, "The sync state
 *   generation is not found. The delta token is expired and data must be synchronized again.";
 * - synchronization reset (`resetDeltaSync`): "a response code of 410 (gone) and a Location header containing
 *   a request URL with an empty $deltaToken (same as the initial query)"; the body's code is the errors page's
 *   `resyncRequired` ("The delta token is no longer valid, and the app must reset the sync state",
 *   https://learn.microsoft.com/en-us/graph/errors). The exact 410 body is not documented.
 * Not modelled: `Prefer: return=minimal` (every reported object carries its selected properties, Graph's
 * default), processing delays, tracking of properties other than the selected ones by unselected changes.
 */
import { randomBytes } from "node:crypto";
import { journalOf, type ChangeJournal } from "../directory/change-journal";
import { CONTACT, GROUP, USER, ref, refIndex, refKind, type ObjectKind } from "../directory/records";
import type { Tenant } from "../tenants/tenant";
import { badRequest, forbidden, GraphError } from "./errors";
import { maxPageSize, type DeltaParams, type DeltaResource } from "./delta-query";
import { JSON_TYPE, type GraphAnswer, type GraphCall } from "./lists";
import { canListMembers, canReadContacts, userAccess } from "./permissions";
import { ODATA_TYPE, PROPS, projector, type Access } from "./properties";

const TOKEN_DAYS = 7;
const OBJECT_PAGE = 200;
const LINK_PAGE = 500;
const KIND: Record<DeltaResource, ObjectKind> = { users: USER, groups: GROUP, contacts: CONTACT };

interface RoundSpec {
  resource: DeltaResource;
  select: string[] | null;
  ids: string[] | null;
  carry: Array<[string, string]>;
}

interface TokenState extends RoundSpec {
  /** Changes after this sequence number belong to the next round. */
  seq: number;
  /** The previous token's sequence number: where a replaying round starts. */
  prevSeq: number;
  issuedAt: number;
  generation: number;
}

/** One object to report: its current state, or removed; for groups, the member links to report. */
interface Unit {
  ref: number;
  removed: "changed" | null;
  /** Whether its selected properties are reported (a group reported only for its links has just the id). */
  props: boolean;
  links: Array<{ member: number; removed: boolean }>;
}

interface Round {
  spec: RoundSpec;
  units: Unit[];
  /** The token the last page hands out. */
  next: Omit<TokenState, "issuedAt">;
}

interface TenantDelta {
  tokens: Map<string, TokenState>;
  rounds: Map<string, Round>;
}
const states = new WeakMap<Tenant, TenantDelta>();
function stateOf(t: Tenant): TenantDelta {
  let s = states.get(t);
  if (!s) states.set(t, (s = { tokens: new Map(), rounds: new Map() }));
  return s;
}

const newId = () => randomBytes(18).toString("base64url");

function expired(): GraphError {
  return new GraphError(400, "syncStateNotFound", "The sync state generation is not found. The delta token is expired and data must be synchronized again.");
}

function resyncRequired(call: GraphCall, spec: RoundSpec): GraphError {
  const opts = spec.carry.map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  opts.push("$deltatoken=");
  return new GraphError(410, "resyncRequired", "The delta token is no longer valid, and the app must reset the sync state.", {
    Location: `${call.origin}/v1.0/${spec.resource}/delta?${opts.join("&")}`,
  });
}

function authorize(call: GraphCall, resource: DeltaResource): Access {
  const roles = call.caller.roles;
  // "The same permissions that are required to read a specific resource are also required to perform delta
  // query on that resource." (delta-query-overview, Prerequisites)
  if (resource === "groups") {
    if (!canListMembers(roles)) throw forbidden();
    return "full";
  }
  if (resource === "contacts") {
    if (!canReadContacts(roles)) throw forbidden();
    return "full";
  }
  const a = userAccess(roles);
  if (a === "none") throw forbidden();
  return a;
}

/** Canonical property names to report (null = the type's defaults); `members` is the groups' relationship. */
function propertySelect(kind: ObjectKind, select: string[] | null): { props: string[] | null; members: boolean } {
  if (!select) return { props: null, members: kind === GROUP };
  let members = false;
  const props: string[] = ["id"];
  for (const name of select) {
    if (kind === GROUP && name.toLowerCase() === "members") {
      members = true;
      continue;
    }
    const c = PROPS[kind].get(name.toLowerCase());
    if (!c) throw badRequest(`Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${ODATA_TYPE[kind].slice(1)}'.`, "BadRequest");
    if (!props.includes(c)) props.push(c);
  }
  return { props, members };
}

function inScope(t: Tenant, spec: RoundSpec, r: number): boolean {
  return !spec.ids || spec.ids.includes(t.directory.idOf(r).toLowerCase());
}

function liveMembers(t: Tenant, g: number): number[] {
  const dir = t.directory;
  return Array.from(dir.groups[g].members).filter((m) => dir.live(m));
}

/** The initial round: every object in scope as it is now, groups with all their members. */
function initialUnits(t: Tenant, spec: RoundSpec, members: boolean): Unit[] {
  const dir = t.directory;
  const kind = KIND[spec.resource];
  const length = kind === USER ? dir.users.count : kind === GROUP ? dir.groups.length : dir.contacts.length;
  const units: Unit[] = [];
  const consider = (r: number) => {
    if (!dir.live(r) || !inScope(t, spec, r)) return;
    const links = kind === GROUP && members ? liveMembers(t, refIndex(r)).map((member) => ({ member, removed: false })) : [];
    units.push({ ref: r, removed: null, props: true, links });
  };
  if (spec.ids && kind !== USER) {
    for (const id of spec.ids) {
      const i = kind === GROUP ? dir.findGroup(id) : dir.findContact(id);
      if (i >= 0) consider(ref(kind, i));
    }
  } else if (spec.ids) {
    for (const id of spec.ids) {
      const i = dir.users.indexOf(id);
      if (i >= 0) consider(ref(USER, i));
    }
  } else {
    for (let k = 0; k < length; k++) consider(ref(kind, k));
  }
  return units;
}

/** A tracked round: the objects (and member links) the journal touched after `from`, in their current state. */
function changedUnits(t: Tenant, j: ChangeJournal, spec: RoundSpec, from: number, members: boolean, propsTracked: boolean): Unit[] {
  const dir = t.directory;
  const kind = KIND[spec.resource];
  const touched = new Map<number, { object: boolean; links: Set<number> }>();
  const entry = (r: number) => {
    let e = touched.get(r);
    if (!e) touched.set(r, (e = { object: false, links: new Set() }));
    return e;
  };
  for (const c of j.since(from)) {
    if (c.kind === "object" && refKind(c.ref) === kind) entry(c.ref).object = true;
    else if (c.kind === "link" && kind === GROUP && members) entry(ref(GROUP, c.group)).links.add(c.member);
  }
  const units: Unit[] = [];
  for (const [r, e] of [...touched].sort((a, b) => a[0] - b[0])) {
    if (!inScope(t, spec, r)) continue;
    if (!dir.live(r)) {
      units.push({ ref: r, removed: "changed", props: false, links: [] });
      continue;
    }
    const links: Unit["links"] = [];
    if (kind === GROUP) {
      const current = new Set(liveMembers(t, refIndex(r)));
      for (const m of e.links) links.push({ member: m, removed: !current.has(m) });
    }
    if (!(e.object && propsTracked) && links.length === 0) continue;
    units.push({ ref: r, removed: null, props: e.object && propsTracked, links });
  }
  return units;
}

function openRound(t: Tenant, spec: RoundSpec, from: number | null, prevSeq: number): Round {
  const j = journalOf(t);
  const kind = KIND[spec.resource];
  const { members, props } = propertySelect(kind, spec.select);
  const propsTracked = kind !== GROUP || !spec.select || (props?.length ?? 0) > 1;
  const units = from === null ? initialUnits(t, spec, members) : changedUnits(t, j, spec, from, members, propsTracked);
  return { spec, units, next: { ...spec, seq: j.seq, prevSeq, generation: j.generation } };
}

interface Cursor {
  round: string;
  unit: number;
  link: number;
  generation: number;
}
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.round, c.unit, c.link, c.generation])).toString("base64url");
function decodeCursor(token: string): Cursor | null {
  try {
    const [round, unit, link, generation] = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as [string, number, number, number];
    if (typeof round !== "string" || !Number.isInteger(unit) || !Number.isInteger(link) || !Number.isInteger(generation)) return null;
    return { round, unit, link, generation };
  } catch {
    return null;
  }
}

function page(call: GraphCall, roundId: string, round: Round, start: Cursor, access: Access, prefer: string | null): GraphAnswer {
  const t = call.tenant;
  const kind = KIND[round.spec.resource];
  const { props } = propertySelect(kind, round.spec.select);
  const project = projector(kind, props, access, false);
  const asked = maxPageSize(prefer);
  const objectLimit = Math.min(OBJECT_PAGE, asked ?? OBJECT_PAGE);
  const linkLimit = Math.min(LINK_PAGE, asked ?? LINK_PAGE);
  const value: Record<string, unknown>[] = [];
  let links = 0;
  let { unit, link } = start;
  while (unit < round.units.length && value.length < objectLimit) {
    const u = round.units[unit];
    const id = t.directory.idOf(u.ref);
    if (u.removed) {
      value.push({ id, "@removed": { reason: u.removed } });
      unit++;
      continue;
    }
    // A group's members continue on the next page (the same group again, with the next part of its list)
    // once this page holds as many links as it may.
    if (u.links.length > 0 && links >= linkLimit) break;
    const item: Record<string, unknown> = u.props ? project(recordOf(t, u.ref)) : { id };
    if (u.links.length > 0) {
      const take = u.links.slice(link, link + (linkLimit - links));
      item["members@delta"] = take.map(({ member, removed }) => ({
        "@odata.type": ODATA_TYPE[refKind(member)],
        id: t.directory.idOf(member),
        ...(removed ? { "@removed": { reason: "deleted" } } : {}),
      }));
      links += take.length;
      link += take.length;
      if (link < u.links.length) {
        value.push(item);
        break;
      }
    }
    value.push(item);
    unit++;
    link = 0;
  }
  const body: Record<string, unknown> = { "@odata.context": `${call.origin}/v1.0/$metadata#${round.spec.resource}` };
  if (unit < round.units.length) {
    body["@odata.nextLink"] = `${call.origin}/v1.0/${round.spec.resource}/delta?$skiptoken=${encodeCursor({ round: roundId, unit, link, generation: start.generation })}`;
  } else {
    body["@odata.deltaLink"] = `${call.origin}/v1.0/${round.spec.resource}/delta?$deltatoken=${issue(t, round.next)}`;
  }
  body.value = value;
  return { status: 200, body: JSON.stringify(body), contentType: JSON_TYPE };
}

function recordOf(t: Tenant, r: number) {
  const i = refIndex(r);
  const k = refKind(r);
  return k === USER ? t.directory.users.get(i) : k === GROUP ? t.directory.groups[i] : t.directory.contacts[i];
}

function issue(t: Tenant, next: Omit<TokenState, "issuedAt">): string {
  const token = newId();
  stateOf(t).tokens.set(token, { ...next, issuedAt: journalOf(t).now() });
  return token;
}

export function serveDelta(call: GraphCall, p: DeltaParams, prefer: string | null): GraphAnswer {
  const t = call.tenant;
  const j = journalOf(t);
  const s = stateOf(t);
  const access = authorize(call, p.resource);

  if (p.skiptoken !== null) {
    const c = decodeCursor(p.skiptoken);
    const round = c ? s.rounds.get(c.round) : undefined;
    if (!c || !round || round.spec.resource !== p.resource) {
      throw new GraphError(400, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request.");
    }
    if (c.generation !== j.generation) throw resyncRequired(call, round.spec);
    return page(call, c.round, round, c, access, prefer);
  }

  let spec: RoundSpec = { resource: p.resource, select: p.select, ids: p.ids, carry: p.carry };
  let from: number | null = null;
  let prevSeq = j.seq;
  if (p.deltatoken !== null && p.deltatoken !== "" && p.deltatoken.toLowerCase() !== "latest") {
    const tok = s.tokens.get(p.deltatoken);
    if (!tok || tok.resource !== p.resource) throw expired();
    if (tok.generation !== j.generation) throw resyncRequired(call, tok);
    if (j.now() - tok.issuedAt > TOKEN_DAYS * 86_400_000) throw expired();
    spec = { resource: tok.resource, select: tok.select, ids: tok.ids, carry: tok.carry };
    from = j.replay ? tok.prevSeq : tok.seq;
    prevSeq = tok.seq;
  }
  // Validates $select before anything is returned.
  propertySelect(KIND[spec.resource], spec.select);
  if (p.deltatoken?.toLowerCase() === "latest") {
    const body = {
      "@odata.context": `${call.origin}/v1.0/$metadata#${spec.resource}`,
      "@odata.deltaLink": `${call.origin}/v1.0/${spec.resource}/delta?$deltatoken=${issue(t, { ...spec, seq: j.seq, prevSeq: j.seq, generation: j.generation })}`,
      value: [],
    };
    return { status: 200, body: JSON.stringify(body), contentType: JSON_TYPE };
  }
  const round = openRound(t, spec, from, prevSeq);
  const id = newId();
  s.rounds.set(id, round);
  // Rounds are kept for their page tokens; a tenant keeps its latest few hundred.
  if (s.rounds.size > 512) s.rounds.delete(s.rounds.keys().next().value!);
  return page(call, id, round, { round: id, unit: 0, link: 0, generation: j.generation }, access, prefer);
}
