/**
 * The query options of a delta request (/users/delta, /groups/delta, /contacts/delta), read as Graph
 * documents them for directory objects:
 * - `$select` (for groups, `members` tracks membership and returns `members@delta`);
 * - `$filter` only as `id eq '…'` joined by `or`, "There is a limit of 50 filtered objects"
 *   (https://learn.microsoft.com/en-us/graph/api/group-delta, https://learn.microsoft.com/en-us/graph/api/user-delta);
 * - `$deltatoken` / `$skiptoken` from the links Graph returned;
 * - "`$expand` is not supported. `$top` is not supported. `$orderby` is not supported." for users and groups
 *   (https://learn.microsoft.com/en-us/graph/delta-query-overview#optional-query-parameters).
 * How Graph words its refusals of these is not documented; the sandbox answers 400 Request_UnsupportedQuery.
 */
import { isGuid } from "../directory/ids";
import { badRequest, unsupportedQuery } from "./errors";
import type { ODataQuery } from "./query";

export type DeltaResource = "users" | "groups" | "contacts";

export interface DeltaParams {
  resource: DeltaResource;
  select: string[] | null;
  /** Lower-cased object ids of `$filter=id eq '…' or …`; null = the whole collection. */
  ids: string[] | null;
  /** "" = the initial request (also what a 410's Location carries); "latest" = sync from now. */
  deltatoken: string | null;
  skiptoken: string | null;
  /** The options as sent (other than the tokens), for a 410's Location. */
  carry: Array<[string, string]>;
}

export const MAX_FILTER_IDS = 50;

/** `/v1.0/{users|groups|contacts}/delta` (or the fully qualified `/microsoft.graph.delta`). */
export function deltaResource(segments: string[]): DeltaResource | null {
  if (segments.length !== 2) return null;
  const [root, fn] = segments.map((s) => s.toLowerCase());
  if (fn !== "delta" && fn !== "microsoft.graph.delta") return null;
  return root === "users" || root === "groups" || root === "contacts" ? root : null;
}

function parseIdFilter(filter: string): string[] {
  const clauses = filter.trim().split(/\s+or\s+/i);
  const ids = clauses.map((c) => {
    const m = /^\(?\s*id\s+eq\s+'([^']*)'\s*\)?$/i.exec(c.trim());
    if (!m) throw unsupportedQuery("Unsupported filter for delta query: only 'id eq' clauses joined by 'or' are supported.");
    if (!isGuid(m[1])) throw badRequest(`Invalid object identifier '${m[1]}'.`);
    return m[1].toLowerCase();
  });
  if (ids.length > MAX_FILTER_IDS) throw unsupportedQuery(`Too many objects in the delta query filter: ${ids.length}; the limit is ${MAX_FILTER_IDS}.`);
  return [...new Set(ids)];
}

export function parseDeltaParams(resource: DeltaResource, params: URLSearchParams): DeltaParams {
  const p: DeltaParams = { resource, select: null, ids: null, deltatoken: null, skiptoken: null, carry: [] };
  for (const [rawKey, value] of params) {
    const key = rawKey.toLowerCase();
    if (key !== "$deltatoken" && key !== "$skiptoken") p.carry.push([rawKey, value]);
    switch (key) {
      case "$select":
        p.select = value.split(",").map((s) => s.trim()).filter(Boolean);
        break;
      case "$filter":
        p.ids = parseIdFilter(value);
        break;
      case "$deltatoken":
        p.deltatoken = value;
        break;
      case "$skiptoken":
        p.skiptoken = value;
        break;
      case "$top":
      case "$orderby":
      case "$expand":
      case "$search":
      case "$count":
      case "$skip":
        throw unsupportedQuery(`The query option '${rawKey}' is not supported with delta queries on ${resource}.`);
      default:
        if (key.startsWith("$") && key !== "$format") throw badRequest(`Query option '${rawKey}' is not allowed.`);
    }
  }
  return p;
}

/** The request log's view of the options. */
export function logQuery(p: DeltaParams): ODataQuery {
  return { select: p.select, top: null, filter: p.ids ? `${p.ids.length} ids` : null, search: null, count: false, skiptoken: p.skiptoken, orderby: null, expand: null, carry: p.carry };
}

/**
 * `Prefer: odata.maxpagesize=N`. A Microsoft answer gives the caps for directory delta: "200 for objects, such as
 * users and contacts; 500 for directory link objects (group members, for example). And the same number is
 * returned if odata.maxpagesize is not set" (https://learn.microsoft.com/en-us/answers/a/2052165; the reference
 * pages do not state them). Returns the requested size, or null.
 */
export function maxPageSize(prefer: string | undefined | null): number | null {
  if (!prefer) return null;
  const m = /(?:^|[,;\s])odata\.maxpagesize\s*=\s*"?(\d+)"?/i.exec(prefer);
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 ? n : null;
}
