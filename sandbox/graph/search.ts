/**
 * $search on directory objects: quoted "property:term" clauses joined by AND / OR, matching a term at the
 * start of any word of the property (Graph tokenises on spaces and punctuation). Needs ConsistencyLevel:
 * eventual; Graph answers 400 without it.
 */
import type { ObjectKind } from "../directory/records";
import { badRequest } from "./errors";
import type { Getter } from "./filter";

const SEARCHABLE = new Map(
  ["displayName", "description", "mail", "userPrincipalName", "givenName", "surname", "mailNickname", "jobTitle", "department"].map((p) => [p.toLowerCase(), p]),
);

interface Clause {
  prop: string;
  term: string;
}

export function compileSearch(value: string): (kind: ObjectKind, get: Getter) => boolean {
  // Split into quoted clauses and the AND/OR words between them.
  const parts = value.match(/"[^"]*"|\S+/g) ?? [];
  const groups: Clause[][] = [[]]; // OR of ANDs
  let expectClause = true;
  for (const part of parts) {
    if (expectClause) {
      const m = /^"([^":]+):(.*)"$/.exec(part);
      if (!m) throw badRequest(`Syntax error: the $search clause ${part} must look like "property:term".`, "BadRequest");
      const prop = SEARCHABLE.get(m[1].trim().toLowerCase());
      if (!prop) throw badRequest(`Property '${m[1]}' is not searchable.`, "Request_UnsupportedQuery");
      groups[groups.length - 1].push({ prop, term: m[2].trim().toLowerCase() });
      expectClause = false;
    } else {
      const w = part.toUpperCase();
      if (w === "OR") groups.push([]);
      else if (w !== "AND") throw badRequest(`Syntax error at '${part}' in $search.`, "BadRequest");
      expectClause = true;
    }
  }
  if (expectClause) throw badRequest("Syntax error: $search is empty or ends with an operator.", "BadRequest");
  const matches = (v: unknown, term: string) => {
    if (typeof v !== "string") return false;
    const s = v.toLowerCase();
    for (let i = s.indexOf(term); i >= 0; i = s.indexOf(term, i + 1)) if (i === 0 || !/[a-z0-9]/.test(s[i - 1])) return true;
    return false;
  };
  return (kind, get) => groups.some((and) => and.every((c) => matches(get(kind, c.prop), c.term)));
}
