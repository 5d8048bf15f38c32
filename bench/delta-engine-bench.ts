/**
 * Delta rounds through the engine (lib/sync/delta-round.ts): the generated 100,000-user / 50-group directory
 * (depth 3) in the sandbox, every group ticked in one series, a real PostgreSQL database (BENCH_DATABASE_URL,
 * default postgres://postgres@127.0.0.1:5432). The first round is the full pass that seeds incremental sync and
 * fills the audience (at 0 ms a request, timed); then, at 250 ms a request:
 *  - leaver latency: a user in several groups is disabled in the sandbox; cron calls (lib/sync/cron.ts runCron)
 *    until they are gone from every source (target 1);
 *  - 100 changes (adds, removals, disables, nested-group moves) applied by one round: requests, seconds, and
 *    every source's holdings compared with a fresh full enumeration of the changed directory.
 * The connection's mass-removal threshold is set to its maximum, as an admin may: the nested-group moves take
 * thousands of addresses from some groups at once, and the bench measures the apply, not the hold.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { callSandbox } from "../sandbox/control/client";
import { startSandbox } from "../sandbox/server";
import { hundredChanges } from "./delta-changes";
import { arrangeBench } from "./sync-bench";

const SERVER = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432";
const LATENCY_MS = 250;
const RULES = { useUsernameFallback: false, contacts: false };

interface Manifest {
  tenantId: string;
  apps: { name: string; clientId: string; secrets: { secretId: string; value: string; expiresAt: string; expired: boolean }[] }[];
  groups: { id: string; displayName: string; nestedGroupIds: string[]; transitive: { users: number } }[];
}

export async function runDeltaEngineBench(): Promise<Record<string, number | string>> {
  const name = `roster_bench_delta_${process.pid}_${randomBytes(3).toString("hex")}`;
  const dbUrl = (db: string) => Object.assign(new URL(SERVER), { pathname: `/${db}` }).toString();
  const admin = postgres(dbUrl("postgres"), { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const sb = await startSandbox({ port: 0, demo: false });
  process.env.GRAPH_BASE_URL = sb.url;
  process.env.ENTRA_AUTHORITY_HOST = sb.url;
  process.env.ENCRYPTION_KEY ??= Buffer.alloc(32, 9).toString("base64");
  const control = <T>(path: string, method = "GET", body?: unknown) => callSandbox<T>(sb.url, method, path, body);
  const report: Record<string, number | string> = {};
  const { openDb } = await import("../db/client");
  const h = await openDb(dbUrl(name));
  try {
    const { migrate } = await import("../db/migrate");
    await migrate(h);
    const s = await import("../db/schema");
    const { eq, sql } = await import("drizzle-orm");
    const { queryRows } = await import("../db/client");
    const { runConnectionRound } = await import("../lib/sync/delta-round");
    const { runCron } = await import("../lib/sync/cron");
    const { openGraph } = await import("../lib/directory/entra/client");
    const { seedFromDirectory } = await import("../lib/directory/entra/delta");
    const { MembershipGraph } = await import("../lib/directory/membership-graph");

    const m = await control<Manifest>("/tenants", "POST", { generate: { users: 100_000, groups: 50, depth: 3, overlap: 30, seed: 1 } });
    const latency = (ms: number) => control(`/tenants/${m.tenantId}/faults`, "POST", ms ? { latencyMs: ms } : {});
    const arranged = await arrangeBench(h.db, m);
    const { connectionId } = arranged;
    await h.db.update(s.directoryConnections).set({ reviewSharePercent: 100, reviewMinRemovals: 1_000_000 }).where(eq(s.directoryConnections.id, connectionId));
    const sources = m.groups.map((g) => g.id);
    await arranged.selectAll(sources);
    // The groups' first syncs are the engine's first round here (a full pass), not 50 queued listings.
    await h.db.execute(sql`DELETE FROM sync_jobs WHERE connection_id = ${connectionId}::uuid`);
    const [series] = await queryRows<{ series_id: string }>(h.db, sql`SELECT DISTINCT series_id FROM audience_sources WHERE connection_id = ${connectionId}::uuid`);

    let t = performance.now();
    const seed = await runConnectionRound(h.db, connectionId, { trigger: "bench" });
    report["engine seed: full pass, requests (at 0 ms)"] = seed.requests;
    report["engine seed: full pass incl. apply (ms, at 0 ms)"] = Math.round(performance.now() - t);
    report["engine seed: addresses held (all sources)"] = seed.added;

    await latency(LATENCY_MS);
    const graph = openGraph({ tenantId: m.tenantId, clientId: arranged.clientId, clientSecret: arranged.secret, cloud: "global" });
    t = performance.now();
    const quiet = await runConnectionRound(h.db, connectionId, { trigger: "bench" });
    report["engine, nothing changed: requests"] = quiet.requests;
    report["engine, nothing changed: round incl. apply (ms)"] = Math.round(performance.now() - t);
    report["engine, nothing changed: read / apply (ms)"] = `${quiet.timings.readMs} / ${quiet.timings.applyMs}`;

    // Leaver: a member of a leaf group (so of every source it is nested in), disabled.
    await latency(0);
    const firstPage = async (groupId: string) =>
      (await graph.get<{ value: { id: string; "@odata.type": string }[] }>(`/groups/${groupId}/members?$top=999&$select=id`)).value.filter((x) => x["@odata.type"] === "#microsoft.graph.user").map((x) => x.id);
    const leaves = m.groups.filter((g) => g.nestedGroupIds.length === 0);
    const leaverId = (await firstPage(leaves[0].id))[0];
    const [leaver] = await queryRows<{ k: string; n: number }>(
      h.db,
      sql`SELECT email_normalized AS k, count(*)::int AS n FROM recipient_sources WHERE object_id = ${leaverId} GROUP BY 1`,
    );
    report["leaver: sources holding them before"] = leaver?.n ?? 0;
    await control(`/tenants/${m.tenantId}/mutations`, "POST", { ops: [{ op: "disableUser", userId: leaverId }] });
    await latency(LATENCY_MS);
    let calls = 0;
    t = performance.now();
    for (; calls < 5; ) {
      calls++;
      await runCron(h.db, { budgetMs: 60_000, checkConnection: async () => true });
      const [left] = await queryRows<{ n: number }>(h.db, sql`SELECT count(*)::int AS n FROM recipients WHERE series_id = ${series.series_id}::uuid AND email_normalized = ${leaver.k}`);
      if (Number(left.n) === 0) break;
    }
    report["leaver: cron calls until gone from every audience (target 1)"] = calls;
    report["leaver: that cron call (ms, at 250 ms a request)"] = Math.round(performance.now() - t);

    // 100 changes, chosen from the directory as Graph lists it (as bench/delta-bench.ts does).
    await latency(0);
    const ops = await hundredChanges(m.groups, firstPage, 1);
    await control(`/tenants/${m.tenantId}/mutations`, "POST", { ops });
    report["100 changes: changes made"] = ops.length;

    await latency(LATENCY_MS);
    t = performance.now();
    const round = await runConnectionRound(h.db, connectionId, { trigger: "bench" });
    report["engine, 100 changes: requests"] = round.requests;
    report["engine, 100 changes: round incl. apply (ms, at 250 ms a request)"] = Math.round(performance.now() - t);
    report["engine, 100 changes: read (state load, 2 requests, graph) / apply transaction (ms)"] = `${round.timings.readMs} / ${round.timings.applyMs}`;
    report["engine, 100 changes: sources changed"] = round.changedSources;
    report["engine, 100 changes: holdings added / removed"] = `${round.added} / ${round.removed}`;
    report["engine, 100 changes: outcome"] = `${round.outcome}, ${round.needsReview} held for review`;

    // Exact: every source's holdings against a fresh full enumeration of the directory as it now is.
    await latency(0);
    const fresh = new MembershipGraph(RULES, sources);
    await seedFromDirectory(openGraph({ tenantId: m.tenantId, clientId: arranged.clientId, clientSecret: arranged.secret, cloud: "global" }), fresh, sources, { contacts: false });
    let exact = 0;
    for (const g of sources) {
      const rows = await queryRows<{ k: string }>(
        h.db,
        sql`SELECT rs.email_normalized AS k FROM recipient_sources rs JOIN audience_sources a ON a.id = rs.source_id
            WHERE a.connection_id = ${connectionId}::uuid AND a.directory_group_id = ${arranged.catalog.get(g)!}::uuid ORDER BY 1`,
      );
      const held = rows.map((r) => r.k).join("\n");
      const want = [...fresh.recipients(g).keys()].sort().join("\n");
      if (held === want) exact++;
    }
    report["engine, 100 changes: sources exact vs a fresh full enumeration"] = `${exact} / ${sources.length}`;
  } finally {
    await h.close();
    await sb.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
  return report;
}
