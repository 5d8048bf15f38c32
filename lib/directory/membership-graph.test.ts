import { describe, expect, it } from "vitest";
import { MembershipGraph, type GraphChange, type MemberState, type SourceChanges } from "./membership-graph";

const rules = { useUsernameFallback: false, contacts: true };
const user = (id: string, mail: string | null = `${id}@example.com`, accountEnabled = true): MemberState => ({
  objectType: "user",
  id,
  displayName: id.toUpperCase(),
  mail,
  userPrincipalName: `${id}@example.com`,
  accountEnabled,
});
const link = (groupId: string, memberId: string, present = true, memberType: "user" | "group" | "contact" = "user"): GraphChange => ({
  kind: "link",
  groupId,
  memberId,
  memberType,
  present,
});
const nest = (groupId: string, child: string, present = true) => link(groupId, child, present, "group");
const state = (s: MemberState): GraphChange => ({ kind: "member", state: s });

/** A graph: S holds groups A and B; A holds u1, u2; B holds u3. */
function small(sources = ["s"]) {
  const g = new MembershipGraph(rules, sources);
  g.seed([nest("s", "a"), nest("s", "b"), link("a", "u1"), link("a", "u2"), link("b", "u3"), ...["u1", "u2", "u3", "u4"].map((u) => state(user(u)))]);
  return g;
}
const bySource = (r: SourceChanges[]) => Object.fromEntries(r.map((c) => [c.sourceGroupId, { added: c.added.map((a) => a.emailNormalized).sort(), removed: [...c.removed].sort() }]));
const keys = (g: MembershipGraph, s: string) => [...g.recipients(s).keys()].sort();

describe("MembershipGraph", () => {
  it("keeps a member moved between nested groups exactly once", () => {
    const g = small(["s", "a", "b"]);
    expect(keys(g, "s")).toEqual(["u1@example.com", "u2@example.com", "u3@example.com"]);
    const r = g.apply([link("a", "u1", false), link("b", "u1")]);
    expect(bySource(r)).toEqual({ a: { added: [], removed: ["u1@example.com"] }, b: { added: ["u1@example.com"], removed: [] } });
    expect(keys(g, "s")).toEqual(["u1@example.com", "u2@example.com", "u3@example.com"]);
  });

  it("removes exactly a deleted nested group's members, unless another path holds them", () => {
    const g = small();
    g.apply([link("b", "u2")]); // u2 is now in A and in B
    const r = g.apply([{ kind: "groupDeleted", groupId: "a" }]);
    expect(bySource(r)).toEqual({ s: { added: [], removed: ["u1@example.com"] } });
    expect(keys(g, "s")).toEqual(["u2@example.com", "u3@example.com"]);
  });

  it("changes nothing when changes are replayed", () => {
    const g = small();
    const batch = [link("b", "u4"), link("a", "u1", false), state(user("u3", "new3@example.com"))];
    const first = bySource(g.apply(batch));
    expect(first).toEqual({ s: { added: ["new3@example.com", "u4@example.com"], removed: ["u1@example.com", "u3@example.com"] } });
    expect(g.apply(batch)).toEqual([]);
    expect(g.apply([...batch, ...batch])).toEqual([]);
  });

  it("follows nesting cycles both ways, and a cut of the cycle", () => {
    const g = new MembershipGraph(rules, ["p", "q"]);
    g.seed([nest("p", "q"), nest("q", "p"), link("p", "u1"), link("q", "u2"), state(user("u1")), state(user("u2")), state(user("u3"))]);
    expect(keys(g, "p")).toEqual(["u1@example.com", "u2@example.com"]);
    expect(bySource(g.apply([link("q", "u3")]))).toEqual({ p: { added: ["u3@example.com"], removed: [] }, q: { added: ["u3@example.com"], removed: [] } });
    expect(bySource(g.apply([nest("p", "q", false)]))).toEqual({ p: { added: [], removed: ["u2@example.com", "u3@example.com"] } });
    expect(keys(g, "q")).toEqual(["u1@example.com", "u2@example.com", "u3@example.com"]);
  });

  it("removes a disabled or deleted user, keeps an address two members share while one holds it", () => {
    const g = small();
    g.apply([link("b", "c1", true, "contact"), state({ objectType: "contact", id: "c1", displayName: "C", mail: "u3@example.com", userPrincipalName: null, accountEnabled: null })]);
    expect(bySource(g.apply([state(user("u3", "u3@example.com", false))]))).toEqual({});
    expect(bySource(g.apply([{ kind: "memberDeleted", id: "c1" }]))).toEqual({ s: { added: [], removed: ["u3@example.com"] } });
    expect(bySource(g.apply([state(user("u1", "u1@example.com", false))]))).toEqual({ s: { added: [], removed: ["u1@example.com"] } });
    expect(g.counts("s")).toEqual({ addresses: 1, disabled: 2, noAddress: 0, duplicate: 0 });
  });

  it("names the groups to track, those never loaded, and members whose state is unknown", () => {
    const g = small();
    g.apply([nest("b", "n"), link("a", "stranger")]);
    expect(g.trackedGroupIds()).toEqual(["a", "b", "n", "s"]);
    expect(g.unloadedGroupIds()).toEqual(["n"]);
    expect(g.unknownMemberIds()).toEqual(["stranger"]);
    expect(keys(g, "s")).not.toContain("stranger@example.com");
    expect(bySource(g.apply([state(user("stranger"))]))).toEqual({ s: { added: ["stranger@example.com"], removed: [] } });
  });

  it("matches a fresh computation after many random batches (nesting, cycles, moves, states, deletions)", () => {
    // mulberry32: every bit well mixed (a plain LCG's low bits repeat with a short period).
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const groups = Array.from({ length: 8 }, (_, i) => `g${i}`);
    const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
    const sources = ["g0", "g1", "g2"];
    // The truth, kept naively: edges and states.
    const edges = new Set<string>();
    const states = new Map<string, MemberState>();
    const initial: GraphChange[] = [];
    for (const u of users) {
      const s = user(u, rnd(5) === 0 ? null : `${u}@example.com`, rnd(6) !== 0);
      states.set(u, s);
      initial.push(state(s));
      const g = groups[rnd(groups.length)];
      edges.add(`${g}|${u}|user`);
      initial.push(link(g, u));
    }
    for (let i = 0; i < 10; i++) {
      const [a, b] = [groups[rnd(8)], groups[rnd(8)]];
      if (a !== b && !edges.has(`${a}|${b}|group`)) {
        edges.add(`${a}|${b}|group`);
        initial.push(nest(a, b));
      }
    }
    const g = new MembershipGraph(rules, sources);
    g.seed(initial);
    const truth = (src: string) => {
      const reach = new Set([src]);
      let grew = true;
      while (grew) {
        grew = false;
        for (const e of edges) {
          const [p, c, t] = e.split("|");
          if (t === "group" && reach.has(p) && !reach.has(c)) {
            reach.add(c);
            grew = true;
          }
        }
      }
      const out = new Set<string>();
      for (const e of edges) {
        const [p, c, t] = e.split("|");
        const s = states.get(c);
        if (t === "user" && reach.has(p) && s && s.accountEnabled && s.mail) out.add(s.mail.toLowerCase());
      }
      return [...out].sort();
    };
    const audience = new Map(sources.map((s) => [s, new Set(keys(g, s))]));
    for (const s of sources) expect([...audience.get(s)!].sort()).toEqual(truth(s));
    for (let round = 0; round < 300; round++) {
      const batch: GraphChange[] = [];
      for (let k = 0; k < 1 + rnd(5); k++) {
        const what = rnd(6);
        if (what <= 1) {
          const [p, u] = [groups[rnd(8)], users[rnd(40)]];
          const e = `${p}|${u}|user`;
          const present = !edges.has(e);
          if (present) edges.add(e);
          else edges.delete(e);
          batch.push(link(p, u, present));
        } else if (what === 2) {
          const [p, c] = [groups[rnd(8)], groups[rnd(8)]];
          if (p === c) continue;
          const e = `${p}|${c}|group`;
          const present = !edges.has(e);
          if (present) edges.add(e);
          else edges.delete(e);
          batch.push(nest(p, c, present));
        } else if (what === 3) {
          const u = users[rnd(40)];
          const s = user(u, rnd(4) === 0 ? null : `${u}${rnd(2) ? "" : ".alt"}@example.com`, rnd(4) !== 0);
          states.set(u, s);
          batch.push(state(s));
        } else if (what === 4) {
          // A replay of an earlier change that still holds.
          const e = [...edges][rnd(edges.size)];
          if (!e) continue;
          const [p, c, t] = e.split("|");
          batch.push(link(p, c, true, t as "user" | "group"));
        } else {
          // A move: out of one group, into another, in one batch.
          const u = users[rnd(40)];
          const from = [...edges].find((e) => e.endsWith(`|${u}|user`));
          const to = groups[rnd(8)];
          if (!from || edges.has(`${to}|${u}|user`)) continue;
          edges.delete(from);
          edges.add(`${to}|${u}|user`);
          batch.push(link(from.split("|")[0], u, false), link(to, u));
        }
      }
      for (const c of g.apply(batch)) {
        const a = audience.get(c.sourceGroupId)!;
        for (const k of c.removed) {
          expect(a.has(k), `round ${round}: removes ${k} it holds`).toBe(true);
          a.delete(k);
        }
        for (const x of c.added) {
          expect(a.has(x.emailNormalized), `round ${round}: adds ${x.emailNormalized} once`).toBe(false);
          a.add(x.emailNormalized);
        }
      }
      for (const s of sources) expect([...audience.get(s)!].sort(), `round ${round}, source ${s}`).toEqual(truth(s));
      // Saved and loaded again (as between cron calls), it answers the same and goes on the same way.
      if (round % 50 === 49) {
        const loaded = MembershipGraph.fromSnapshot(g.toSnapshot(), rules);
        for (const s of sources) expect([...loaded.recipients(s).values()]).toEqual([...g.recipients(s).values()]);
        expect(loaded.size).toEqual(g.size);
        expect(loaded.counts("g0")).toEqual(g.counts("g0"));
        const probe = [link("g3", users[round % 40]), state(user(users[(round + 1) % 40], null))];
        expect(loaded.apply(probe)).toEqual(MembershipGraph.fromSnapshot(g.toSnapshot(), rules).apply(probe));
      }
    }
  });

  it("keeps names, addresses written in capitals and members without state through a snapshot", () => {
    const g = small();
    g.apply([state({ ...user("u1"), mail: "Maria.Anders@Example.com", displayName: null }), link("a", "ghost")]);
    const loaded = MembershipGraph.fromSnapshot(g.toSnapshot(), rules);
    expect([...loaded.recipients("s").values()]).toEqual([...g.recipients("s").values()]);
    expect(loaded.recipients("s").get("maria.anders@example.com")).toEqual({ emailNormalized: "maria.anders@example.com", email: "Maria.Anders@Example.com", name: null, objectId: "u1" });
    expect(loaded.unknownMemberIds()).toEqual(["ghost"]);
    expect(loaded.sourceGroupIds()).toEqual(["s"]);
    expect(() => MembershipGraph.fromSnapshot(Buffer.from("nope"), rules)).toThrow();
  });

  it("a snapshot larger than one piece (1 MiB) reads back whole; a damaged one is refused", () => {
    const g = new MembershipGraph(rules, ["s"]);
    const many = Array.from({ length: 40_000 }, (_, i) => `member-${i}-${"x".repeat(20)}`);
    g.seed([
      ...many.map((id) => state({ ...user(id), displayName: `Name ${id} ü` })),
      ...many.map((id, i) => link(i % 2 ? "s" : "a", id)),
      nest("s", "a"),
    ]);
    const bytes = g.toSnapshot();
    const loaded = MembershipGraph.fromSnapshot(bytes, rules);
    expect(loaded.size).toEqual(g.size);
    expect([...loaded.recipients("s").entries()]).toEqual([...g.recipients("s").entries()]);
    expect(loaded.recipients("s").size).toBe(40_000);
    expect(() => MembershipGraph.fromSnapshot(bytes.subarray(0, bytes.length - 10), rules)).toThrow(/truncated|corrupt/);
    expect(() => MembershipGraph.fromSnapshot(Buffer.concat([bytes, Buffer.from([1, 0, 0, 0, 0])]), rules)).toThrow();
  });
});
