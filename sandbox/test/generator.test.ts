/**
 * The generator is deterministic (same options and seed → the same directory, ids included) and honours
 * its options: sizes, nesting depth, disabled and no-mail shares, contacts, overlap.
 */
import { describe, expect, it, afterAll, beforeAll } from "vitest";
import { generateDirectory } from "../scenarios/generate";
import type { Sandbox } from "../server";
import { all, EVENTUAL, graphFor, newTenant, start, type Manifest } from "./helpers";

const OPTS = { users: 10_000, groups: 30, depth: 3, overlap: 15, disabledPct: 4, noMailPct: 6, guestPct: 2, contacts: 200, seed: 42, cycles: 1 };

let sb: Sandbox;
beforeAll(async () => {
  sb = await start();
});
afterAll(() => sb.close());

const strip = (m: Manifest) => ({ counts: m.counts, groups: m.groups, users: m.users });

describe("generator", () => {
  it("makes the same directory from the same seed, and another from another seed", async () => {
    const [a, b, c] = await Promise.all([
      newTenant(sb, { generate: OPTS }),
      newTenant(sb, { generate: OPTS }),
      newTenant(sb, { generate: { ...OPTS, seed: 43 } }),
    ]);
    expect(a.tenantId).not.toBe(b.tenantId);
    expect(strip(a)).toEqual(strip(b));
    expect(a.groups.map((g) => g.id)).not.toEqual(c.groups.map((g) => g.id));
    // Served data too: the same users, page for page, through Graph.
    const root = a.groups[0].id;
    const path = `/groups/${root}/transitiveMembers/microsoft.graph.user?$count=true&$top=999&$select=id,mail,userPrincipalName,accountEnabled,displayName`;
    const [pa, pb] = await Promise.all([all(graphFor(sb, a), path, EVENTUAL), all(graphFor(sb, b), path, EVENTUAL)]);
    expect(pa.items).toEqual(pb.items);
    expect(pa.items).toHaveLength(OPTS.users);
  });

  it("honours sizes, depth and shares", () => {
    const dir = generateDirectory(OPTS);
    expect(dir.users.count).toBe(10_000);
    expect(dir.groups).toHaveLength(30);
    expect(dir.contacts).toHaveLength(200);
    let disabled = 0;
    let noMail = 0;
    for (let i = 0; i < dir.users.count; i++) {
      const u = dir.users.get(i);
      if (!u.accountEnabled) disabled++;
      if (!u.mail) noMail++;
    }
    expect(disabled / 10_000).toBeGreaterThan(0.03);
    expect(disabled / 10_000).toBeLessThan(0.05);
    expect(noMail / 10_000).toBeGreaterThan(0.05);
    expect(noMail / 10_000).toBeLessThan(0.07);
    // Root reaches everyone; the overlap adds direct memberships beyond one per user.
    expect(dir.transitive(0).users).toHaveLength(10_000);
    const directUsers = dir.groups.reduce((n, _, g) => n + dir.direct(g).users.length, 0);
    expect(directUsers / 10_000).toBeGreaterThan(1.12);
    expect(directUsers / 10_000).toBeLessThan(1.18);
    // Nesting is `depth` levels under the root (longest acyclic chain of nested groups).
    const depthOf = (g: number, seen: Set<number>): number => {
      let best = 0;
      for (const r of Array.from(dir.direct(g).groups)) {
        const child = r >>> 2;
        if (!seen.has(child)) best = Math.max(best, 1 + depthOf(child, new Set([...seen, child])));
      }
      return best;
    };
    expect(depthOf(0, new Set([0]))).toBe(3);
    // Ids decode back to their users.
    const u = dir.users.get(9876);
    expect(dir.users.indexOf(u.id)).toBe(9876);
    expect(dir.users.indexOf(u.userPrincipalName)).toBe(9876);
  });
});
