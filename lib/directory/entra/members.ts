/**
 * Page-at-a-time enumeration of who is in a group (nesting flattened) or in the whole directory. A sync job
 * fetches one page, stages it, and persists the page's nextLink as its cursor, so a run cut short resumes where
 * it stopped instead of starting over. Reads only; knows nothing of storage (docs/design.md, "Which way dependencies point").
 */
import { GraphRequestError } from "./errors";
import type { GraphRequestInit, ListPageRead } from "./types";
import type { DirectoryMember, MemberPage, MemberStream } from "@/lib/directory/types";

/** What this module needs from a Graph session: a v1.0 list page or nextLink, read as it arrives. */
export interface GraphReader {
  getListPage<T = unknown>(pathOrAbsoluteUrl: string, init?: GraphRequestInit): Promise<ListPageRead<T>>;
}

export type { DirectoryMember, MemberPage, MemberStream } from "@/lib/directory/types";

/**
 * Only what the contribution rules read: `$select` also lowers each request's throttling cost. On the uncast
 * member listing (a directoryObject collection) Graph returns each selected property for the types that have
 * it: users get all five, org contacts id, displayName and mail, other types only what they share.
 * https://learn.microsoft.com/en-us/graph/api/group-list-transitivemembers
 */
const USER_FIELDS = "id,displayName,mail,userPrincipalName,accountEnabled";
const CONTACT_FIELDS = "id,displayName,mail";
/** The largest page Graph serves for directory objects. */
export const PAGE_SIZE = 999;

const USER_TYPE = "#microsoft.graph.user";
const CONTACT_TYPE = "#microsoft.graph.orgContact";

/**
 * A group's members come from one uncast `transitiveMembers` listing, kept by `@odata.type`. Never an OData
 * cast: a cast is an advanced query (ConsistencyLevel: eventual reads an index that can lag recent changes),
 * and a cast to a type the group cannot hold (org contacts in a Microsoft 365 group) is answered with
 * 400 Request_UnsupportedQuery. The uncast listing is a standard query: no header, no $count, so Graph sends
 * no @odata.count and progress has no expected size (docs/adr: member listings).
 * https://learn.microsoft.com/en-us/graph/api/group-list-transitivemembers
 */
export function firstPagePath(stream: MemberStream): string {
  switch (stream.kind) {
    case "groupMembers":
      return `/groups/${encodeURIComponent(stream.groupObjectId)}/transitiveMembers?$top=${PAGE_SIZE}&$select=${USER_FIELDS}`;
    case "directoryUsers":
      return `/users?$top=${PAGE_SIZE}&$select=${USER_FIELDS}`;
    case "directoryContacts":
      return `/contacts?$top=${PAGE_SIZE}&$select=${CONTACT_FIELDS}`;
  }
}

interface RawPage {
  value?: Record<string, unknown>[];
  "@odata.nextLink"?: string;
  "@odata.count"?: number;
}

const text = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

export function toMember(raw: Record<string, unknown>, objectType: DirectoryMember["objectType"]): DirectoryMember {
  return {
    objectType,
    id: String(raw.id ?? ""),
    displayName: text(raw.displayName),
    mail: text(raw.mail),
    userPrincipalName: objectType === "user" ? text(raw.userPrincipalName) : null,
    accountEnabled: objectType === "user" ? (typeof raw.accountEnabled === "boolean" ? raw.accountEnabled : null) : true,
  };
}

/**
 * The members a page of a stream contributes: on a group's listing, users and (when kept) org contacts by
 * `@odata.type`; nested groups, devices and service principals are dropped (nesting is already flattened).
 */
export function membersOf(stream: MemberStream, value: Record<string, unknown>[]): DirectoryMember[] {
  if (stream.kind === "directoryUsers") return value.map((r) => toMember(r, "user"));
  if (stream.kind === "directoryContacts") return value.map((r) => toMember(r, "contact"));
  const out: DirectoryMember[] = [];
  for (const r of value) {
    const type = r["@odata.type"];
    if (type === USER_TYPE) out.push(toMember(r, "user"));
    else if (type === CONTACT_TYPE && stream.contacts) out.push(toMember(r, "contact"));
  }
  return out;
}

/** How many org contacts a group listing's page held that the connection does not sync ("Sync contacts" off). */
export function droppedContacts(stream: MemberStream, value: Record<string, unknown>[]): number {
  if (stream.kind !== "groupMembers" || stream.contacts) return 0;
  return value.filter((r) => r["@odata.type"] === CONTACT_TYPE).length;
}

/** A cursor saved by an older build (an OData-cast listing, or a stream this source no longer walks). */
function outdatedCursor(path: string): GraphRequestError {
  return new GraphRequestError({ status: 400, code: "cursor_outdated", message: "The saved page cursor belongs to a listing Roster no longer reads.", path });
}

/**
 * Requests one page and resolves once its response has begun to arrive (a failed status rejects, after the
 * session's retries): `nextLink` as soon as Graph has sent it, `page` once the whole page is in. The caller can
 * request the next page on the first and use this one on the second.
 */
export async function startMemberPage(
  graph: GraphReader,
  stream: MemberStream | undefined,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<{ nextLink: Promise<string | null>; page: Promise<MemberPage> }> {
  const path = cursor ?? (stream ? firstPagePath(stream) : "");
  if (!stream || (stream.kind === "groupMembers" && /\/transitiveMembers\/microsoft\.graph\./i.test(path))) throw outdatedCursor(path);
  const toPage = (raw: RawPage): MemberPage => ({
    members: membersOf(stream, raw.value ?? []),
    nextLink: text(raw["@odata.nextLink"]),
    count: typeof raw["@odata.count"] === "number" ? raw["@odata.count"] : null,
    contactsOff: droppedContacts(stream, raw.value ?? []),
  });
  const read = await graph.getListPage<RawPage>(path, signal ? { signal } : undefined);
  const page = read.page.then(toPage);
  page.catch(() => undefined); // awaited by the caller; a failure before then is not unhandled
  return { nextLink: read.nextLink, page };
}

/** The streams a source walks: a group's one member listing, or the directory's users and then its contacts. */
export function streamsFor(source: { groupObjectId: string | null; syncContacts: boolean; hiddenMembership?: boolean }): MemberStream[] {
  const id = source.groupObjectId;
  if (id) return [{ kind: "groupMembers", groupObjectId: id, contacts: source.syncContacts, hiddenMembership: source.hiddenMembership === true }];
  return source.syncContacts ? [{ kind: "directoryUsers" }, { kind: "directoryContacts" }] : [{ kind: "directoryUsers" }];
}

/**
 * Graph no longer accepts a saved nextLink (skiptokens expire; a changed directory can invalidate them). The
 * enumeration must start over from the first page: resuming elsewhere would miss or repeat members.
 */
export function isRejectedCursor(error: unknown, cursor: string | null): boolean {
  if (!(error instanceof GraphRequestError)) return false;
  if (error.code === "cursor_outdated") return true;
  if (!cursor) return false;
  // A 404 on a cursor may also mean the group was deleted meanwhile: the restart's first page tells which.
  return error.status === 400 || error.status === 404 || error.status === 410;
}
