/**
 * Per-page cost of the shared tenant gate (docs/adr/0007-shared-tenant-throttling.md): one group's
 * transitive members read page by page ($top=999) from a generated sandbox directory at 250 ms per page,
 * through this process's in-memory gate and through the PostgreSQL gate with and without warm slots, alternately,
 * back to back.
 * Prints figures; judges nothing.
 *
 *   npm run bench -- gate   (or as part of the whole `npm run bench`)
 *   BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432), BENCH_USERS (50000), BENCH_ROUNDS (2)
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDb } from "../db/client";
import { migrationsFolder } from "../db/migrate";
import { openGraph } from "../lib/directory/entra/client";
import { processTenantGate, type TenantGate } from "../lib/directory/entra/in-flight";
import { databaseTenantGate } from "../lib/sync/tenant-gate";
import { startSandbox } from "../sandbox/server";

const SERVER = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432";
const USERS = Number(process.env.BENCH_USERS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const LATENCY_MS = 250;

export async function runTenantGateBench(): Promise<Record<string, number | string>> {
  const name = `roster_gate_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(`${SERVER}/postgres`, { onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const sandbox = await startSandbox({ port: 0, demo: false, generate: { users: USERS, groups: 10, depth: 2, seed: 1 } });
  process.env.ENTRA_AUTHORITY_HOST = sandbox.url;
  process.env.GRAPH_BASE_URL = sandbox.url;
  const handle = await openDb(`${SERVER}/${name}`);
  try {
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await migrate(handle.db as any, { migrationsFolder });
    const tenantId = sandbox.generatedTenantId!;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const manifest: any = await (await fetch(`${sandbox.url}/_sandbox/tenants/${tenantId}`)).json();
    const app = manifest.apps.find((a: { name: string }) => a.name === "Roster Directory Sync") ?? manifest.apps[0];
    const secret = app.secrets.find((s: { expired: boolean }) => !s.expired).value as string;
    const root = [...manifest.groups].sort((a, b) => b.transitive.users - a.transitive.users)[0];
    await fetch(`${sandbox.url}/_sandbox/tenants/${tenantId}/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ latencyMs: LATENCY_MS }),
    });
    // The gate as shipped (warm slots: a chain takes back the slot it gave back) and the same without them.
    const pgGate = databaseTenantGate(handle.db);
    const coldGate = databaseTenantGate(handle.db, { lingerMs: 0 });
    const run = async (gate: TenantGate) => {
      const graph = openGraph({ tenantId, clientId: app.clientId, clientSecret: secret, cloud: "global" }, { gate, credentialKey: "bench" });
      await graph.get("/groups?$top=1&$select=id"); // token first
      const started = performance.now();
      const before = graph.stats.requests;
      let members = 0;
      // One group's uncast transitive listing, page after page by nextLink, as the sync reads it.
      let next: string | null = `/groups/${root.id}/transitiveMembers?$top=999&$select=id,displayName,mail,userPrincipalName,accountEnabled`;
      while (next) {
        // As the sync reads a listing (getListPage): the slot of a page with a next page may be kept for it.
        const read: { page: Promise<{ value: unknown[] }>; nextLink: Promise<string | null> } = await graph.getListPage<{ value: unknown[] }>(next);
        members += (await read.page).value.length;
        next = await read.nextLink;
      }
      const ms = performance.now() - started;
      return { ms, pages: graph.stats.requests - before, members };
    };
    const results: Record<string, { ms: number; pages: number; members: number }[]> = { memory: [], postgres: [], cold: [] };
    await run(processTenantGate); // warm-up: the sandbox builds its listing once
    for (let r = 0; r < ROUNDS; r++) {
      results.memory.push(await run(processTenantGate));
      results.postgres.push(await run(pgGate));
      results.cold.push(await run(coldGate));
    }
    await Promise.all([pgGate.settle(), coldGate.settle()]);
    // The gate's own round trips, without Graph: acquire + release of one slot, 200 times (without warm slots).
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) {
      const slot = await coldGate.acquire("bench-tenant", 8);
      slot.release();
    }
    await coldGate.settle();
    const acquireMs = (performance.now() - t0) / 200;
    const per = (rs: { ms: number; pages: number }[]) => rs.map((r) => r.ms / r.pages);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const mem = per(results.memory);
    const pg = per(results.postgres);
    const cold = per(results.cold);
    const fixed = (x: number) => Number(x.toFixed(1));
    return {
      "gate: group members read": root.transitive.users as number,
      "gate: pages per read": results.memory[0].pages,
      "gate: ms per page, in-memory gate (avg)": fixed(avg(mem)),
      "gate: ms per page, PostgreSQL gate (avg)": fixed(avg(pg)),
      "gate: ms per page, PostgreSQL gate without warm slots (avg)": fixed(avg(cold)),
      "gate: overhead per page, with / without warm slots (ms)": `${fixed(avg(pg) - avg(mem))} / ${fixed(avg(cold) - avg(mem))}`,
      "gate: acquire + release alone, without warm slots (ms)": Number(acquireMs.toFixed(2)),
      "gate: runs, alternated (memory vs PostgreSQL vs without warm)": `${mem.map((x) => x.toFixed(1)).join("/")} vs ${pg.map((x) => x.toFixed(1)).join("/")} vs ${cold.map((x) => x.toFixed(1)).join("/")}`,
    };
  } finally {
    await handle.close();
    await sandbox.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
