import { randomUUID } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { tenantSlot, type TenantGate, type TenantSlot } from "@/lib/directory/types";

/**
 * The tenant gate kept in the database, so every serverless instance, cron call and CLI run of a deployment
 * respects one Graph budget per tenant (docs/adr/0007-shared-tenant-throttling.md): at most `limit` requests in
 * flight (one row of graph_tenant_slots each) and one Retry-After pause (graph_tenant_budgets). Times are the
 * database's `now()`, so the processes' clocks need not agree.
 *
 * `db` must be the database itself, not an open transaction: a slot taken inside a transaction would be
 * invisible to the other processes until it commits.
 */
export interface DatabaseGateOptions {
  /** How long a slot stays taken without being released: a process that died holding one frees it this late. */
  leaseMs?: number;
  /** Longest wait between two tries when every slot is taken (the waits start short and grow, with jitter). */
  maxPollMs?: number;
  /**
   * A slot released by a request whose chain goes on (a listing page with a next page) stays this gate's for
   * this long, for its next request (0: released at once), with its lease shortened to it. A nextLink chain asks
   * for its next page as the last one arrives, so its requests then take a slot they already hold, without a
   * statement on the page's path. Any other release gives the slot up at once.
   */
  lingerMs?: number;
  /** A slot is handed on warm only this long after it was taken from the database (then released, and taken again). */
  reuseMs?: number;
}

export const DEFAULT_SLOT_LEASE_MS = 2 * 60_000;
/**
 * The slot a page's body gave back is the one the page after the next takes, about a page's time later; it is
 * handed on within half the linger (1 s, several pages' time at Graph's 250–500 ms), and a warm slot's lease
 * runs out this long after its release if its process goes (docs/adr/0007-shared-tenant-throttling.md, "Warm slots").
 */
export const DEFAULT_SLOT_LINGER_MS = 2_000;
/**
 * How late a pause another process wrote can be noticed by a chain running on warm slots (its own pauses are
 * seen at once); well inside the lease.
 */
export const DEFAULT_SLOT_REUSE_MS = 15_000;
const FIRST_POLL_MS = 20;
const DEFAULT_MAX_POLL_MS = 500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DatabaseTenantGate extends TenantGate {
  /**
   * Releases the warm slots and resolves when every release this gate started has reached the database (tests,
   * and before closing it).
   */
  settle(): Promise<void>;
}

/** A slot this gate holds in the database while no request uses it (DatabaseGateOptions.lingerMs). */
interface WarmSlot {
  slot: number;
  holder: string;
  /** When it was taken from the database (local clock): it is handed on only within reuseMs of that. */
  takenAt: number;
  /** When its last request gave it back (local clock), and its lease was shortened to lingerMs from then. */
  givenBackAt: number;
  timer: ReturnType<typeof setTimeout>;
}

/** A slot as the gate tracks it while a request holds it. */
type HeldSlot = Pick<WarmSlot, "slot" | "holder" | "takenAt">;

export function databaseTenantGate(db: Executor, opts: DatabaseGateOptions = {}): DatabaseTenantGate {
  const leaseMs = Math.max(1, Math.floor(opts.leaseMs ?? DEFAULT_SLOT_LEASE_MS));
  const maxPollMs = Math.max(FIRST_POLL_MS, opts.maxPollMs ?? DEFAULT_MAX_POLL_MS);
  const releasing = new Set<Promise<void>>();
  const lingerMs = Math.max(0, opts.lingerMs ?? DEFAULT_SLOT_LINGER_MS);
  const reuseMs = Math.max(0, Math.min(leaseMs / 2, opts.reuseMs ?? DEFAULT_SLOT_REUSE_MS));
  /** Slots this gate holds in the database with no request on them, per tenant, newest last. */
  const warm = new Map<string, WarmSlot[]>();
  /** Pauses this gate wrote, per tenant (local clock): no warm slot is handed out before they end. */
  const pausedUntil = new Map<string, number>();

  /**
   * One statement: unless the tenant is paused, take a free slot below the cap (never taken, released, or with
   * an expired lease). Two processes picking the same free slot: the second one's ON CONFLICT finds a live
   * lease, takes nothing, and tries again. Answers the slot taken (or null) and how long the pause still runs.
   */
  async function tryAcquire(tenantId: string, limit: number, holder: string) {
    const [row] = await queryRows<{ slot: number | null; wait_ms: number | string | null }>(
      db,
      sql`
        WITH pause AS (
          SELECT paused_until FROM graph_tenant_budgets WHERE tenant_id = ${tenantId} AND paused_until > now()
        ),
        free AS (
          SELECT g.slot::smallint AS slot
          FROM generate_series(0, ${limit - 1}::int) AS g(slot)
          WHERE NOT EXISTS (SELECT 1 FROM pause)
            AND NOT EXISTS (
              SELECT 1 FROM graph_tenant_slots s
              WHERE s.tenant_id = ${tenantId} AND s.slot = g.slot AND s.lease_expires_at > now()
            )
          ORDER BY random()
          LIMIT 1
        ),
        taken AS (
          INSERT INTO graph_tenant_slots (tenant_id, slot, holder, lease_expires_at)
          SELECT ${tenantId}, slot, ${holder}, now() + ${leaseMs}::int * interval '1 millisecond' FROM free
          ON CONFLICT (tenant_id, slot) DO UPDATE
            SET holder = excluded.holder, lease_expires_at = excluded.lease_expires_at
            WHERE graph_tenant_slots.lease_expires_at <= now()
          RETURNING slot
        )
        SELECT (SELECT slot FROM taken) AS slot,
               (SELECT extract(epoch FROM (paused_until - now())) * 1000 FROM pause)::float8 AS wait_ms`,
    );
    return { slot: row?.slot ?? null, waitMs: row?.wait_ms == null ? 0 : Math.max(0, Number(row.wait_ms)) };
  }

  /**
   * The statements about one slot (shorten or extend its lease, delete it) run off the request's path, one after
   * the other in the order they were issued, so a lease is never extended and then shortened by a late statement.
   * One that fails (database gone) leaves the slot to its lease.
   */
  const chains = new Map<string, Promise<void>>();
  function slotStatement(tenantId: string, w: HeldSlot, statement: SQL): void {
    const key = `${tenantId}|${w.slot}|${w.holder}`;
    const done: Promise<void> = (chains.get(key) ?? Promise.resolve())
      .then(() => db.execute(statement))
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        releasing.delete(done);
        if (chains.get(key) === done) chains.delete(key);
      });
    chains.set(key, done);
    releasing.add(done);
  }
  const leaseFor = (tenantId: string, w: HeldSlot, ms: number) =>
    slotStatement(
      tenantId,
      w,
      sql`UPDATE graph_tenant_slots SET lease_expires_at = now() + ${Math.ceil(ms)}::int * interval '1 millisecond'
          WHERE tenant_id = ${tenantId} AND slot = ${w.slot} AND holder = ${w.holder}`,
    );
  const release = (tenantId: string, w: HeldSlot) =>
    slotStatement(tenantId, w, sql`DELETE FROM graph_tenant_slots WHERE tenant_id = ${tenantId} AND slot = ${w.slot} AND holder = ${w.holder}`);

  function dropWarm(tenantId: string, w: WarmSlot): void {
    clearTimeout(w.timer);
    const list = warm.get(tenantId) ?? [];
    const i = list.indexOf(w);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) warm.delete(tenantId);
  }

  /**
   * A warm slot of the tenant that may be handed on, taken out of the warm set (its lease extended again);
   * else null. Only within half the linger of its release: its shortened lease then still has the other half
   * for the extension to land, so no other process can have taken it meanwhile.
   */
  function takeWarm(tenantId: string): HeldSlot | null {
    if ((pausedUntil.get(tenantId) ?? 0) > Date.now()) return null;
    const list = warm.get(tenantId);
    while (list && list.length > 0) {
      const w = list.pop()!;
      clearTimeout(w.timer);
      if (Date.now() - w.takenAt < reuseMs && Date.now() - w.givenBackAt < lingerMs / 2) {
        if (list.length === 0) warm.delete(tenantId);
        leaseFor(tenantId, w, leaseMs);
        return { slot: w.slot, holder: w.holder, takenAt: w.takenAt };
      }
      release(tenantId, w);
    }
    warm.delete(tenantId);
    return null;
  }

  /**
   * Gives a slot back: kept warm when its request's chain goes on (`more`: a listing page with a next page) and
   * it may be, its lease shortened to the linger (so a chain abandoned, or a process that stops or closes its
   * database meanwhile, leaves it taken that long, not for the lease); else released to the database.
   */
  function giveBack(tenantId: string, w: HeldSlot, more: boolean): void {
    const young = Date.now() - w.takenAt < reuseMs;
    if (!more || lingerMs === 0 || !young || (pausedUntil.get(tenantId) ?? 0) > Date.now()) return release(tenantId, w);
    leaseFor(tenantId, w, lingerMs);
    const kept: WarmSlot = { ...w, givenBackAt: Date.now(), timer: setTimeout(() => (dropWarm(tenantId, kept), release(tenantId, w)), lingerMs) };
    const list = warm.get(tenantId) ?? [];
    list.push(kept);
    warm.set(tenantId, list);
  }

  function flushWarm(tenantId?: string): void {
    for (const [t, list] of [...warm]) {
      if (tenantId !== undefined && t !== tenantId) continue;
      for (const w of [...list]) {
        dropWarm(t, w);
        release(t, w);
      }
    }
  }

  // Off the request's path: the caller goes on at once, the row goes when the statement lands (or stays this
  // gate's for a moment, for its next request).
  const handOut = (tenantId: string, w: HeldSlot, pausedMs: number): TenantSlot => tenantSlot(pausedMs, (more) => giveBack(tenantId, w, more));

  return {
    async acquire(tenantIdIn: string, limitIn: number): Promise<TenantSlot> {
      const tenantId = tenantIdIn.toLowerCase();
      const limit = Math.max(1, Math.min(32_767, Math.floor(limitIn)));
      const holder = randomUUID();
      let pausedMs = 0;
      let pollMs = FIRST_POLL_MS;
      for (;;) {
        // A slot this gate already holds counts against the cap like any other: handing it on keeps the cap.
        const kept = takeWarm(tenantId);
        if (kept) return handOut(tenantId, kept, pausedMs);
        const takenAt = Date.now();
        const { slot, waitMs } = await tryAcquire(tenantId, limit, holder);
        if (slot !== null) return handOut(tenantId, { slot, holder, takenAt }, pausedMs);
        if (waitMs > 0) {
          // The tenant is paused: every process wakes at the pause's end, spread by a little jitter.
          const wait = waitMs + Math.random() * FIRST_POLL_MS;
          pausedMs += wait;
          await sleep(wait);
          pollMs = FIRST_POLL_MS;
          continue;
        }
        // Every slot is taken (or a race for the last one was lost): back off, jittered, and try again.
        await sleep(pollMs / 2 + Math.random() * (pollMs / 2));
        pollMs = Math.min(maxPollMs, pollMs * 2);
      }
    },
    async pause(tenantIdIn: string, delayMs: number): Promise<void> {
      const tenantId = tenantIdIn.toLowerCase();
      const ms = Math.max(0, Math.ceil(delayMs));
      // This gate's own requests wait too: no warm slot until the pause ends, and the warm ones go back now.
      pausedUntil.set(tenantId, Math.max(pausedUntil.get(tenantId) ?? 0, Date.now() + ms));
      flushWarm(tenantId);
      await db.execute(sql`
        INSERT INTO graph_tenant_budgets (tenant_id, paused_until)
        VALUES (${tenantId}, now() + ${ms}::int * interval '1 millisecond')
        ON CONFLICT (tenant_id) DO UPDATE
          SET paused_until = greatest(graph_tenant_budgets.paused_until, excluded.paused_until)`);
    },
    async settle(): Promise<void> {
      flushWarm();
      while (releasing.size > 0) await Promise.all([...releasing]);
    },
  };
}

const processGates = new WeakMap<object, DatabaseTenantGate>();

/**
 * The gate every session of this process opens over `db` (lib/connections/graph-access.ts): one per database
 * handle, so that the jobs, catalog refreshes and lookups of one process share their warm slots instead of each
 * keeping its own. Separate processes (or tests standing in for them with their own databaseTenantGate) share
 * only the rows.
 */
export function processTenantGateFor(db: Executor): DatabaseTenantGate {
  let gate = processGates.get(db);
  if (!gate) {
    gate = databaseTenantGate(db);
    processGates.set(db, gate);
  }
  return gate;
}
