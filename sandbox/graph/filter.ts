/**
 * A subset of OData $filter for directory objects, with Graph's split between what works by default and
 * what needs an advanced query (ConsistencyLevel: eventual + $count=true): `eq`, `in`, `startswith`, `and`,
 * `or` and `groupTypes/any(c:c eq '…')` work by default on the properties listed below; `ne`, `not`,
 * `endswith` and comparisons with null need advanced parameters. Anything else is 400 Request_UnsupportedQuery.
 * String comparisons are case-insensitive, as in the directory.
 */
import { CONTACT, GROUP, USER, type ObjectKind } from "../directory/records";
import { badRequest, unsupportedQuery } from "./errors";

type Literal = string | boolean | number | null;
const MAX_IN_VALUES = 15;
type Node =
  | { t: "and" | "or"; l: Node; r: Node }
  | { t: "not"; e: Node }
  | { t: "cmp"; op: "eq" | "ne" | "ge" | "gt" | "le" | "lt"; prop: string; value: Literal }
  | { t: "in"; prop: string; values: Literal[] }
  | { t: "fn"; fn: "startswith" | "endswith"; prop: string; value: string }
  | { t: "any"; prop: string; value: Literal };

type Support = "default" | "advanced";
interface PropRule {
  name: string;
  eq?: Support;
  startswith?: Support;
  endswith?: Support;
  any?: Support;
}
const rules = (list: PropRule[]) => new Map(list.map((r) => [r.name.toLowerCase(), r]));
const text = (name: string, extra: Partial<PropRule> = {}): PropRule => ({ name, eq: "default", startswith: "default", ...extra });

const FILTERABLE: Record<ObjectKind, Map<string, PropRule>> = {
  [USER]: rules([
    { name: "id", eq: "default" },
    { name: "accountEnabled", eq: "default" },
    text("displayName"), text("givenName"), text("surname"), text("mailNickname"), text("jobTitle"), text("employeeId"),
    text("mail", { endswith: "advanced" }), text("userPrincipalName", { endswith: "advanced" }),
    { name: "userType", eq: "default" },
    { name: "department", eq: "advanced", startswith: "advanced" },
    { name: "companyName", eq: "advanced", startswith: "advanced" },
    { name: "officeLocation", eq: "advanced", startswith: "advanced" },
  ]),
  [GROUP]: rules([
    { name: "id", eq: "default" },
    text("displayName"), text("mailNickname"), text("mail", { endswith: "advanced" }),
    { name: "mailEnabled", eq: "default" },
    { name: "securityEnabled", eq: "default" },
    { name: "membershipRuleProcessingState", eq: "default" },
    { name: "groupTypes", any: "default" },
  ]),
  [CONTACT]: rules([
    { name: "id", eq: "default" },
    text("displayName"), text("givenName"), text("surname"), text("mailNickname"), text("mail", { endswith: "advanced" }),
    { name: "companyName", eq: "advanced", startswith: "advanced" },
  ]),
};
const RESOURCE: Record<ObjectKind, string> = { [USER]: "User", [GROUP]: "Group", [CONTACT]: "OrgContact" };

// ---- tokenizer ----
type Tok = { k: "id" | "str" | "num" | "(" | ")" | "," | ":"; v: string };
function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) i++;
    else if ("(),:".includes(c)) {
      out.push({ k: c as Tok["k"], v: c });
      i++;
    } else if (c === "'") {
      let v = "";
      i++;
      for (;;) {
        if (i >= s.length) throw badRequest(`Invalid filter clause: unterminated string in '${s}'.`, "BadRequest");
        if (s[i] === "'" && s[i + 1] === "'") {
          v += "'";
          i += 2;
        } else if (s[i] === "'") {
          i++;
          break;
        } else v += s[i++];
      }
      out.push({ k: "str", v });
    } else if (/[-0-9]/.test(c)) {
      // Numbers, and unquoted date/time literals such as 2021-11-01 or 2021-11-01T00:00:00Z.
      const m = /^-?\d[\d\-:.TZ+]*/.exec(s.slice(i));
      if (!m) throw badRequest(`Invalid filter clause: unexpected '${c}'.`, "BadRequest");
      out.push({ k: "num", v: m[0] });
      i += m[0].length;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_./]*/.exec(s.slice(i));
      if (!m) throw badRequest(`Invalid filter clause: unexpected '${c}'.`, "BadRequest");
      out.push({ k: "id", v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

// ---- parser ----
class Parser {
  private p = 0;
  constructor(private readonly toks: Tok[]) {}

  parse(): Node {
    const n = this.or();
    if (this.p < this.toks.length) throw badRequest(`Invalid filter clause: unexpected '${this.toks[this.p].v}'.`, "BadRequest");
    return n;
  }
  private peekWord(w: string) {
    const t = this.toks[this.p];
    return t?.k === "id" && t.v.toLowerCase() === w;
  }
  private expect(k: Tok["k"]): Tok {
    const t = this.toks[this.p++];
    if (!t || t.k !== k) throw badRequest(`Invalid filter clause: expected '${k}'.`, "BadRequest");
    return t;
  }
  private or(): Node {
    let l = this.and();
    while (this.peekWord("or")) {
      this.p++;
      l = { t: "or", l, r: this.and() };
    }
    return l;
  }
  private and(): Node {
    let l = this.unary();
    while (this.peekWord("and")) {
      this.p++;
      l = { t: "and", l, r: this.unary() };
    }
    return l;
  }
  private unary(): Node {
    if (this.peekWord("not")) {
      this.p++;
      return { t: "not", e: this.unary() };
    }
    return this.primary();
  }
  private literal(): Literal {
    const t = this.toks[this.p++];
    if (!t) throw badRequest("Invalid filter clause: value expected.", "BadRequest");
    if (t.k === "str") return t.v;
    if (t.k === "num") return /^-?\d+(\.\d+)?$/.test(t.v) ? Number(t.v) : t.v;
    if (t.k === "id" && ["true", "false", "null"].includes(t.v.toLowerCase())) return t.v.toLowerCase() === "null" ? null : t.v.toLowerCase() === "true";
    throw badRequest(`Invalid filter clause: unexpected '${t.v}'.`, "BadRequest");
  }
  private primary(): Node {
    const t = this.toks[this.p];
    if (!t) throw badRequest("Invalid filter clause: expression expected.", "BadRequest");
    if (t.k === "(") {
      this.p++;
      const n = this.or();
      this.expect(")");
      return n;
    }
    if (t.k !== "id") throw badRequest(`Invalid filter clause: unexpected '${t.v}'.`, "BadRequest");
    const word = t.v.toLowerCase();
    if ((word === "startswith" || word === "endswith") && this.toks[this.p + 1]?.k === "(") {
      this.p += 2;
      const prop = this.expect("id").v;
      this.expect(",");
      const value = this.literal();
      this.expect(")");
      if (typeof value !== "string") throw badRequest(`Invalid filter clause: ${word} needs a string.`, "BadRequest");
      return { t: "fn", fn: word, prop, value };
    }
    this.p++;
    if (word.endsWith("/any")) {
      // groupTypes/any(c:c eq 'Unified')
      this.expect("(");
      const v = this.expect("id").v;
      this.expect(":");
      const v2 = this.expect("id").v;
      const op = this.expect("id").v.toLowerCase();
      if (v2 !== v || op !== "eq") throw unsupportedQuery("Unsupported Query.");
      const value = this.literal();
      this.expect(")");
      return { t: "any", prop: t.v.slice(0, -4), value };
    }
    const opTok = this.toks[this.p++];
    const op = opTok?.k === "id" ? opTok.v.toLowerCase() : "";
    if (op === "eq" || op === "ne" || op === "ge" || op === "gt" || op === "le" || op === "lt") return { t: "cmp", op, prop: t.v, value: this.literal() };
    if (op === "in") {
      this.expect("(");
      const values = [this.literal()];
      while (this.toks[this.p]?.k === ",") {
        this.p++;
        values.push(this.literal());
      }
      this.expect(")");
      // Graph takes at most 15 values in one `in` on directory objects; a longer list is refused, not served.
      // https://learn.microsoft.com/en-us/graph/filter-query-parameter (the operator); the limit and this
      // message are Graph's observed answer, not stated on that page.
      if (values.length > MAX_IN_VALUES) {
        throw unsupportedQuery(`Too many child clauses specified in search filter expression containing 'OR' operators: ${values.length}. Max allowed: ${MAX_IN_VALUES}.`);
      }
      return { t: "in", prop: t.v, values };
    }
    throw unsupportedQuery("Unsupported Query.");
  }
}

export type Getter = (kind: ObjectKind, prop: string) => unknown;

export interface CompiledFilter {
  /** Whether the object (read through `get`) matches. Objects without the property never match. */
  test(kind: ObjectKind, get: Getter): boolean;
  /** The first feature that requires advanced query parameters, or null. */
  needsAdvanced: string | null;
}

export function compileFilter(textValue: string, kinds: ObjectKind[]): CompiledFilter {
  const root = new Parser(tokenize(textValue)).parse();
  let needsAdvanced: string | null = null;
  const need = (what: string) => (needsAdvanced ??= what);

  // Validate every property against the kinds the list can hold; note what needs advanced queries.
  const check = (prop: string, op: "eq" | "startswith" | "endswith" | "any" | "range") => {
    let found = false;
    for (const k of kinds) {
      const r = FILTERABLE[k].get(prop.toLowerCase());
      const s = op === "range" ? undefined : r?.[op];
      if (!s) continue;
      found = true;
      if (s === "advanced") need(`Operator '${op}' on property '${r!.name}'`);
    }
    if (!found) {
      const res = kinds.length === 1 ? RESOURCE[kinds[0]] : "DirectoryObject";
      throw unsupportedQuery(`Unsupported or invalid query filter clause specified for property '${prop}' of resource '${res}'.`);
    }
  };
  const walk = (n: Node) => {
    switch (n.t) {
      case "and":
      case "or":
        walk(n.l);
        walk(n.r);
        break;
      case "not":
        need("Operator 'not'");
        walk(n.e);
        break;
      case "cmp":
        if (n.op === "ne") need("Operator 'ne'");
        if (n.value === null) need("Comparison with null");
        // Range comparisons (ge, gt, le, lt) are on no property this sandbox indexes.
        check(n.prop, n.op === "eq" || n.op === "ne" ? "eq" : "range");
        break;
      case "in":
        check(n.prop, "eq");
        break;
      case "fn":
        check(n.prop, n.fn);
        break;
      case "any":
        check(n.prop, "any");
        break;
    }
  };
  walk(root);

  const norm = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);
  const canonicalName = (k: ObjectKind, prop: string) => FILTERABLE[k].get(prop.toLowerCase())?.name;
  const evalNode = (n: Node, kind: ObjectKind, get: Getter): boolean => {
    switch (n.t) {
      case "and":
        return evalNode(n.l, kind, get) && evalNode(n.r, kind, get);
      case "or":
        return evalNode(n.l, kind, get) || evalNode(n.r, kind, get);
      case "not":
        return !evalNode(n.e, kind, get);
      default: {
        const name = canonicalName(kind, n.prop);
        if (!name) return false;
        const v = get(kind, name);
        if (n.t === "cmp") return (norm(v) === norm(n.value)) === (n.op === "eq"); // only eq/ne pass check()
        if (n.t === "in") return n.values.some((x) => norm(x) === norm(v));
        if (n.t === "any") return Array.isArray(v) && v.some((x) => norm(x) === norm(n.value));
        if (typeof v !== "string") return false;
        const s = v.toLowerCase();
        const want = n.value.toLowerCase();
        return n.fn === "startswith" ? s.startsWith(want) : s.endsWith(want);
      }
    }
  };
  return { test: (kind, get) => evalNode(root, kind, get), needsAdvanced };
}
