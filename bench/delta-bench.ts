/**
 * Delta rounds at directory scale: the generated 100,000-user / 50-group directory (depth 3) in the sandbox, every
 * group a source (one series with all of them), 250 ms per Graph request. Seeds the membership graph and its
 * delta links by a full enumeration (at 0 ms, to keep the bench short; its request count is printed), then
 * measures a round when nothing changed and a round after 100 changes (adds, removals, disables, nested-group
 * moves), and checks every source's recipients against a fresh full enumeration of the changed directory.
 */
import { openGraph } from "@/lib/directory/entra/client";
import { readDeltaRound, seedFromDirectory } from "@/lib/directory/entra/delta";
import type { GraphSession } from "@/lib/directory/entra/types";
import { MembershipGraph } from "@/lib/directory/membership-graph";
import { callSandbox } from "@/sandbox/control/client";
import { startSandbox } from "@/sandbox/server";
import { hundredChanges } from "./delta-changes";

interface Manifest {
  tenantId: string;
  apps: { name: string; clientId: string; secrets: { value: string; expired: boolean }[] }[];
  groups: { id: string; displayName: string; nestedGroupIds: string[] }[];
}

const RULES = { useUsernameFallback: true, contacts: false };
const LATENCY_MS = 250;

export async function runDeltaBench(): Promise<Record<string, number | string>> {
  const sb = await startSandbox({ port: 0, demo: false });
  process.env.GRAPH_BASE_URL = sb.url;
  process.env.ENTRA_AUTHORITY_HOST = sb.url;
  const control = <T>(path: string, method = "GET", body?: unknown) => callSandbox<T>(sb.url, method, path, body);
  const report: Record<string, number | string> = {};
  try {
    const m = await control<Manifest>("/tenants", "POST", { generate: { users: 100_000, groups: 50, depth: 3, overlap: 30, seed: 1 } });
    const app = m.apps.find((a) => a.name === "Roster Directory Sync")!;
    const open = (): GraphSession => openGraph({ tenantId: m.tenantId, clientId: app.clientId, clientSecret: app.secrets.find((s) => !s.expired)!.value, cloud: "global" });
    const latency = (ms: number) => control(`/tenants/${m.tenantId}/faults`, "POST", ms ? { latencyMs: ms } : {});
    const sources = m.groups.map((g) => g.id);

    const graph = open();
    const known = new MembershipGraph(RULES, sources);
    let t = performance.now();
    let cursor = await seedFromDirectory(graph, known, sources, { contacts: false });
    report["seed: full enumeration, requests (at 0 ms)"] = graph.stats.requests;
    report["seed: full enumeration (ms, at 0 ms)"] = Math.round(performance.now() - t);
    report["seed: direct member links"] = known.size.links;

    await latency(LATENCY_MS);
    let before = graph.stats.requests;
    t = performance.now();
    const quiet = await readDeltaRound(graph, known, cursor, { contacts: false });
    known.apply(quiet.changes);
    report["nothing changed: requests"] = graph.stats.requests - before;
    report["nothing changed: round (ms)"] = Math.round(performance.now() - t);
    cursor = quiet.cursor;

    // 100 changes, chosen from the directory as Graph lists it.
    await latency(0);
    const firstPage = async (groupId: string) =>
      (await graph.get<{ value: { id: string; "@odata.type": string }[] }>(`/groups/${groupId}/members?$top=999&$select=id`)).value.filter((x) => x["@odata.type"] === "#microsoft.graph.user").map((x) => x.id);
    const ops = await hundredChanges(m.groups, firstPage);
    await control(`/tenants/${m.tenantId}/mutations`, "POST", { ops });
    report["changes made"] = ops.length;

    await latency(LATENCY_MS);
    before = graph.stats.requests;
    t = performance.now();
    const round = await readDeltaRound(graph, known, cursor, { contacts: false });
    const changed = known.apply(round.changes);
    report["100 changes: requests"] = graph.stats.requests - before;
    report["100 changes: round (ms)"] = Math.round(performance.now() - t);
    report["100 changes: sources changed"] = changed.length;
    report["100 changes: addresses added / removed"] = `${changed.reduce((n, c) => n + c.added.length, 0)} / ${changed.reduce((n, c) => n + c.removed.length, 0)}`;

    // Exact: every source against a fresh full enumeration of the directory as it now is.
    await latency(0);
    const fresh = new MembershipGraph(RULES, sources);
    await seedFromDirectory(open(), fresh, sources, { contacts: false });
    let exact = 0;
    for (const s of sources) {
      const a = [...known.recipients(s).keys()].sort().join("\n");
      const b = [...fresh.recipients(s).keys()].sort().join("\n");
      if (a === b) exact++;
    }
    report["100 changes: sources exact vs a fresh full enumeration"] = `${exact} / ${sources.length}`;
  } finally {
    await sb.close();
  }
  return report;
}
