/**
 * The membership graph (lib/directory/membership-graph.ts) at directory scale, in a child process of its own so
 * its RSS is the graph's and not the bench runner's: 1,000,000 users (ids shaped like Entra's), 50 groups three
 * levels deep under one root, 10 % of users also in a second group, every group a source. Prints the peak RSS
 * after seeding, seeding time, and one delta batch of 100 changes (adds, removals, disables, a nested-group move).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { MembershipGraph, type GraphChange } from "@/lib/directory/membership-graph";

export interface GraphBenchFigures {
  users: number;
  groups: number;
  links: number;
  seedMs: number;
  rssMb: number;
  heapMb: number;
  batchMs: number;
  batchSources: number;
  snapshotBytes: number;
  snapshotMs: number;
  loadMs: number;
  /** A round in a fresh process: the graph loaded from its snapshot, a batch applied, the snapshot written again. */
  rssAfterSaveMb: number;
  /** The same round's peak RSS (the kernel's high-water mark for the process, getrusage maxrss). */
  roundPeakRssMb: number;
  /** The seeding process's peak RSS. */
  seedPeakRssMb: number;
}

function build(users: number, snapshotFile: string): GraphBenchFigures {
  const groups = ["root", ...Array.from({ length: 7 }, (_, i) => `mid-${i}`), ...Array.from({ length: 42 }, (_, i) => `leaf-${i}`)].map((name) => ({
    name,
    id: randomUUID(),
  }));
  const g = new MembershipGraph({ useUsernameFallback: true, contacts: false }, groups.map((x) => x.id));
  const t0 = performance.now();
  const nesting: GraphChange[] = [];
  for (let i = 1; i <= 7; i++) nesting.push({ kind: "link", groupId: groups[0].id, memberId: groups[i].id, memberType: "group", present: true });
  for (let j = 0; j < 42; j++) nesting.push({ kind: "link", groupId: groups[1 + (j % 7)].id, memberId: groups[8 + j].id, memberType: "group", present: true });
  g.seed(nesting);
  // The bench keeps only the ids its batch of changes names (a million strings of its own would be counted in the
  // graph's RSS).
  const named = new Set<number>();
  for (let k = 0; k < 30; k++) named.add(k * 977 + 1).add(k * 1013 + 2);
  for (let k = 0; k < 38; k++) named.add(k * 1231 + 3);
  const ids = new Map<number, string>();
  const CHUNK = 10_000;
  for (let start = 0; start < users; start += CHUNK) {
    const batch: GraphChange[] = [];
    for (let i = start; i < Math.min(users, start + CHUNK); i++) {
      const id = randomUUID();
      if (named.has(i)) ids.set(i, id);
      batch.push({
        kind: "member",
        state: { objectType: "user", id, displayName: `User ${i}`, mail: i % 20 === 0 ? null : `user${i}@contoso.example`, userPrincipalName: `user${i}@contoso.example`, accountEnabled: i % 33 !== 0 },
      });
      batch.push({ kind: "link", groupId: groups[8 + (i % 42)].id, memberId: id, memberType: "user", present: true });
      if (i % 10 === 0) batch.push({ kind: "link", groupId: groups[8 + ((i * 7 + 3) % 42)].id, memberId: id, memberType: "user", present: true });
    }
    g.seed(batch);
  }
  const seedMs = performance.now() - t0;
  global.gc?.();
  const mem = process.memoryUsage();

  const changes: GraphChange[] = [];
  for (let k = 0; k < 30; k++) changes.push({ kind: "link", groupId: groups[8 + (k % 42)].id, memberId: ids.get(k * 977 + 1)!, memberType: "user", present: false });
  for (let k = 0; k < 30; k++) changes.push({ kind: "link", groupId: groups[8 + ((k + 5) % 42)].id, memberId: ids.get(k * 1013 + 2)!, memberType: "user", present: true });
  for (let k = 0; k < 38; k++) {
    const i = k * 1231 + 3;
    changes.push({ kind: "member", state: { objectType: "user", id: ids.get(i)!, displayName: `User ${i}`, mail: `user${i}@contoso.example`, userPrincipalName: `user${i}@contoso.example`, accountEnabled: false } });
  }
  // A nested group moved from one mid-level group to another.
  changes.push({ kind: "link", groupId: groups[1].id, memberId: groups[8].id, memberType: "group", present: false });
  changes.push({ kind: "link", groupId: groups[2].id, memberId: groups[8].id, memberType: "group", present: true });
  const t1 = performance.now();
  const out = g.apply(changes);
  const batchMs = performance.now() - t1;
  const t2 = performance.now();
  const snapshot = g.toSnapshot();
  const snapshotMs = performance.now() - t2;
  writeFileSync(snapshotFile, snapshot);
  return {
    users,
    groups: groups.length,
    links: g.size.links,
    seedMs: Math.round(seedMs),
    rssMb: Math.round(mem.rss / 2 ** 20),
    heapMb: Math.round(mem.heapUsed / 2 ** 20),
    batchMs: Math.round(batchMs),
    batchSources: out.length,
    snapshotBytes: snapshot.length,
    snapshotMs: Math.round(snapshotMs),
    loadMs: 0,
    rssAfterSaveMb: 0,
    roundPeakRssMb: 0,
    seedPeakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** What a delta round holds: the graph loaded from its snapshot, a batch of 100 changes applied, saved again. */
function round(snapshotFile: string): { loadMs: number; rssAfterSaveMb: number; roundPeakRssMb: number } {
  const t = performance.now();
  const g = MembershipGraph.fromSnapshot(readFileSync(snapshotFile), { useUsernameFallback: true, contacts: false });
  const loadMs = performance.now() - t;
  const [someGroup] = g.trackedGroupIds();
  g.apply(Array.from({ length: 100 }, (_, k): GraphChange => ({ kind: "link", groupId: someGroup, memberId: randomUUID(), memberType: "user", present: k >= 0 })));
  writeFileSync(snapshotFile, g.toSnapshot());
  global.gc?.();
  return { loadMs: Math.round(loadMs), rssAfterSaveMb: Math.round(process.memoryUsage().rss / 2 ** 20), roundPeakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

/** Runs the measurements in fresh Node processes (their RSS is the graph's): one builds, one runs a round. */
export function runMembershipGraphBench(users = 1_000_000): GraphBenchFigures {
  const file = path.join(tmpdir(), `roster-graph-${process.pid}.bin`);
  const child = (...args: string[]) =>
    JSON.parse(
      execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", path.resolve(__dirname, "membership-graph-bench.ts"), ...args], { encoding: "utf8", maxBuffer: 1 << 20 })
        .trim()
        .split("\n")
        .pop()!,
    );
  try {
    const built = child("--child", String(users), file) as GraphBenchFigures;
    return { ...built, ...(child("--round", file) as { loadMs: number; rssAfterSaveMb: number; roundPeakRssMb: number }) };
  } finally {
    rmSync(file, { force: true });
  }
}

if (process.argv.includes("--child")) {
  const at = process.argv.indexOf("--child");
  console.log(JSON.stringify(build(Number(process.argv[at + 1]), process.argv[at + 2])));
}
if (process.argv.includes("--round")) console.log(JSON.stringify(round(process.argv[process.argv.indexOf("--round") + 1])));
