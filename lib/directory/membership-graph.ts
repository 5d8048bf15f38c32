/**
 * One connection's membership graph, kept between delta rounds: group → direct members, member → what the one
 * eligibility rule (lib/audience/eligibility.ts) makes of it. Delta queries report direct members only, so the
 * transitive closure of each selected group (a "source") is maintained here, cycles included: a member is in a
 * source when one of the groups directly holding it is reachable from the source through nesting.
 *
 * `apply` takes a batch of changes (member links added or removed, members created, changed or deleted, groups
 * deleted) and returns, per source, the addresses added and removed. Replayed changes change nothing; a member
 * reached by two paths stays while either holds; two members sharing an address keep it while either is in.
 *
 * Neutral: no Graph types. Memory: per member one interned id, the verdict's address and name, a verdict code
 * and the groups directly holding it; per group a set of direct members (figures in docs/adr/0012-incremental-sync-membership-graph.md).
 */
import { deflateSync, inflateSync } from "node:zlib";
import { IdTable } from "./id-table";
import { memberVerdict, type ContributedAddress, type ContributionRules, type EligibilityInput, type SkipReason } from "@/lib/audience/eligibility";

export type MemberKind = "user" | "contact" | "group";

/** A member's state as the rule reads it. */
export type MemberState = EligibilityInput;

export type GraphChange =
  | { kind: "link"; groupId: string; memberId: string; memberType: MemberKind; present: boolean }
  | { kind: "member"; state: MemberState }
  | { kind: "memberDeleted"; id: string }
  | { kind: "groupDeleted"; groupId: string }
  /** The group's direct members have been read (it may have none): it is no longer "unloaded". */
  | { kind: "groupLoaded"; groupId: string };

export interface SourceChanges {
  sourceGroupId: string;
  added: ContributedAddress[];
  /** Normalized addresses no member of the source holds any more. */
  removed: string[];
}

export interface SourceCounts {
  addresses: number;
  disabled: number;
  noAddress: number;
  /** Members with an address another member of the source already holds. */
  duplicate: number;
}

export interface GraphOptions extends ContributionRules {
  /** The connection syncs org contacts (otherwise contacts are never recipients). */
  contacts: boolean;
}

const KIND_NONE = 0;
const KIND_USER = 1;
const KIND_CONTACT = 2;
const KIND_GROUP = 3;
const KIND_CODE: Record<MemberKind, number> = { user: KIND_USER, contact: KIND_CONTACT, group: KIND_GROUP };

/** Verdict codes: no state seen yet (not a recipient, not counted), an address, or a skip reason. */
const V_UNKNOWN = 0;
const V_ADDRESS = 1;
const V_DISABLED = 2;
const V_NO_ADDRESS = 3;
const SKIP_CODE: Record<SkipReason, number> = { disabled: V_DISABLED, noAddress: V_NO_ADDRESS };

export class MembershipGraph {
  /** Node ids (GUIDs as 16 bytes each): node ↔ id. */
  private ids = new IdTable();
  private kind = new Uint8Array(1024);
  private verdict = new Uint8Array(1024);
  /** The address as written and its normalized key, and the display name, for members with an address. */
  private email: (string | null)[] = [];
  private key: (string | null)[] = [];
  private name: (string | null)[] = [];
  /**
   * Groups directly holding each node: the first in a typed array (-1 = none), any others in a map, since
   * most members sit in one group and an array per member would double the graph's memory.
   */
  private parent = new Int32Array(1024).fill(-1);
  private readonly moreParents = new Map<number, number[]>();
  /** Direct members of each group whose membership has been loaded. */
  private readonly direct = new Map<number, Set<number>>();
  /** Which members hold a normalized address: one index, or several when addresses collide. */
  private readonly holders = new Map<string, number | number[]>();
  private sources: number[] = [];
  private reach = new Map<number, Set<number>>();

  constructor(
    private readonly options: GraphOptions,
    sourceGroupIds: string[] = [],
  ) {
    this.setSources(sourceGroupIds);
  }

  // ---- nodes ----

  private node(id: string, kind: number = KIND_NONE): number {
    const before = this.ids.size;
    const i = this.ids.intern(id);
    if (i === before) {
      this.email.push(null);
      this.key.push(null);
      this.name.push(null);
      if (i >= this.kind.length) {
        const grow = (a: Uint8Array) => {
          const b = new Uint8Array(a.length * 2);
          b.set(a);
          return b;
        };
        this.kind = grow(this.kind);
        this.verdict = grow(this.verdict);
        const p = new Int32Array(this.parent.length * 2).fill(-1);
        p.set(this.parent);
        this.parent = p;
      }
    }
    if (kind !== KIND_NONE) this.kind[i] = kind;
    return i;
  }

  private find(id: string): number | undefined {
    return this.ids.find(id);
  }

  // ---- the closure ----

  setSources(groupIds: string[]): void {
    this.sources = [...new Set(groupIds.map((g) => this.node(g, KIND_GROUP)))];
    this.recomputeReach();
  }

  private recomputeReach(): void {
    this.reach = new Map(this.sources.map((s) => [s, this.reachable(s)]));
  }

  /** Groups reachable from `g` through nesting, `g` included; a cycle is walked once. */
  private reachable(g: number): Set<number> {
    const seen = new Set<number>([g]);
    const queue = [g];
    while (queue.length > 0) {
      const members = this.direct.get(queue.pop()!);
      if (!members) continue;
      for (const m of members) {
        if (this.kind[m] === KIND_GROUP && !seen.has(m)) {
          seen.add(m);
          queue.push(m);
        }
      }
    }
    return seen;
  }

  /** Users and contacts directly in any group reachable from `g`. */
  private closureMembers(g: number, into: Set<number>): void {
    for (const h of this.reachable(g)) {
      for (const m of this.direct.get(h) ?? []) if (this.kind[m] !== KIND_GROUP) into.add(m);
    }
  }

  /** The member's address key if it is a recipient of source `s` (with the closure `reach`), else null. */
  private recipientKey(s: number, m: number, reach = this.reach): string | null {
    if (this.verdict[m] !== V_ADDRESS) return null;
    if (this.kind[m] === KIND_CONTACT && !this.options.contacts) return null;
    const r = reach.get(s);
    if (!r) return null;
    const first = this.parent[m];
    if (first < 0) return null;
    if (r.has(first)) return this.key[m];
    const more = this.moreParents.get(m);
    return more && more.some((g) => r.has(g)) ? this.key[m] : null;
  }

  private parentsOf(m: number): number[] {
    const first = this.parent[m];
    if (first < 0) return [];
    const more = this.moreParents.get(m);
    return more ? [first, ...more] : [first];
  }

  // ---- changes ----

  private link(g: number, m: number, present: boolean): void {
    let set = this.direct.get(g);
    if (!set) this.direct.set(g, (set = new Set()));
    if (present) {
      if (set.has(m)) return;
      set.add(m);
      if (this.parent[m] < 0) this.parent[m] = g;
      else {
        const more = this.moreParents.get(m);
        if (more) more.push(g);
        else this.moreParents.set(m, [g]);
      }
    } else {
      if (!set.delete(m)) return;
      const more = this.moreParents.get(m);
      if (this.parent[m] === g) this.parent[m] = more ? more.shift()! : -1;
      else if (more) more.splice(more.indexOf(g), 1);
      if (more && more.length === 0) this.moreParents.delete(m);
    }
  }

  private setHolder(m: number, key: string | null): void {
    const old = this.key[m];
    if (old === key) return;
    if (old !== null) {
      const h = this.holders.get(old);
      if (h === m) this.holders.delete(old);
      else if (Array.isArray(h)) {
        const rest = h.filter((x) => x !== m);
        this.holders.set(old, rest.length === 1 ? rest[0] : rest);
      }
    }
    this.key[m] = key;
    if (key !== null) {
      const h = this.holders.get(key);
      if (h === undefined) this.holders.set(key, m);
      else if (Array.isArray(h)) h.push(m);
      else if (h !== m) this.holders.set(key, [h, m]);
    }
  }

  private setState(state: MemberState): void {
    const m = this.node(state.id, KIND_CODE[state.objectType]);
    const v = memberVerdict(state, this.options);
    if ("skip" in v) {
      this.verdict[m] = SKIP_CODE[v.skip];
      this.email[m] = null;
      this.name[m] = null;
      this.setHolder(m, null);
    } else {
      this.verdict[m] = V_ADDRESS;
      // Most addresses are already in their normalized form: keep one string, not two equal ones.
      this.email[m] = v.address.email === v.address.emailNormalized ? v.address.emailNormalized : v.address.email;
      this.name[m] = v.address.name;
      this.setHolder(m, v.address.emailNormalized);
    }
  }

  private forget(m: number): void {
    this.verdict[m] = V_UNKNOWN;
    this.email[m] = null;
    this.name[m] = null;
    this.setHolder(m, null);
  }

  private deleteGroup(g: number): void {
    for (const m of [...(this.direct.get(g) ?? [])]) this.link(g, m, false);
    this.direct.delete(g);
    for (const p of this.parentsOf(g)) this.link(p, g, false);
  }

  private mutate(c: GraphChange): boolean {
    switch (c.kind) {
      case "link":
        this.link(this.node(c.groupId, KIND_GROUP), this.node(c.memberId, KIND_CODE[c.memberType]), c.present);
        return c.memberType === "group";
      case "member":
        this.setState(c.state);
        return false;
      case "memberDeleted": {
        const m = this.find(c.id);
        if (m !== undefined) this.forget(m);
        return false;
      }
      case "groupDeleted": {
        const g = this.find(c.groupId);
        if (g !== undefined) this.deleteGroup(g);
        return true;
      }
      case "groupLoaded": {
        const g = this.node(c.groupId, KIND_GROUP);
        if (!this.direct.has(g)) this.direct.set(g, new Set());
        return false;
      }
    }
  }

  /** Loads changes without working out what they change (a full enumeration seeding the graph). */
  seed(changes: Iterable<GraphChange>): void {
    let nesting = false;
    for (const c of changes) nesting = this.mutate(c) || nesting;
    if (nesting) this.recomputeReach();
  }

  /** Applies a batch and returns, per source whose recipients changed, the addresses added and removed. */
  apply(changes: GraphChange[]): SourceChanges[] {
    // 1. The members whose recipient status may change: those named, and everyone under a group whose
    //    nesting changes (before and after the change).
    const affected = new Set<number>();
    const nestingTouched: number[] = [];
    for (const c of changes) {
      if (c.kind === "link") {
        if (c.memberType === "group") nestingTouched.push(this.node(c.memberId, KIND_GROUP));
        else affected.add(this.node(c.memberId, KIND_CODE[c.memberType]));
      } else if (c.kind === "member") affected.add(this.node(c.state.id, KIND_CODE[c.state.objectType]));
      else if (c.kind === "memberDeleted") {
        const m = this.find(c.id);
        if (m !== undefined) affected.add(m);
      } else if (c.kind === "groupDeleted") {
        const g = this.find(c.groupId);
        if (g !== undefined) nestingTouched.push(g);
      }
    }
    for (const g of nestingTouched) this.closureMembers(g, affected);
    const before = new Map<number, (string | null)[]>();
    for (const m of affected) before.set(m, this.sources.map((s) => this.recipientKey(s, m)));

    // 2. The change itself. Members found under a touched group only after it were not named by any change:
    //    their state and parents are as before, so the old closure tells where they were.
    const oldReach = this.reach;
    this.seed(changes);
    for (const g of nestingTouched) this.closureMembers(g, affected);
    const beforeKey = (si: number, m: number) => {
      const b = before.get(m);
      return b ? b[si] : this.recipientKey(this.sources[si], m, oldReach);
    };

    // 3. Per source, the addresses whose holding changed.
    const out: SourceChanges[] = [];
    this.sources.forEach((s, si) => {
      const candidates = new Set<string>();
      const keysBefore = new Set<string>();
      for (const m of affected) {
        const b = beforeKey(si, m);
        const a = this.recipientKey(s, m);
        if (b !== null) keysBefore.add(b);
        if (b === a) continue;
        if (b !== null) candidates.add(b);
        if (a !== null) candidates.add(a);
      }
      if (candidates.size === 0) return;
      const heldBefore = (k: string) => keysBefore.has(k) || this.holdersOf(k).some((h) => !affected.has(h) && this.recipientKey(s, h) === k);
      const holderNow = (k: string) => this.holdersOf(k).find((h) => this.recipientKey(s, h) === k);
      const added: ContributedAddress[] = [];
      const removed: string[] = [];
      for (const k of candidates) {
        const now = holderNow(k);
        const was = heldBefore(k);
        if (now !== undefined && !was) added.push(this.address(now));
        else if (now === undefined && was) removed.push(k);
      }
      if (added.length > 0 || removed.length > 0) out.push({ sourceGroupId: this.ids.at(s), added, removed });
    });
    return out;
  }

  private holdersOf(k: string): number[] {
    const h = this.holders.get(k);
    return h === undefined ? [] : Array.isArray(h) ? h : [h];
  }

  private address(m: number): ContributedAddress {
    return { emailNormalized: this.key[m]!, email: this.email[m]!, name: this.name[m], objectId: this.ids.at(m) };
  }

  // ---- reads ----

  /** Whether the group's direct members have been read. */
  isLoaded(groupId: string): boolean {
    const g = this.find(groupId);
    return g !== undefined && this.direct.has(g);
  }

  /** Whether the member's state has been seen. */
  hasState(id: string): boolean {
    const m = this.find(id);
    return m !== undefined && this.verdict[m] !== V_UNKNOWN;
  }

  /** Whether the graph knows the object at all (linked or seen). */
  hasNode(id: string): boolean {
    return this.find(id) !== undefined;
  }

  /** Every group the sources reach (what delta rounds must track), sources included. */
  trackedGroupIds(): string[] {
    const all = new Set<number>();
    for (const r of this.reach.values()) for (const g of r) all.add(g);
    return [...all].map((g) => this.ids.at(g)).sort();
  }

  /** Groups reached (or named) whose direct members were never loaded: they need an enumeration. */
  unloadedGroupIds(): string[] {
    return this.trackedGroupIds().filter((id) => !this.direct.has(this.ids.find(id)!));
  }

  /** Users and contacts in some source whose state was never seen: they need a read. */
  unknownMemberIds(): string[] {
    const out = new Set<string>();
    for (const r of this.reach.values()) {
      for (const g of r) for (const m of this.direct.get(g) ?? []) if (this.kind[m] !== KIND_GROUP && this.verdict[m] === V_UNKNOWN) out.add(this.ids.at(m));
    }
    return [...out].sort();
  }

  /** A source's recipients now, by normalized address (one holder per address). */
  recipients(sourceGroupId: string): Map<string, ContributedAddress> {
    const s = this.find(sourceGroupId);
    const out = new Map<string, ContributedAddress>();
    if (s === undefined || !this.reach.has(s)) return out;
    for (const m of this.membersOf(s)) {
      const k = this.recipientKey(s, m);
      if (k !== null && !out.has(k)) out.set(k, this.address(m));
    }
    return out;
  }

  /** A source's distinct addresses and its members skipped, per reason. */
  counts(sourceGroupId: string): SourceCounts {
    const s = this.find(sourceGroupId);
    const c: SourceCounts = { addresses: 0, disabled: 0, noAddress: 0, duplicate: 0 };
    if (s === undefined) return c;
    const keys = new Set<string>();
    for (const m of this.membersOf(s)) {
      if (this.kind[m] === KIND_CONTACT && !this.options.contacts) continue;
      const v = this.verdict[m];
      if (v === V_ADDRESS) {
        if (keys.has(this.key[m]!)) c.duplicate++;
        else keys.add(this.key[m]!);
      }
      else if (v === V_DISABLED) c.disabled++;
      else if (v === V_NO_ADDRESS) c.noAddress++;
    }
    c.addresses = keys.size;
    return c;
  }

  private membersOf(s: number): Set<number> {
    const out = new Set<number>();
    this.closureMembers(s, out);
    return out;
  }

  // ---- persistence ----

  /**
   * The graph as compact bytes (deflated): per node its kind, verdict, id, address and name; per loaded group
   * its direct members as node numbers; the sources. The closure, the parents and the address index are
   * derived again on load. Layout: "RMG1", counts, three byte arrays, four NUL-joined string sections, then
   * the sources and groups as 32-bit integers.
   */
  /**
   * The graph as bytes for delta_state: "RMG2", then frames of [u32 length][deflated piece of at most 1 MiB].
   * Written and read a piece at a time, so a round never holds the whole uncompressed snapshot (about 130 MB at
   * 1,000,000 members) beside the graph; the figures are in docs/adr/0012-incremental-sync-membership-graph.md.
   */
  toSnapshot(): Buffer {
    const n = this.ids.size;
    const w = new FrameWriter();
    const flags = new Uint8Array(n);
    for (let i = 0; i < n; i++) flags[i] = (this.email[i] !== null && this.email[i] !== this.key[i] ? 1 : 0) | (this.name[i] === null ? 2 : 0);
    w.u32(n);
    w.u32(this.sources.length);
    w.u32(this.direct.size);
    w.bytes(this.kind.subarray(0, n));
    w.bytes(this.verdict.subarray(0, n));
    w.bytes(flags);
    const section = (pick: (i: number) => string | null) => {
      let count = 0;
      for (let i = 0; i < n; i++) if (pick(i) !== null) count++;
      w.u32(count);
      for (let i = 0; i < n; i++) {
        const v = pick(i);
        if (v !== null) w.str(v);
      }
    };
    section((i) => this.ids.at(i));
    section((i) => this.key[i] ?? "");
    section((i) => (flags[i] & 1 ? this.email[i] : null));
    section((i) => this.name[i] ?? "");
    for (const s of this.sources) w.u32(s);
    for (const [g, members] of this.direct) {
      w.u32(g);
      w.u32(members.size);
      for (const m of members) w.u32(m);
    }
    return w.finish();
  }

  static fromSnapshot(bytes: Buffer, options: GraphOptions): MembershipGraph {
    const r = new FrameReader(bytes);
    const u32 = () => r.u32();
    const [n, sourceCount, groupCount] = [u32(), u32(), u32()];
    const g = new MembershipGraph(options);
    const cap = Math.max(1024, 2 ** Math.ceil(Math.log2(n + 1)));
    g.kind = new Uint8Array(cap);
    g.verdict = new Uint8Array(cap);
    g.parent = new Int32Array(cap).fill(-1);
    r.bytesInto(g.kind, n);
    r.bytesInto(g.verdict, n);
    const flags = new Uint8Array(n);
    r.bytesInto(flags, n);
    const section = (each: (value: string) => void) => {
      for (let count = u32(); count > 0; count--) each(r.str());
    };
    g.key = new Array(n);
    g.email = new Array(n);
    g.name = new Array(n);
    let i = 0;
    section((id) => {
      if (g.ids.intern(id) !== i++) throw new Error("membership graph snapshot: an id twice");
    });
    i = 0;
    section((k) => {
      g.key[i] = null;
      g.setHolder(i, k === "" ? null : k);
      i++;
    });
    let e = 0;
    const emails: string[] = [];
    section((email) => emails.push(email));
    for (let m = 0; m < n; m++) g.email[m] = flags[m] & 1 ? emails[e++] : g.key[m];
    i = 0;
    section((name) => {
      g.name[i] = flags[i] & 2 ? null : name;
      i++;
    });
    const sources: number[] = [];
    for (let i = 0; i < sourceCount; i++) sources.push(u32());
    for (let i = 0; i < groupCount; i++) {
      const group = u32();
      const count = u32();
      g.direct.set(group, new Set());
      for (let j = 0; j < count; j++) g.link(group, u32(), true);
    }
    r.end();
    g.sources = sources;
    g.recomputeReach();
    return g;
  }

  /** The source groups, as given. */
  sourceGroupIds(): string[] {
    return this.sources.map((s) => this.ids.at(s));
  }

  get size(): { nodes: number; groups: number; links: number } {
    let links = 0;
    for (const set of this.direct.values()) links += set.size;
    return { nodes: this.ids.size, groups: this.direct.size, links };
  }
}

const FRAME_BYTES = 1 << 20;
const MAGIC = Buffer.from("RMG2", "latin1");

/** Writes the snapshot's stream in pieces of at most FRAME_BYTES, each deflated on its own as it fills. */
class FrameWriter {
  private readonly piece = Buffer.allocUnsafe(FRAME_BYTES);
  private used = 0;
  private readonly frames: Buffer[] = [MAGIC];

  private flush() {
    if (this.used === 0) return;
    const packed = deflateSync(this.piece.subarray(0, this.used), { level: 1 });
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32LE(packed.length, 0);
    this.frames.push(head, packed);
    this.used = 0;
  }

  private room(bytes: number) {
    if (this.used + bytes > FRAME_BYTES) this.flush();
  }

  u32(v: number) {
    this.room(4);
    this.piece.writeUInt32LE(v, this.used);
    this.used += 4;
  }

  /** Bytes may span pieces (the reader copies across them). */
  bytes(data: Uint8Array) {
    for (let at = 0; at < data.length; ) {
      if (this.used === FRAME_BYTES) this.flush();
      const take = Math.min(data.length - at, FRAME_BYTES - this.used);
      this.piece.set(data.subarray(at, at + take), this.used);
      this.used += take;
      at += take;
    }
  }

  /** A string and its NUL, never split across pieces (ids, addresses and names are far shorter than a piece). */
  str(v: string) {
    const len = Buffer.byteLength(v, "utf8") + 1;
    if (len > FRAME_BYTES) throw new Error("membership graph snapshot: a string longer than a piece");
    this.room(len);
    this.used += this.piece.write(v, this.used, "utf8");
    this.piece[this.used++] = 0;
  }

  finish(): Buffer {
    this.flush();
    return Buffer.concat(this.frames);
  }
}

/** Reads what FrameWriter wrote, inflating one piece at a time. */
class FrameReader {
  private at = MAGIC.length;
  private piece: Buffer = Buffer.alloc(0);
  private pos = 0;

  constructor(private readonly bytes: Buffer) {
    if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error("not a membership graph snapshot");
  }

  private next() {
    if (this.at + 4 > this.bytes.length) throw new Error("membership graph snapshot: truncated");
    const len = this.bytes.readUInt32LE(this.at);
    const packed = this.bytes.subarray(this.at + 4, this.at + 4 + len);
    if (packed.length !== len) throw new Error("membership graph snapshot: truncated");
    this.at += 4 + len;
    this.piece = inflateSync(packed);
    this.pos = 0;
  }

  private ensure(bytes: number) {
    if (this.pos === this.piece.length) this.next();
    if (this.pos + bytes > this.piece.length) throw new Error("membership graph snapshot: corrupt");
  }

  u32(): number {
    this.ensure(4);
    const v = this.piece.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  bytesInto(target: Uint8Array, n: number) {
    for (let done = 0; done < n; ) {
      if (this.pos === this.piece.length) this.next();
      const take = Math.min(n - done, this.piece.length - this.pos);
      target.set(this.piece.subarray(this.pos, this.pos + take), done);
      this.pos += take;
      done += take;
    }
  }

  str(): string {
    this.ensure(1);
    const nul = this.piece.indexOf(0, this.pos);
    if (nul < 0) throw new Error("membership graph snapshot: corrupt");
    const v = this.piece.toString("utf8", this.pos, nul);
    this.pos = nul + 1;
    return v;
  }

  /** Everything was read: no bytes left over. */
  end() {
    if (this.pos !== this.piece.length || this.at !== this.bytes.length) throw new Error("membership graph snapshot: trailing bytes");
  }
}
