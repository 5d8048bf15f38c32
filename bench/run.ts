/**
 * `npm run bench`: the sync engine's figures (bench/sync-bench.ts), the sandbox's own
 * (bench/sandbox-bench.ts) and the shared tenant gate's cost per page (bench/tenant-gate-bench.ts), printed beside the targets they are read against. Figures only: nothing here
 * fails a build, and tests never time anything.
 */
import { runDeltaBench } from "./delta-bench";
import { runDeltaEngineBench } from "./delta-engine-bench";
import { runMembershipGraphBench } from "./membership-graph-bench";
import { runFirstRunBench } from "./first-run";
import { runSandboxBench } from "./sandbox-bench";
import { runSyncBench } from "./sync-bench";
import { runTenantGateBench } from "./tenant-gate-bench";
import { runTriggersBench } from "./triggers-bench";

const TARGETS: Record<string, string> = {
  "graph-bound: first sync / (pages x latency)": "at most 1.15",
  "graph-bound: re-sync / (pages x latency)": "at most 1.15",
  "editor: Update audience -> Synced / (pages x latency)": "at most 1.15 at 250 ms",
  "db-bound: members per second end to end": "at least 30,000",
  "apply speed / COPY speed (same rows, same tables)": "at least 0.5",
  "million: peak RSS of the syncing process (MB)": "at most 300",
  "membership graph: RSS at 1,000,000 users (MB)": "at most 500",
  "membership graph: RSS of a round, load + 100 changes + save (MB)": "at most 500",
  "membership graph: peak RSS of that round (MB)": "at most 500",
  "nothing changed: requests": "at most 10 (a full pass: about 300)",
  "nothing changed: round (ms)": "at most 5,000",
  "100 changes: requests": "at most 10",
  "100 changes: round (ms)": "at most 5,000",
  "100 changes: sources exact vs a fresh full enumeration": "all",
  "engine, nothing changed: requests": "at most 10",
  "engine, 100 changes: requests": "at most 10",
  "engine, 100 changes: round incl. apply (ms, at 250 ms a request)": "at most 5,000",
  "engine, 100 changes: sources exact vs a fresh full enumeration": "all",
  "leaver: cron calls until gone from every audience (target 1)": "1",
};

type Figure = number | string | Record<string, number | string>;

const show = (v: number | string) => (typeof v === "number" ? v.toLocaleString("en-US") : v);

/** One line per figure; a figure measured at several Graph page times gets one column per page time. */
function print(title: string, figures: Record<string, Figure>) {
  console.log(`\n${title}`);
  const columns = [...new Set(Object.values(figures).flatMap((v) => (typeof v === "object" ? Object.keys(v) : [])))];
  if (columns.length > 0) console.log(`  ${"".padEnd(58)} ${columns.map((c) => `per page ${c}`.padStart(24)).join(" ")}`);
  for (const [k, v] of Object.entries(figures)) {
    const cells = typeof v === "object" ? columns.map((c) => String(v[c] === undefined ? "-" : show(v[c])).padStart(24)).join(" ") : String(show(v)).padStart(12);
    console.log(`  ${k.padEnd(58)} ${cells}${TARGETS[k] ? `   (target: ${TARGETS[k]})` : ""}`);
  }
}

async function main() {
  const only = process.argv.slice(2);
  if (only.length === 0 || only.includes("sync")) print("Sync engine (100,000 users, 50 groups, depth 3; local PostgreSQL; Graph-bound parts at each page time)", await runSyncBench());
  if (only.length === 0 || only.includes("sandbox")) print("Sandbox tenant", await runSandboxBench());
  if (only.length === 0 || only.includes("delta")) {
    print("Delta rounds (100,000 users, 50 groups, depth 3, every group a source; 250 ms per request)", await runDeltaBench());
    print("Delta rounds through the engine (the same directory, one series with every group, PostgreSQL; 250 ms per request)", await runDeltaEngineBench());
  }
  if (only.length === 0 || only.includes("graph")) {
    const g = runMembershipGraphBench();
    print("Membership graph (1,000,000 users, 50 groups three deep, every group a source; own process)", {
      "membership graph: RSS at 1,000,000 users (MB)": g.rssMb,
      "membership graph: heap used (MB)": g.heapMb,
      "membership graph: direct member links": g.links,
      "membership graph: seeding (ms)": g.seedMs,
      "membership graph: one batch of 100 changes (ms)": g.batchMs,
      "membership graph: sources changed by the batch": g.batchSources,
      "membership graph: snapshot (bytes, deflated)": g.snapshotBytes,
      "membership graph: snapshot write / load (ms)": `${g.snapshotMs} / ${g.loadMs}`,
      "membership graph: RSS of a round, load + 100 changes + save (MB)": g.rssAfterSaveMb,
      "membership graph: peak RSS of that round (MB)": g.roundPeakRssMb,
      "membership graph: peak RSS of seeding 1,000,000 users (MB)": g.seedPeakRssMb,
    });
  }
  // Not in the default run: it starts `npm run dev` on a fresh clone and takes minutes. `first-run [<ref>]`.
  if (only[0] === "first-run") print("First run of the quick start (fresh clone, `npm run dev` to a signed-in series page)", await runFirstRunBench(only[1]));
  if (only.length === 0 || only.includes("triggers")) print("Recipients triggers (exclusion guard, change log; one apply of 100,000 addresses; local PostgreSQL)", await runTriggersBench());
  if (only.length === 0 || only.includes("gate")) print("Shared tenant gate (one group read page by page at 250 ms a page; ADR 0007)", await runTenantGateBench());
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
