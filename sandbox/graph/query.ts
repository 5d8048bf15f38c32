/**
 * OData system query options as Graph reads them for directory objects. Names are case-insensitive;
 * `$top` must be 1–999; `$count=true` counts only in an advanced query (ConsistencyLevel: eventual), and
 * is silently ignored otherwise, as Graph documents.
 */
import { badRequest, unsupportedQuery } from "./errors";

export interface ODataQuery {
  select: string[] | null;
  top: number | null;
  filter: string | null;
  search: string | null;
  count: boolean;
  skiptoken: string | null;
  orderby: string | null;
  expand: string | null;
  /** The request's query options other than $skiptoken, in order, for building the next link. */
  carry: Array<[string, string]>;
}

export function parseQuery(params: URLSearchParams): ODataQuery {
  const q: ODataQuery = { select: null, top: null, filter: null, search: null, count: false, skiptoken: null, orderby: null, expand: null, carry: [] };
  for (const [rawKey, value] of params) {
    const key = rawKey.toLowerCase();
    if (key !== "$skiptoken") q.carry.push([rawKey, value]);
    switch (key) {
      case "$select":
        q.select = value.split(",").map((s) => s.trim()).filter(Boolean);
        break;
      case "$top": {
        const n = Number(value);
        if (!/^\d+$/.test(value.trim()) || n < 1 || n > 999) throw badRequest(`Invalid page size specified: '${value}'. Must be between 1 and 999 inclusive.`);
        q.top = n;
        break;
      }
      case "$filter":
        q.filter = value;
        break;
      case "$search":
        q.search = value;
        break;
      case "$count":
        if (value !== "true" && value !== "false") throw badRequest(`Invalid value '${value}' for $count: expected true or false.`);
        q.count = value === "true";
        break;
      case "$skiptoken":
        q.skiptoken = value;
        break;
      case "$orderby":
        q.orderby = value;
        break;
      case "$expand":
        q.expand = value;
        break;
      case "$skip":
        throw badRequest("'$skip' is not supported by the service.");
      default:
        if (key.startsWith("$") && key !== "$format") throw badRequest(`Query option '${rawKey}' is not allowed.`);
    }
  }
  // Not emulated: refuse loudly rather than answer in an order or shape real Graph would not.
  if (q.orderby !== null) throw unsupportedQuery("Sorting ($orderby) is not emulated by the Roster sandbox.");
  if (q.expand !== null) throw unsupportedQuery("$expand is not emulated by the Roster sandbox.");
  return q;
}
