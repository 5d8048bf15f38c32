/**
 * Incremental reads of a connection's directory through Microsoft Graph delta queries, turned into the neutral
 * changes the membership graph applies (lib/directory/membership-graph.ts). Every request goes through the
 * connection's Graph session, so the one retry policy and the tenant gate apply as to any other read.
 *
 * What Microsoft Learn documents and this follows (https://learn.microsoft.com/en-us/graph/delta-query-overview,
 * https://learn.microsoft.com/en-us/graph/delta-query-groups, https://learn.microsoft.com/en-us/graph/api/group-delta,
 * https://learn.microsoft.com/en-us/graph/api/user-delta):
 * - groups are tracked with `$filter=id eq '…' or …`, at most 50 ids a query, and `$select=members`, which
 *   reports direct member links in `members@delta` (removed ones with `@removed`);
 * - a round follows `@odata.nextLink` until `@odata.deltaLink`, the next round's start; a group may come back on
 *   several pages and the same change more than once ("replays"): the graph's changes are idempotent;
 * - tokens expire (7 days for directory objects: 400 `syncStateNotFound`), and a `410 Gone` (`resyncRequired`)
 *   means start over: both end the round with `DeltaResyncRequired`, and the caller runs a full enumeration;
 * - `$deltatoken=latest` starts tracking from now without reading the current state (a full enumeration that
 *   seeds the graph reads that itself, through the member listing, which also gives each member's state).
 * Reads only; knows nothing of storage.
 */
import type { GraphChange, MemberKind, MembershipGraph } from "@/lib/directory/membership-graph";
import { GraphRequestError } from "./errors";
import { toMember } from "./members";
import { odataString } from "./person";

/** What this module needs from a Graph session. */
export interface DeltaReader {
  get<T>(pathOrAbsoluteUrl: string, init?: { headers?: Record<string, string> }): Promise<T>;
}

/** "There is a limit of 50 filtered objects." (group-delta, user-delta) */
export const DELTA_FILTER_LIMIT = 50;
/** Ids per `id in (…)` lookup of members whose state was never read (a conservative size; see readMemberStates). */
const LOOKUP_IDS = 15;
const USER_FIELDS = "id,displayName,mail,userPrincipalName,accountEnabled";
const CONTACT_FIELDS = "id,displayName,mail";

/** Where each delta stream of a connection continues: the deltaLinks of the last complete round. */
export interface DeltaCursor {
  groups: Array<{ groupIds: string[]; deltaLink: string }>;
  users: string;
  /** Null when the connection does not sync org contacts. */
  contacts: string | null;
}

/** Graph no longer accepts the saved state: the connection needs a full enumeration, which seeds a new cursor. */
export class DeltaResyncRequired extends Error {
  constructor(
    readonly reason: "expired" | "reset",
    readonly cause: GraphRequestError,
  ) {
    super(reason === "reset" ? "Microsoft Graph asked for a full synchronization (410 Gone)." : "The saved change-tracking state has expired (delta tokens last 7 days).");
    this.name = "DeltaResyncRequired";
  }
}

/** The failures that mean "start over", as opposed to a failed round that keeps its token and is retried. */
export function resyncReason(e: unknown): "expired" | "reset" | null {
  if (!(e instanceof GraphRequestError)) return null;
  if (e.status === 410 || e.code === "resyncRequired") return "reset";
  if (e.code === "syncStateNotFound") return "expired";
  return null;
}

interface DeltaPage {
  value?: Record<string, unknown>[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

const MEMBER_TYPES: Record<string, MemberKind> = {
  "#microsoft.graph.user": "user",
  "#microsoft.graph.group": "group",
  "#microsoft.graph.orgContact": "contact",
};

/** Follows a round's pages to its deltaLink; returns it. */
async function follow(graph: DeltaReader, first: string, onItems: (items: Record<string, unknown>[]) => void, maxPageSize?: number): Promise<string> {
  // "Prefer: odata.maxpagesize" bounds a page (Graph caps it at 200 objects / 500 member links anyway).
  const init = maxPageSize ? { headers: { Prefer: `odata.maxpagesize=${maxPageSize}` } } : undefined;
  let url = first;
  for (;;) {
    let page: DeltaPage;
    try {
      page = await graph.get<DeltaPage>(url, init);
    } catch (e) {
      const reason = resyncReason(e);
      if (reason) throw new DeltaResyncRequired(reason, e as GraphRequestError);
      throw e;
    }
    onItems(page.value ?? []);
    if (page["@odata.deltaLink"]) return page["@odata.deltaLink"];
    if (!page["@odata.nextLink"]) {
      throw new GraphRequestError({ status: 502, code: "delta_no_link", message: "A delta page carried neither @odata.nextLink nor @odata.deltaLink.", path: url });
    }
    url = page["@odata.nextLink"];
  }
}

/** A groups-delta item: a removed group, or member links (nested groups included; other types left out). */
export function groupItemChanges(item: Record<string, unknown>, contacts: boolean): GraphChange[] {
  const groupId = String(item.id ?? "");
  if (item["@removed"]) return [{ kind: "groupDeleted", groupId }];
  const out: GraphChange[] = [];
  for (const link of (item["members@delta"] as Record<string, unknown>[] | undefined) ?? []) {
    const memberType = MEMBER_TYPES[String(link["@odata.type"] ?? "")];
    if (!memberType || (memberType === "contact" && !contacts)) continue;
    out.push({ kind: "link", groupId, memberId: String(link.id ?? ""), memberType, present: !link["@removed"] });
  }
  return out;
}

function objectChange(item: Record<string, unknown>, objectType: "user" | "contact"): GraphChange {
  if (item["@removed"]) return { kind: "memberDeleted", id: String(item.id ?? "") };
  return { kind: "member", state: toMember(item, objectType) };
}

const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

export function groupDeltaPath(groupIds: string[]): string {
  const filter = groupIds.map((id) => `id eq ${odataString(id)}`).join(" or ");
  return `/groups/delta?$filter=${encodeURIComponent(filter)}&$select=members`;
}

/** Tracking from now: one `$deltatoken=latest` request per stream (per 50 groups). */
export async function latestGroupLinks(graph: DeltaReader, groupIds: string[]): Promise<DeltaCursor["groups"]> {
  return Promise.all(
    chunks(groupIds, DELTA_FILTER_LIMIT).map(async (ids) => ({ groupIds: ids, deltaLink: await follow(graph, `${groupDeltaPath(ids)}&$deltatoken=latest`, () => undefined) })),
  );
}

export async function latestDirectoryLinks(graph: DeltaReader, contacts: boolean): Promise<{ users: string; contacts: string | null }> {
  const [users, contactLink] = await Promise.all([
    follow(graph, `/users/delta?$select=${USER_FIELDS}&$deltatoken=latest`, () => undefined),
    contacts ? follow(graph, `/contacts/delta?$select=${CONTACT_FIELDS}&$deltatoken=latest`, () => undefined) : Promise.resolve(null),
  ]);
  return { users, contacts: contactLink };
}

/** Groups read from the start of their delta (every current member link), with the links to track them on. */
export async function readGroupsFromStart(graph: DeltaReader, groupIds: string[], contacts: boolean): Promise<{ changes: GraphChange[]; groups: DeltaCursor["groups"] }> {
  const changes: GraphChange[] = [];
  const groups = await Promise.all(
    chunks(groupIds, DELTA_FILTER_LIMIT).map(async (ids) => ({
      groupIds: ids,
      deltaLink: await follow(graph, groupDeltaPath(ids), (items) => items.forEach((i) => changes.push(...groupItemChanges(i, contacts)))),
    })),
  );
  return { changes, groups };
}

/**
 * A group's direct members with the state the rule reads (one uncast `/members` listing, 999 a page):
 * what a full enumeration seeds the graph with. https://learn.microsoft.com/en-us/graph/api/group-list-members
 */
export async function readDirectMembers(graph: DeltaReader, groupId: string, contacts: boolean): Promise<GraphChange[]> {
  const out: GraphChange[] = [];
  let url: string | undefined = `/groups/${encodeURIComponent(groupId)}/members?$top=999&$select=${USER_FIELDS}`;
  while (url) {
    const page: { value?: Record<string, unknown>[]; "@odata.nextLink"?: string } = await graph.get(url);
    for (const raw of page.value ?? []) {
      const memberType = MEMBER_TYPES[String(raw["@odata.type"] ?? "")];
      if (!memberType || (memberType === "contact" && !contacts)) continue;
      out.push({ kind: "link", groupId, memberId: String(raw.id ?? ""), memberType, present: true });
      if (memberType !== "group") out.push({ kind: "member", state: toMember(raw, memberType) });
    }
    url = page["@odata.nextLink"];
  }
  return out;
}

/**
 * The state of members the graph has never seen (someone who was in no tracked group joins one): users and
 * contacts looked up by `$filter=id in (…)`, a standard filter on id. Graph documents a cap on the number of
 * values in `in` for some resources (15); this stays under it. Objects not found (deleted meanwhile) stay unknown,
 * which the rule treats as no recipient.
 */
export async function readMemberStates(graph: DeltaReader, ids: { users: string[]; contacts: string[] }): Promise<GraphChange[]> {
  const out: GraphChange[] = [];
  const lookups: Array<Promise<void>> = [];
  for (const [kind, list] of [["user", ids.users], ["contact", ids.contacts]] as const) {
    for (const batch of chunks(list, LOOKUP_IDS)) {
      const filter = `id in (${batch.map(odataString).join(",")})`;
      const path = `/${kind === "user" ? "users" : "contacts"}?$filter=${encodeURIComponent(filter)}&$select=${kind === "user" ? USER_FIELDS : CONTACT_FIELDS}`;
      lookups.push(
        graph.get<{ value?: Record<string, unknown>[] }>(path).then((page) => {
          for (const raw of page.value ?? []) out.push({ kind: "member", state: toMember(raw, kind) });
        }),
      );
    }
  }
  await Promise.all(lookups);
  return out;
}

export interface DeltaRound {
  /** Every change of the round, in order, ready for MembershipGraph.apply (which must not have seen them). */
  changes: GraphChange[];
  cursor: DeltaCursor;
  /** Groups newly nested under a source and read whole during the round. */
  newGroups: string[];
}

/**
 * One delta round: every stream followed from its saved link to a new one, then what the changes bring in that
 * the graph has never seen read too (a group newly nested under a source: its members from the start; a member
 * never seen: its state). Nothing is applied here: a round that fails half-way throws, and the caller keeps its
 * previous cursor and its graph as they were. Users and contacts outside every tracked group are left out.
 */
export async function readDeltaRound(graph: DeltaReader, known: MembershipGraph, cursor: DeltaCursor, opts: { contacts: boolean; maxPageSize?: number }): Promise<DeltaRound> {
  const size = opts.maxPageSize;
  const groupChanges: GraphChange[][] = cursor.groups.map(() => []);
  const stateChanges: GraphChange[] = [];
  const [groups, users, contacts] = await Promise.all([
    Promise.all(
      cursor.groups.map(async (c, i) => ({
        groupIds: c.groupIds,
        deltaLink: await follow(graph, c.deltaLink, (items) => items.forEach((it) => groupChanges[i].push(...groupItemChanges(it, opts.contacts))), size),
      })),
    ),
    follow(graph, cursor.users, (items) => items.forEach((it) => stateChanges.push(objectChange(it, "user"))), size),
    cursor.contacts && opts.contacts ? follow(graph, cursor.contacts, (items) => items.forEach((it) => stateChanges.push(objectChange(it, "contact"))), size) : Promise.resolve(cursor.contacts),
  ]);
  const changes: GraphChange[] = [...groupChanges.flat()];
  const next: DeltaCursor = { groups, users, contacts };

  // Groups nested into the tracked tree this round and never loaded: read whole, recursively.
  const newGroups: string[] = [];
  const seen = new Set<string>();
  let pending = changes;
  for (;;) {
    const fresh = [
      ...new Set(
        pending.filter((c) => c.kind === "link" && c.present && c.memberType === "group" && !known.isLoaded(c.memberId) && !seen.has(c.memberId.toLowerCase())).map((c) => (c as { memberId: string }).memberId.toLowerCase()),
      ),
    ];
    if (fresh.length === 0) break;
    fresh.forEach((g) => seen.add(g));
    newGroups.push(...fresh);
    const read = await readGroupsFromStart(graph, fresh, opts.contacts);
    next.groups.push(...read.groups);
    changes.push(...fresh.map((groupId): GraphChange => ({ kind: "groupLoaded", groupId })), ...read.changes);
    pending = read.changes;
  }

  // State changes of members the graph tracks (or that this round links in); others are not kept.
  const linked = new Set(changes.filter((c) => c.kind === "link" && c.present && c.memberType !== "group").map((c) => (c as { memberId: string }).memberId.toLowerCase()));
  for (const c of stateChanges) {
    const id = (c.kind === "member" ? c.state.id : c.kind === "memberDeleted" ? c.id : "").toLowerCase();
    if (known.hasState(id) || known.hasNode(id) || linked.has(id)) changes.push(c);
  }
  const stated = new Set(changes.filter((c) => c.kind === "member").map((c) => (c as { state: { id: string } }).state.id.toLowerCase()));
  const unknown = { users: [] as string[], contacts: [] as string[] };
  for (const c of changes) {
    if (c.kind !== "link" || !c.present || c.memberType === "group") continue;
    const id = c.memberId.toLowerCase();
    if (stated.has(id) || known.hasState(id)) continue;
    stated.add(id);
    (c.memberType === "user" ? unknown.users : unknown.contacts).push(c.memberId);
  }
  if (unknown.users.length + unknown.contacts.length > 0) changes.push(...(await readMemberStates(graph, unknown)));
  return { changes, cursor: next, newGroups };
}

/**
 * A full enumeration that seeds the graph and a new cursor: tracking starts from now first (so nothing that
 * changes while the enumeration runs is lost: it comes again in the next round, where it changes nothing), then
 * every source and every group nested under it is read with its direct members' state.
 */
export async function seedFromDirectory(graph: DeltaReader, into: MembershipGraph, sourceGroupIds: string[], opts: { contacts: boolean }): Promise<DeltaCursor> {
  const directory = await latestDirectoryLinks(graph, opts.contacts);
  const cursor: DeltaCursor = { groups: [], ...directory };
  const loaded = new Set<string>();
  let wave = [...new Set(sourceGroupIds.map((g) => g.toLowerCase()))];
  while (wave.length > 0) {
    cursor.groups.push(...(await latestGroupLinks(graph, wave)));
    const read = await Promise.all(wave.map((g) => readDirectMembers(graph, g, opts.contacts)));
    wave.forEach((g) => loaded.add(g));
    const next = new Set<string>();
    // A group without members still counts as loaded.
    into.seed(wave.map((groupId): GraphChange => ({ kind: "groupLoaded", groupId })));
    for (const changes of read) {
      into.seed(changes);
      for (const c of changes) if (c.kind === "link" && c.memberType === "group" && !loaded.has(c.memberId.toLowerCase())) next.add(c.memberId.toLowerCase());
    }
    wave = [...next];
  }
  return cursor;
}
