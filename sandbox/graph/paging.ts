/**
 * Server-driven paging: an opaque $skiptoken in @odata.nextLink, bound to the list it came from (reusing it
 * on another list fails as an expired token would). Clients must follow nextLink whole.
 */
import { hash32, seedFromString } from "../directory/prng";
import { GraphError } from "./errors";

export interface PagePosition {
  /** Where in the underlying list the next page starts. */
  offset: number;
  /** 1-based number of the page being served. */
  page: number;
}

export function encodeSkipToken(listKey: string, pos: PagePosition): string {
  const bind = hash32(seedFromString(listKey), pos.offset, pos.page);
  return "RFNwdAIA" + Buffer.from(JSON.stringify([pos.offset, pos.page, bind])).toString("base64url");
}

export function decodeSkipToken(listKey: string, token: string | null): PagePosition {
  if (token === null) return { offset: 0, page: 1 };
  try {
    if (!token.startsWith("RFNwdAIA")) throw new Error("prefix");
    const [offset, page, bind] = JSON.parse(Buffer.from(token.slice(8), "base64url").toString("utf8")) as number[];
    if (!Number.isInteger(offset) || !Number.isInteger(page) || bind !== hash32(seedFromString(listKey), offset, page)) throw new Error("bind");
    return { offset, page };
  } catch {
    throw new GraphError(400, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request.");
  }
}

/** The next link: same path, same options, the new $skiptoken last. */
export function nextLink(origin: string, path: string, carry: Array<[string, string]>, token: string): string {
  const opts = carry.map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  opts.push(`$skiptoken=${token}`);
  return `${origin}${path}?${opts.join("&")}`;
}
