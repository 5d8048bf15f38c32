/**
 * Page-at-a-time enumeration of who is in a group (nesting flattened) or in the whole directory. A sync job
 * fetches one page, stages it, and persists the page's nextLink as its cursor, so a run cut short resumes where
 * it stopped instead of starting over. Reads only; knows nothing of storage (DESIGN.md: lib/graph).
 */
import { GraphRequestError } from "./errors";
import type { ListPageRead } from "./types";

/** What this module needs from a Graph session: a v1.0 list page or nextLink, read as it arrives. */
export interface GraphReader {
  getListPage<T = unknown>(pathOrAbsoluteUrl: string, init?: { headers?: Record<string, string> }): Promise<ListPageRead<T>>;
}

/** What one enumeration walks: a group's users or contacts, or every user or contact of the tenant. */
export type MemberStream =
  | { kind: "groupUsers"; groupObjectId: string }
  | { kind: "groupContacts"; groupObjectId: string }
  | { kind: "directoryUsers" }
  | { kind: "directoryContacts" };

/** One directory object as the contribution rules need it. Contacts have no account: never "disabled". */
export interface DirectoryMember {
  objectType: "user" | "contact";
  id: string;
  displayName: string | null;
  mail: string | null;
  userPrincipalName: string | null;
  /** Null when Graph did not return the property (the app lacks User.Read.All). */
  accountEnabled: boolean | null;
}

export interface MemberPage {
  members: DirectoryMember[];
  /** Graph's @odata.nextLink, whole; null after the last page. */
  nextLink: string | null;
  /** @odata.count when Graph sent it (advanced queries with $count=true): the listing's size, for progress. */
  count: number | null;
}

/** Only what the contribution rules read: `$select` also lowers each request's throttling cost. */
const USER_FIELDS = "id,displayName,mail,userPrincipalName,accountEnabled";
const CONTACT_FIELDS = "id,displayName,mail";
/** The largest page Graph serves for directory objects. */
export const PAGE_SIZE = 999;

/**
 * An OData cast on transitiveMembers is an "advanced query": Graph rejects it without `ConsistencyLevel:
 * eventual` and `$count=true`, and does not carry the header over to the nextLink, so it goes on every request.
 */
function isAdvanced(stream: MemberStream): boolean {
  return stream.kind === "groupUsers" || stream.kind === "groupContacts";
}

export function firstPagePath(stream: MemberStream): string {
  switch (stream.kind) {
    case "groupUsers":
      return `/groups/${encodeURIComponent(stream.groupObjectId)}/transitiveMembers/microsoft.graph.user?$count=true&$top=${PAGE_SIZE}&$select=${USER_FIELDS}`;
    case "groupContacts":
      return `/groups/${encodeURIComponent(stream.groupObjectId)}/transitiveMembers/microsoft.graph.orgContact?$count=true&$top=${PAGE_SIZE}&$select=${CONTACT_FIELDS}`;
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

function toMember(raw: Record<string, unknown>, objectType: DirectoryMember["objectType"]): DirectoryMember {
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
 * Requests one page and resolves once its response has begun to arrive (a failed status rejects, after the
 * session's retries): `nextLink` as soon as Graph has sent it, `page` once the whole page is in. The caller can
 * request the next page on the first and use this one on the second.
 */
export async function startMemberPage(
  graph: GraphReader,
  stream: MemberStream,
  cursor: string | null,
): Promise<{ nextLink: Promise<string | null>; page: Promise<MemberPage> }> {
  const headers = isAdvanced(stream) ? { ConsistencyLevel: "eventual" } : undefined;
  const path = cursor ?? firstPagePath(stream);
  const objectType = stream.kind === "groupContacts" || stream.kind === "directoryContacts" ? "contact" : "user";
  const toPage = (raw: RawPage): MemberPage => ({
    members: (raw.value ?? []).map((r) => toMember(r, objectType)),
    nextLink: text(raw["@odata.nextLink"]),
    count: typeof raw["@odata.count"] === "number" ? raw["@odata.count"] : null,
  });
  const read = await graph.getListPage<RawPage>(path, headers ? { headers } : undefined);
  const page = read.page.then(toPage);
  page.catch(() => undefined); // awaited by the caller; a failure before then is not unhandled
  return { nextLink: read.nextLink, page };
}

/** The streams a source walks, in order: users first, then contacts when the connection syncs them. */
export function streamsFor(source: { groupObjectId: string | null; syncContacts: boolean }): MemberStream[] {
  const id = source.groupObjectId;
  const users: MemberStream = id ? { kind: "groupUsers", groupObjectId: id } : { kind: "directoryUsers" };
  if (!source.syncContacts) return [users];
  const contacts: MemberStream = id ? { kind: "groupContacts", groupObjectId: id } : { kind: "directoryContacts" };
  return [users, contacts];
}

/**
 * Graph no longer accepts a saved nextLink (skiptokens expire; a changed directory can invalidate them). The
 * enumeration must start over from the first page: resuming elsewhere would miss or repeat members.
 */
export function isRejectedCursor(error: unknown, cursor: string | null): boolean {
  if (!cursor || !(error instanceof GraphRequestError)) return false;
  // A 404 on a cursor may also mean the group was deleted meanwhile: the restart's first page tells which.
  return error.status === 400 || error.status === 404 || error.status === 410;
}

/** The group itself is gone from Azure (404 on the group, not on a page cursor). */
export function isGroupGone(error: unknown): boolean {
  return error instanceof GraphRequestError && error.status === 404 && error.code !== "network_error";
}
