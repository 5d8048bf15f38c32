import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { openGraph } from "@/lib/directory/entra/client";
import { databaseTenantGate, processTenantGateFor } from "@/lib/sync/tenant-gate";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { mainApp, startSandboxForFile, type TenantManifest } from "./graph-sandbox";

const sandbox = startSandboxForFile();

interface LogEntry {
  seq: number;
  at: number;
  durationMs: number;
  kind: string;
  status: number;
  retryAfter?: number;
  url: string;
}

async function graphLog(tenantId: string): Promise<LogEntry[]> {
  const { requests } = await sandbox.control("GET", `/tenants/${tenantId}/requests`);
  return (requests as LogEntry[]).filter((r) => r.kind === "graph").sort((a, b) => a.seq - b.seq);
}

/** Most Graph requests the sandbox was serving at once (arrival to response, as it recorded them). */
function peakInFlight(entries: LogEntry[]): number {
  const events = entries.flatMap((e) => [
    { t: e.at, d: 1 },
    { t: e.at + e.durationMs, d: -1 },
  ]);
  // At a tie an end counts before a start: a request that arrives as another leaves does not overlap it.
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let peak = 0;
  for (const e of events) peak = Math.max(peak, (now += e.d));
  return peak;
}

function session(t: TenantManifest, gate: ReturnType<typeof databaseTenantGate>, maxInFlight: number) {
  const app = mainApp(t);
  return openGraph({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" }, { gate, maxInFlight });
}

describe.each(dbKinds)("the database tenant gate on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test("two sessions with their own gate over one database never exceed the tenant's cap together", async () => {
    const t = await sandbox.createTenant();
    await sandbox.faults(t.tenantId, { latencyMs: 80 });
    const gateA = databaseTenantGate(h.db);
    const gateB = databaseTenantGate(h.db);
    const a = session(t, gateA, 2);
    const b = session(t, gateB, 2);
    await a.get("/groups?$top=1&$select=id"); // tokens first
    await b.get("/groups?$top=1&$select=id");
    await sandbox.control("DELETE", `/tenants/${t.tenantId}/requests`);
    await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).get("/groups?$top=1&$select=id")));
    await Promise.all([gateA.settle(), gateB.settle()]);
    const log = await graphLog(t.tenantId);
    expect(log).toHaveLength(8);
    // Each gate alone would let two through (four together); the shared one lets two in all.
    expect(peakInFlight(log)).toBe(2);
    const [left] = await queryRows<{ n: number }>(h.db, sql`SELECT count(*)::int AS n FROM graph_tenant_slots`);
    expect(left.n).toBe(0);
  });

  test("a Retry-After met by one session pauses a session of another gate", async () => {
    const t = await sandbox.createTenant();
    const gateA = databaseTenantGate(h.db);
    const gateB = databaseTenantGate(h.db);
    const a = session(t, gateA, 1);
    const b = session(t, gateB, 1);
    await a.get("/groups?$top=1&$select=id");
    await b.get("/users?$top=1&$select=id");
    await sandbox.faults(t.tenantId, { latencyMs: 20, retryAfter: [{ path: "*/groups*", nth: 1, times: 1, seconds: 1, status: 429 }] });
    await sandbox.control("DELETE", `/tenants/${t.tenantId}/requests`);
    const first = a.get("/groups?$top=1&$select=id");
    // B asks once A's gate has written the pause (where B's gate reads it), however long the machine took to get
    // there: each gate alone would let B through at once; the shared pause must hold it back.
    for (;;) {
      const rows = await queryRows(h.db, sql`SELECT 1 FROM graph_tenant_budgets WHERE tenant_id = ${t.tenantId.toLowerCase()}`);
      if (rows.length > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const others = b.get("/users?$top=1&$select=id");
    await Promise.all([first, others]);
    await Promise.all([gateA.settle(), gateB.settle()]);
    const log = await graphLog(t.tenantId);
    const throttled = log.find((e) => e.status === 429);
    expect(throttled).toBeDefined();
    const sentAt = throttled!.at + throttled!.durationMs;
    const after = log.filter((e) => e.seq > throttled!.seq);
    expect(after.length).toBeGreaterThan(0);
    const early = after.filter((e) => e.at - sentAt < 1000);
    expect(early).toEqual([]);
    // B asked while A waited, and was held back by the pause A's gate wrote.
    expect(after.some((e) => e.url.includes("/users"))).toBe(true);
  });

  test("a slot whose lease ran out (its holder died) is taken again", async () => {
    const gate = databaseTenantGate(h.db, { leaseMs: 60_000 });
    const held = await gate.acquire("tenant-x", 1);
    expect(held.pausedMs).toBe(0);
    // The holder dies without releasing; its lease then runs out (moved into the past rather than waited for).
    await h.db.execute(sql`UPDATE graph_tenant_slots SET lease_expires_at = now() - interval '1 second'`);
    const other = databaseTenantGate(h.db);
    const taken = await other.acquire("tenant-x", 1);
    const rows = await queryRows<{ slot: number; holder: string }>(h.db, sql`SELECT slot, holder FROM graph_tenant_slots`);
    expect(rows).toHaveLength(1);
    // The late release of the dead holder does not free the slot its successor now holds.
    held.release();
    await gate.settle();
    expect(await queryRows(h.db, sql`SELECT 1 FROM graph_tenant_slots`)).toHaveLength(1);
    taken.release();
    await other.settle();
    expect(await queryRows(h.db, sql`SELECT 1 FROM graph_tenant_slots`)).toHaveLength(0);
  });

  // Warm slots (docs/adr/0007-shared-tenant-throttling.md, "Warm slots"): a slot given back by a listing page
  // with a next page (release({ more: true })) stays the gate's for its next request, so a nextLink chain takes
  // a slot from the database once, not once per page. Any other release gives the slot up at once.
  const more = { more: true };
  const slotRows = () => queryRows<{ slot: number; holder: string }>(h.db, sql`SELECT slot, holder FROM graph_tenant_slots ORDER BY slot`);

  test("a chain of requests takes the slot it gave back: one row, one holder, gone at settle", async () => {
    const gate = databaseTenantGate(h.db);
    const first = await gate.acquire("tenant-w", 8);
    const [row] = await slotRows();
    first.release(more);
    for (let i = 0; i < 10; i++) {
      const next = await gate.acquire("tenant-w", 8);
      expect(next.pausedMs).toBe(0);
      expect(await slotRows()).toEqual([row]);
      next.release(more);
    }
    // Two requests at once (a page's body still arriving as the next page is asked for) hold two slots.
    const [a, b] = [await gate.acquire("tenant-w", 8), await gate.acquire("tenant-w", 8)];
    expect(await slotRows()).toHaveLength(2);
    a.release(more);
    b.release(more);
    await gate.settle();
    expect(await slotRows()).toEqual([]);
    // The last page of a chain (or any single request) gives its slot up at once, with no settle.
    (await gate.acquire("tenant-w", 8)).release();
    while ((await slotRows()).length > 0) await queryRows(h.db, sql`SELECT pg_sleep(0.01)`);
  });

  test("the sessions a process opens over one database share one gate: a slot one gave back is the next one's", async () => {
    const first = processTenantGateFor(h.db);
    (await first.acquire("tenant-s", 8)).release(more);
    const [row] = await slotRows();
    const second = processTenantGateFor(h.db);
    const slot = await second.acquire("tenant-s", 8);
    expect(await slotRows()).toEqual([row]);
    slot.release();
    await second.settle();
    expect(await slotRows()).toEqual([]);
  });

  test("a warm slot counts against the cap: another gate waits until it goes back", async () => {
    // A linger far longer than the test, so that only A's settle can free the slot, however slow the machine.
    const a = databaseTenantGate(h.db, { maxPollMs: 20, lingerMs: 600_000 });
    const b = databaseTenantGate(h.db, { maxPollMs: 20 });
    (await a.acquire("tenant-c", 1)).release(more);
    let got = false;
    const waiting = b.acquire("tenant-c", 1).then((slot) => ((got = true), slot));
    for (let i = 0; i < 5; i++) await queryRows(h.db, sql`SELECT pg_sleep(0.01)`);
    expect(got).toBe(false);
    await a.settle();
    (await waiting).release();
    expect(got).toBe(true);
    await b.settle();
    expect(await slotRows()).toEqual([]);
  });

  test("a warm slot's lease is cut to the linger, so a process that goes (its database closed) frees it that soon; reuse extends it again", async () => {
    const gate = databaseTenantGate(h.db, { lingerMs: 60_000 });
    const lease = async () => {
      const [row] = await queryRows<{ seconds: number }>(h.db, sql`SELECT extract(epoch FROM lease_expires_at - now())::float8 AS seconds FROM graph_tenant_slots`);
      return Number(row.seconds);
    };
    // Until each off-path statement lands, read again (no clock in the assertion: the lease's length is what changes).
    const until = async (ok: (seconds: number) => boolean) => {
      for (let seconds = await lease(); !ok(seconds); seconds = await lease()) await queryRows(h.db, sql`SELECT pg_sleep(0.01)`);
    };
    const slot = await gate.acquire("tenant-l", 8);
    expect(await lease()).toBeGreaterThan(100); // the 2-minute lease of a slot in use
    slot.release(more);
    await until((seconds) => seconds <= 60);
    const again = await gate.acquire("tenant-l", 8);
    await until((seconds) => seconds > 100);
    again.release();
    await gate.settle();
    expect(await slotRows()).toEqual([]);
  });

  test("without reuse every request takes its own slot; a pause sends the warm slots back and holds the gate's own requests", async () => {
    const cold = databaseTenantGate(h.db, { reuseMs: 0 });
    const one = await cold.acquire("tenant-p", 8);
    const [firstRow] = await slotRows();
    one.release(more);
    await cold.settle();
    const two = await cold.acquire("tenant-p", 8);
    expect((await slotRows()).map((r) => r.holder)).not.toContain(firstRow.holder);
    two.release();
    await cold.settle();

    const gate = databaseTenantGate(h.db);
    (await gate.acquire("tenant-p", 8)).release(more);
    expect(await slotRows()).toHaveLength(1);
    await gate.pause("tenant-p", 300);
    // The warm slot went back with the pause (its release is under way; settle waits for it).
    await gate.settle();
    expect(await slotRows()).toEqual([]);
    const after = await gate.acquire("tenant-p", 8);
    // It waited for the pause the database reported, not on a warm slot.
    expect(after.pausedMs).toBeGreaterThan(0);
    after.release();
    await gate.settle();
  });

  test("a live slot is not taken: the second acquire waits until the first is released", async () => {
    const gate = databaseTenantGate(h.db, { maxPollMs: 20 });
    const held = await gate.acquire("tenant-y", 1);
    let second = false;
    const next = gate.acquire("tenant-y", 1).then((s) => ((second = true), s));
    for (let i = 0; i < 5; i++) await queryRows(h.db, sql`SELECT pg_sleep(0.01)`);
    expect(second).toBe(false);
    held.release();
    (await next).release();
    expect(second).toBe(true);
    await gate.settle();
  });
});
