/**
 * Serving one page of a collection: scan from the page token's offset, keep what the filter matches, stop at
 * $top (default 100) and link to the rest. A filtered scan also stops after a bounded number of objects and
 * links onward even if the page is short or empty, as Graph may: clients must follow nextLink until it is gone.
 */
import type { Tenant } from "../tenants/tenant";
import type { Caller } from "./bearer";
import { decodeSkipToken, encodeSkipToken, nextLink } from "./paging";
import type { ODataQuery } from "./query";

export interface GraphCall {
  tenant: Tenant;
  caller: Caller;
  query: ODataQuery;
  /** ConsistencyLevel: eventual was sent. */
  eventual: boolean;
  /** An advanced query: ConsistencyLevel: eventual and $count=true. */
  advanced: boolean;
  origin: string;
  /** The request path as sent (e.g. /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user). */
  path: string;
}

export interface GraphAnswer {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string | number>;
  /** Which injected fault produced this answer, for the request log. */
  fault?: string;
  /** Graph error code, for the request log. */
  error?: string;
}

export interface ListSpec {
  /** Identifies the list (path, filter, search): binds page tokens and cached counts. */
  key: string;
  length: number;
  at(k: number): number;
  /** Objects never shown (deleted). */
  skip?(r: number): boolean;
  match?: ((r: number) => boolean) | null;
  project(r: number): Record<string, unknown>;
  /** The entity set named in @odata.context: users, groups, contacts, directoryObjects. */
  context: string;
  /** A fault to answer instead of page n, if one is set. */
  pageFault?(page: number): GraphAnswer | null;
}

const SCAN_LIMIT = 250_000;
const counts = new WeakMap<Tenant, Map<string, { version: number; n: number }>>();

export const JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

export function contextUrl(call: GraphCall, entitySet: string, suffix = ""): string {
  const sel = call.query.select ? `(${call.query.select.join(",")})` : "";
  return `${call.origin}/v1.0/$metadata#${entitySet}${sel}${suffix}`;
}

export function countMatches(call: GraphCall, spec: ListSpec): number {
  let perTenant = counts.get(call.tenant);
  if (!perTenant) counts.set(call.tenant, (perTenant = new Map()));
  const version = call.tenant.directory.version;
  const hit = perTenant.get(spec.key);
  if (hit && hit.version === version) return hit.n;
  let n = 0;
  for (let k = 0; k < spec.length; k++) {
    const r = spec.at(k);
    if (spec.skip?.(r) || (spec.match && !spec.match(r))) continue;
    n++;
  }
  if (perTenant.size > 256) perTenant.clear();
  perTenant.set(spec.key, { version, n });
  return n;
}

export function servePage(call: GraphCall, spec: ListSpec): GraphAnswer {
  const pos = decodeSkipToken(spec.key, call.query.skiptoken);
  const fault = spec.pageFault?.(pos.page);
  if (fault) return fault;
  const top = call.query.top ?? 100;
  const items: Record<string, unknown>[] = [];
  let k = pos.offset;
  let scanned = 0;
  while (k < spec.length && items.length < top && scanned < SCAN_LIMIT) {
    const r = spec.at(k++);
    scanned++;
    if (spec.skip?.(r) || (spec.match && !spec.match(r))) continue;
    items.push(spec.project(r));
  }
  const body: Record<string, unknown> = { "@odata.context": contextUrl(call, spec.context) };
  // The collection's count comes with the first page only; a nextLink page carries none, so a client that
  // wants the size must keep it from page one (https://learn.microsoft.com/en-us/graph/paging,
  // https://learn.microsoft.com/en-us/graph/query-parameters#count-parameter; "first page only" is Graph's
  // observed behaviour, not stated on those pages).
  if (call.advanced && pos.page === 1) body["@odata.count"] = countMatches(call, spec);
  if (k < spec.length) body["@odata.nextLink"] = nextLink(call.origin, call.path, call.query.carry, encodeSkipToken(spec.key, { offset: k, page: pos.page + 1 }));
  body.value = items;
  return { status: 200, body: JSON.stringify(body), contentType: JSON_TYPE };
}

