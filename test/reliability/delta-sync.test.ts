/**
 * Incremental sync through the engine (lib/sync/delta-round.ts): delta rounds and full passes over HTTPS against
 * the sandbox tenant, with the product's real credential and Graph client, applied to a real database (PGlite,
 * and PostgreSQL when DATABASE_URL is set). Every case checks that nothing was lost: each source holds exactly
 * what the sandbox's own accounting says the group contributes, and the series' audience is their union.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import * as s from "@/db/schema";
import { releaseHoldings } from "@/lib/audience/holdings";
import { runConnectionRound, type RoundOptions } from "@/lib/sync/delta-round";
import { runCron } from "@/lib/sync/cron";
import { confirmReview, requestFullReread, runQueuedWork, syncNow, updateSelection } from "@/lib/sync/verbs";
import { directoryOverview } from "@/lib/dialog/overview";
import { connectionIncrementalSync } from "@/lib/connections/incremental";
import { addUserTo } from "@/test/support/factories";
import type { Sandbox } from "@/sandbox/server";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { arrangeTenant, audienceOf, control, groupDetail, mutate, setFaults, startTenantServer, type Arranged } from "./sandbox-harness";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

const FAST_RETRIES = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 };

describe.each(dbKinds)("delta rounds through the engine on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  const round = (t: Arranged, opts: Partial<RoundOptions> = {}) => runConnectionRound(h.db, t.connectionId, { trigger: "schedule", retryPolicy: FAST_RETRIES, ...opts });

  /** A northwind tenant with `groups` ticked in one series and synced by their first (full) jobs, then seeded. */
  async function arrange(groups: string[]) {
    const t = await arrangeTenant(h.db, sb, { scenario: "northwind" });
    const id = (name: string) => t.manifest.groups.find((g) => g.displayName === name)!.id;
    await t.select(groups.map(id));
    expect(await runQueuedWork(h.db, { budgetMs: 60_000 })).toMatchObject({ failed: 0, remaining: 0 });
    const seeded = await round(t);
    expect(seeded).toMatchObject({ outcome: "applied", mode: "full", fullReason: "first", drift: null });
    // The first jobs listed the same directory: seeding finds nothing to change.
    expect(seeded.added + seeded.removed).toBe(0);
    const users = t.manifest.users!;
    return { t, id, users };
  }

  async function expectedOf(t: Arranged, groupId: string): Promise<string[]> {
    const d = await groupDetail(sb, t.manifest.tenantId, groupId);
    return [...new Set(d.recipients!.mail)].sort();
  }

  async function heldBy(t: Arranged, groupId: string, seriesId = t.seriesId): Promise<string[]> {
    const rows = await queryRows<{ k: string }>(
      h.db,
      sql`SELECT rs.email_normalized AS k FROM recipient_sources rs JOIN audience_sources a ON a.id = rs.source_id
          WHERE a.series_id = ${seriesId}::uuid AND a.directory_group_id = ${t.catalog.get(groupId)!}::uuid ORDER BY 1`,
    );
    return rows.map((r) => r.k);
  }

  async function sourceOf(t: Arranged, groupId: string, seriesId = t.seriesId) {
    const [row] = await h.db
      .select()
      .from(s.audienceSources)
      .where(and(eq(s.audienceSources.seriesId, seriesId), eq(s.audienceSources.directoryGroupId, t.catalog.get(groupId)!)));
    return row;
  }

  /** Nothing lost, nothing extra: each source is its group's contribution, the audience their union. */
  async function expectExact(t: Arranged, groupIds: string[], seriesId = t.seriesId) {
    const union = new Set<string>();
    for (const g of groupIds) {
      const want = await expectedOf(t, g);
      want.forEach((k) => union.add(k));
      expect(await heldBy(t, g, seriesId), g).toEqual(want);
      expect((await sourceOf(t, g, seriesId)).memberCount).toBe(want.length);
    }
    expect(await audienceOf(h.db, seriesId)).toEqual([...union].sort());
  }

  const stateRow = async (t: Arranged) => (await h.db.select().from(s.directoryDeltaStates).where(eq(s.directoryDeltaStates.connectionId, t.connectionId)))[0];

  test("rounds of changes keep every source exact at a few requests; replayed changes change nothing; the ledger says delta", async () => {
    const { t, id, users } = await arrange(["All-Staff", "Engineering"]);
    const groups = [id("All-Staff"), id("Engineering")];

    const quiet = await round(t);
    expect(quiet).toMatchObject({ outcome: "applied", mode: "delta", changedSources: 0, added: 0, removed: 0 });
    // One request per delta stream: the groups' (one per wave of nesting the seed read) and the users'.
    const streams = ((await stateRow(t)).cursor as { groups: unknown[] }).groups.length + 1;
    expect(quiet.requests).toBe(streams);

    const engineer = (await expectedOf(t, id("Platform")))[0];
    const leaver = users.find((u) => u.mail?.toLowerCase() === engineer)!;
    await mutate(sb, t.manifest.tenantId, { op: "disableUser", userId: leaver.id }, { op: "addUser", user: { displayName: "Delta Newcomer" }, groupIds: [id("Mobile")] });
    const r = await round(t);
    expect(r).toMatchObject({ outcome: "applied", mode: "delta", changedSources: 2, added: 2, removed: 2 });
    expect(await heldBy(t, id("Engineering"))).not.toContain(engineer);
    await expectExact(t, groups);
    const runs = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.trigger, "schedule"));
    const deltaRuns = runs.filter((x) => x.kind === "delta");
    expect(deltaRuns).toHaveLength(2);
    expect(deltaRuns.every((x) => x.outcome === "synced" && x.added === 1 && x.removed === 1)).toBe(true);
    expect((await sourceOf(t, id("Engineering"))).skipped).toMatchObject({ disabled: expect.any(Number) });

    await mutate(sb, t.manifest.tenantId, { op: "setDeltaReplay", enabled: true });
    const before = await audienceOf(h.db, t.seriesId);
    const replay = await round(t);
    expect(replay).toMatchObject({ outcome: "applied", mode: "delta", changedSources: 0, added: 0, removed: 0 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual(before);
    await expectExact(t, groups);
  });

  test("a round failing on page 2 applies nothing and keeps its token; the next round brings every change", async () => {
    const { t, id, users } = await arrange(["Sales"]);
    const sales = id("Sales");
    const before = await audienceOf(h.db, t.seriesId);
    const kept = await stateRow(t);
    const inSales = new Set(await expectedOf(t, sales));
    const joiners = users.filter((u) => u.accountEnabled && u.mail && !inSales.has(u.mail.toLowerCase())).slice(0, 6);
    await mutate(sb, t.manifest.tenantId, ...joiners.map((u) => ({ op: "addMember", groupId: sales, memberId: u.id })));
    // The round's second /groups/delta page (2 links a page) fails, its retries included.
    await setFaults(sb, t.manifest.tenantId, { retryAfter: [{ path: "*/groups/delta*", nth: 2, times: 10, seconds: 0, status: 503 }] });
    const failed = await round(t, { maxPageSize: 2 });
    expect(failed).toMatchObject({ outcome: "failed", mode: "delta", added: 0, removed: 0 });
    expect(failed.error?.code).toBeTruthy();
    expect(await audienceOf(h.db, t.seriesId)).toEqual(before);
    const after = await stateRow(t);
    expect(after.cursor).toEqual(kept.cursor);
    expect(after.updatedAt).toEqual(kept.updatedAt);
    expect((await sourceOf(t, sales)).state).toBe("synced");
    // A 503 with Retry-After is throttling: the ledger says the round was interrupted, with the diagnosis.
    const [ledger] = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.kind, "delta"));
    expect(ledger).toMatchObject({ outcome: "interrupted", added: 0, removed: 0, error: expect.objectContaining({ code: expect.any(String) }) });

    await control(sb, `/tenants/${t.manifest.tenantId}/faults`, "DELETE");
    const next = await round(t, { maxPageSize: 2 });
    expect(next).toMatchObject({ outcome: "applied", mode: "delta", added: joiners.length, removed: 0 });
    await expectExact(t, [sales]);
  });

  test("an expired token and a synchronization reset fall back to a full pass that seeds again", async () => {
    const { t, id, users } = await arrange(["HR", "Sales"]);
    const groups = [id("HR"), id("Sales")];
    const hr = (await expectedOf(t, id("HR")))[0];
    await mutate(sb, t.manifest.tenantId, { op: "disableUser", userId: users.find((u) => u.mail?.toLowerCase() === hr)!.id }, { op: "advanceDeltaClock", days: 8 });
    const expired = await round(t);
    expect(expired).toMatchObject({ outcome: "applied", mode: "full", fullReason: "expired", removed: 1 });
    await expectExact(t, groups);
    expect(await round(t)).toMatchObject({ outcome: "applied", mode: "delta", changedSources: 0 });

    await mutate(sb, t.manifest.tenantId, { op: "addUser", user: { displayName: "After Reset" }, groupIds: [id("HR")] }, { op: "resetDeltaSync" });
    const reset = await round(t);
    expect(reset).toMatchObject({ outcome: "applied", mode: "full", fullReason: "reset", added: 1 });
    await expectExact(t, groups);
    const full = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.kind, "full"));
    // A seeding pass writes a ledger row for each source it changed (HR, twice); Sales had nothing to change.
    expect(full.filter((x) => x.trigger === "schedule").map((x) => [x.sourceId, x.outcome, x.added, x.removed])).toEqual([
      [(await sourceOf(t, id("HR"))).id, "synced", 0, 1],
      [(await sourceOf(t, id("HR"))).id, "synced", 1, 0],
    ]);
    expect(await round(t)).toMatchObject({ outcome: "applied", mode: "delta", changedSources: 0 });
  });

  test("a member moved between nested groups stays exactly once", async () => {
    const { t, id } = await arrange(["Engineering", "Platform"]);
    // Someone in no Engineering group yet joins Platform directly, then moves to Mobile.
    const engineering = new Set(await expectedOf(t, id("Engineering")));
    const mover = t.manifest.users!.find((u) => u.accountEnabled && u.mail && !engineering.has(u.mail.toLowerCase()))!;
    await mutate(sb, t.manifest.tenantId, { op: "addMember", groupId: id("Platform"), memberId: mover.id });
    expect(await round(t)).toMatchObject({ outcome: "applied", mode: "delta", added: 2 });
    await h.db.delete(s.syncRuns).where(eq(s.syncRuns.kind, "delta"));
    await mutate(sb, t.manifest.tenantId, { op: "removeMember", groupId: id("Platform"), memberId: mover.id }, { op: "addMember", groupId: id("Mobile"), memberId: mover.id });
    const r = await round(t);
    expect(r).toMatchObject({ outcome: "applied", mode: "delta" });
    const key = mover.mail!.toLowerCase();
    expect((await heldBy(t, id("Engineering"))).filter((k) => k === key)).toEqual([key]);
    expect(await heldBy(t, id("Platform"))).not.toContain(key);
    expect((await audienceOf(h.db, t.seriesId)).filter((k) => k === key)).toEqual([key]);
    // Engineering's holdings did not move at all: only Platform's run is in the ledger.
    const runs = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.kind, "delta"));
    expect(runs.map((x) => [x.sourceId, x.added, x.removed])).toEqual([[(await sourceOf(t, id("Platform"))).id, 0, 1]]);
    await expectExact(t, [id("Engineering"), id("Platform")]);
  });

  test("a deleted nested group removes exactly its members, except those another path holds", async () => {
    const { t, id } = await arrange(["Engineering"]);
    const data = await expectedOf(t, id("Data"));
    const others = new Set([...(await expectedOf(t, id("Platform"))), ...(await expectedOf(t, id("Mobile")))]);
    // One Data member is also in Mobile: the deletion must keep them.
    const stays = t.manifest.users!.find((u) => u.accountEnabled && u.mail && data.includes(u.mail.toLowerCase()) && !others.has(u.mail.toLowerCase()))!;
    await mutate(sb, t.manifest.tenantId, { op: "addMember", groupId: id("Mobile"), memberId: stays.id });
    await round(t);
    const engineeringBefore = new Set(await heldBy(t, id("Engineering")));
    const directEngineering = new Set(await expectedOf(t, id("Engineering")));
    await mutate(sb, t.manifest.tenantId, { op: "deleteGroup", groupId: id("Data") });
    const after = new Set(await expectedOf(t, id("Engineering")));
    const lost = [...engineeringBefore].filter((k) => !after.has(k)).sort();
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((k) => data.includes(k))).toBe(true);
    expect(directEngineering.has(stays.mail!.toLowerCase())).toBe(true);
    const r = await round(t);
    expect(r).toMatchObject({ outcome: "applied", mode: "delta", removed: lost.length, added: 0 });
    expect(await heldBy(t, id("Engineering"))).toContain(stays.mail!.toLowerCase());
    await expectExact(t, [id("Engineering")]);
  });

  test("a mass removal arriving by delta stops at Needs review; confirming applies the directory as it is", async () => {
    const { t, id } = await arrange(["All-Staff"]);
    const allStaff = id("All-Staff");
    const before = await audienceOf(h.db, t.seriesId);
    await mutate(sb, t.manifest.tenantId, { op: "removeMember", groupId: allStaff, memberId: id("Engineering") });
    const wouldRemove = before.length - (await expectedOf(t, allStaff)).length;
    expect(wouldRemove).toBeGreaterThan(50);
    const r = await round(t);
    expect(r).toMatchObject({ outcome: "applied", mode: "delta", needsReview: 1, added: 0, removed: 0 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual(before);
    const held = await sourceOf(t, allStaff);
    expect(held.state).toBe("needs_review");
    expect(held.review).toMatchObject({ current: before.length, wouldRemove, wouldAdd: 0 });
    const [ledger] = await h.db.select().from(s.syncRuns).where(and(eq(s.syncRuns.kind, "delta"), eq(s.syncRuns.outcome, "needs_review")));
    expect(ledger.sourceId).toBe(held.id);

    // The schedule never confirms: the next rounds keep it waiting, its held set following the directory.
    await mutate(sb, t.manifest.tenantId, { op: "addUser", user: { displayName: "Joined While Held" }, groupIds: [id("Sales")] });
    expect(await round(t)).toMatchObject({ outcome: "applied", needsReview: 0, added: 0 });
    expect((await sourceOf(t, allStaff)).state).toBe("needs_review");
    expect(await audienceOf(h.db, t.seriesId)).toEqual(before);

    await confirmReview(h.db, t.actor, { sourceId: held.id });
    await expectExact(t, [allStaff]);
    expect(await round(t)).toMatchObject({ outcome: "applied", mode: "delta", changedSources: 0 });
    await expectExact(t, [allStaff]);
  });

  test("the weekly reconcile after a series of delta rounds finds zero drift; drift it does find is applied, recorded and alerted", async () => {
    const { t, id, users } = await arrange(["All-Staff", "Engineering", "Sales"]);
    const groups = [id("All-Staff"), id("Engineering"), id("Sales")];
    const pick = async (g: string, n: number) => (await expectedOf(t, g)).slice(0, n).map((k) => users.find((u) => u.mail?.toLowerCase() === k)!.id);
    const [a, b] = await pick(id("Sales"), 2);
    const [c] = await pick(id("Platform"), 1);
    const rounds: Record<string, unknown>[][] = [
      [{ op: "disableUser", userId: a }],
      [{ op: "addUser", user: { displayName: "Reconcile Newcomer" }, groupIds: [id("Data")] }, { op: "removeMember", groupId: id("Sales"), memberId: b }],
      [{ op: "removeMember", groupId: id("Platform"), memberId: c }, { op: "addMember", groupId: id("Sales"), memberId: c }, { op: "enableUser", userId: a }],
      [{ op: "updateUser", userId: b, changes: { mail: "renamed.person@northwind.example" } }],
    ];
    for (const ops of rounds) {
      await mutate(sb, t.manifest.tenantId, ...ops);
      expect(await round(t)).toMatchObject({ outcome: "applied", mode: "delta" });
    }
    await expectExact(t, groups);
    const reconcile = await round(t, { full: "reconcile" });
    expect(reconcile).toMatchObject({ outcome: "applied", mode: "full", fullReason: "reconcile", drift: 0, added: 0, removed: 0 });
    expect((await stateRow(t)).lastFullDrift).toBe(0);
    expect(await queryRows(h.db, sql`SELECT 1 FROM alert_events WHERE kind = 'reconcile_drift'`)).toHaveLength(0);

    // An address lost behind delta's back (as if a change had been missed): the next reconcile finds it.
    const lostKey = (await heldBy(t, id("Sales")))[0];
    const salesSource = await sourceOf(t, id("Sales"));
    await h.db.transaction((tx) => releaseHoldings(tx, { seriesId: t.seriesId, sourceId: salesSource.id, emails: [lostKey] }));
    const found = await round(t, { full: "reconcile" });
    expect(found).toMatchObject({ outcome: "applied", drift: 1, added: 1 });
    expect((await stateRow(t)).lastFullDrift).toBe(1);
    // Shown to the connection's admins on its page.
    const admin = await addUserTo(h.db, t.organizationId, "admin");
    expect(await connectionIncrementalSync(h.db, admin, t.connectionId)).toMatchObject({ lastFullDrift: 1, lastDeltaAt: expect.any(String) });
    await expect(connectionIncrementalSync(h.db, t.actor, t.connectionId)).rejects.toThrow();
    const alerts = await queryRows<{ title: string }>(h.db, sql`SELECT title FROM alert_events WHERE kind = 'reconcile_drift'`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].title).toContain("Sales");
    await expectExact(t, groups);
  });

  test("a synced group deleted in Azure keeps its audience and shows Error", async () => {
    const { t, id } = await arrange(["HR"]);
    const before = await audienceOf(h.db, t.seriesId);
    await mutate(sb, t.manifest.tenantId, { op: "deleteGroup", groupId: id("HR") });
    expect(await round(t)).toMatchObject({ outcome: "applied", deletedGroups: 1, removed: 0 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual(before);
    const source = await sourceOf(t, id("HR"));
    expect(source.state).toBe("error");
    expect(source.lastError).toMatchObject({ code: "group_deleted" });
  });

  test("a ticked group deleted while the token expired: the full pass marks it Error and enumerates the others", async () => {
    const { t, id, users } = await arrange(["HR", "Sales"]);
    const before = await audienceOf(h.db, t.seriesId);
    const hrBefore = await heldBy(t, id("HR"));
    const seller = (await expectedOf(t, id("Sales")))[0];
    await mutate(
      sb,
      t.manifest.tenantId,
      { op: "deleteGroup", groupId: id("HR") },
      { op: "disableUser", userId: users.find((u) => u.mail?.toLowerCase() === seller)!.id },
      { op: "advanceDeltaClock", days: 8 },
    );
    const r = await round(t);
    expect(r).toMatchObject({ outcome: "applied", mode: "full", fullReason: "expired", deletedGroups: 1 });
    expect((await sourceOf(t, id("HR"))).lastError).toMatchObject({ code: "group_deleted" });
    expect(await heldBy(t, id("HR"))).toEqual(hrBefore);
    const salesNow = await expectedOf(t, id("Sales"));
    expect(salesNow).not.toContain(seller);
    expect(await heldBy(t, id("Sales"))).toEqual(salesNow);
    // The audience: Sales as it is now, and HR as it was at its last good sync.
    expect(await audienceOf(h.db, t.seriesId)).toEqual([...new Set([...salesNow, ...hrBefore])].sort());
    expect(before).toContain(seller);
    expect(await round(t)).toMatchObject({ outcome: "applied", mode: "delta" });
  });

  test("leaver: a user disabled in the sandbox is gone from every audience at the next cron call", async () => {
    const t = await arrangeTenant(h.db, sb, { scenario: "northwind" });
    const id = (name: string) => t.manifest.groups.find((g) => g.displayName === name)!.id;
    const groups = [id("All-Staff"), id("Engineering")];
    const [second] = await h.db.insert(s.series).values({ organizationId: t.organizationId, name: "Second newsletter" }).returning();
    await t.select(groups);
    await updateSelection(h.db, t.actor, { seriesId: second.id, connectionId: t.connectionId, groupIds: groups.map((g) => t.catalog.get(g)!), entireDirectory: false });
    const check = async () => true;
    // The first call syncs the ticked groups (their jobs) and seeds incremental sync (a full pass).
    const first = await runCron(h.db, { budgetMs: 60_000, checkConnection: check });
    expect(first).toMatchObject({ completed: 4, failed: 0, delta: { connections: 1, fullPasses: 1, failed: 0 } });
    const leaverKey = (await expectedOf(t, id("Platform")))[0];
    for (const series of [t.seriesId, second.id]) expect(await audienceOf(h.db, series)).toContain(leaverKey);

    const leaver = t.manifest.users!.find((u) => u.mail?.toLowerCase() === leaverKey)!;
    await mutate(sb, t.manifest.tenantId, { op: "disableUser", userId: leaver.id });
    const next = await runCron(h.db, { budgetMs: 60_000, checkConnection: check });
    // Nothing was due (same period): no job ran, the delta round did it.
    expect(next).toMatchObject({ due: 0, claimed: 0, delta: { connections: 1, deltaRounds: 1, fullPasses: 0, removed: 4 } });
    for (const series of [t.seriesId, second.id]) {
      expect(await audienceOf(h.db, series)).not.toContain(leaverKey);
      await expectExact(t, groups, series);
    }

    // The next period's call reconciles: a delta round, then a full pass that finds no drift.
    await h.db.update(s.directoryConnections).set({ lastScheduledAt: new Date("2000-01-03T00:00:00Z") });
    const weekly = await runCron(h.db, { budgetMs: 60_000, checkConnection: check });
    // Groups kept by delta are reconciled by the round's full pass, not queued as jobs.
    expect(weekly).toMatchObject({ due: 0, claimed: 0, delta: { connections: 1, deltaRounds: 1, fullPasses: 1, drift: 0 } });
    expect((await stateRow(t)).lastFullDrift).toBe(0);
  });

  test("Sync now runs a delta round and tells this group's figures; Full re-read queues a whole listing; the dialog says how fresh", async () => {
    const t0 = await arrangeTenant(h.db, sb, { scenario: "northwind" });
    const sales0 = t0.manifest.groups.find((g) => g.displayName === "Sales")!.id;
    await t0.select([sales0]);
    // No incremental state yet: Sync now queues a full sync, as before.
    const [source0] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, t0.catalog.get(sales0)!));
    await runQueuedWork(h.db, { budgetMs: 60_000 });
    expect(await syncNow(h.db, t0.actor, { sourceId: source0.id })).toMatchObject({ kind: "queued" });

    const { t, id, users } = await arrange(["Sales", "HR"]);
    const sales = await sourceOf(t, id("Sales"));
    const overview = await directoryOverview(h.db, t.actor, { seriesId: t.seriesId, connectionId: t.connectionId });
    expect(overview.connection?.freshness).toMatchObject({ lastDeltaAt: null, lastFullAt: expect.any(String) });

    const inSales = new Set(await expectedOf(t, id("Sales")));
    const joiner = users.find((u) => u.accountEnabled && u.mail && !inSales.has(u.mail.toLowerCase()))!;
    await mutate(sb, t.manifest.tenantId, { op: "addMember", groupId: id("Sales"), memberId: joiner.id }, { op: "addUser", user: { displayName: "HR Hire" }, groupIds: [id("HR")] });
    expect(await syncNow(h.db, t.actor, { sourceId: sales.id })).toEqual({ kind: "delta", outcome: "synced", added: 1, removed: 0 });
    await expectExact(t, [id("Sales"), id("HR")]);
    expect(await syncNow(h.db, t.actor, { sourceId: sales.id })).toEqual({ kind: "delta", outcome: "unchanged", added: 0, removed: 0 });
    const [run] = await h.db.select().from(s.syncRuns).where(and(eq(s.syncRuns.sourceId, sales.id), eq(s.syncRuns.trigger, "manual")));
    expect(run).toMatchObject({ kind: "delta", outcome: "synced", added: 1 });
    const after = await directoryOverview(h.db, t.actor, { seriesId: t.seriesId, connectionId: t.connectionId });
    expect(after.connection?.freshness?.lastDeltaAt).toEqual(expect.any(String));

    const jobId = await requestFullReread(h.db, t.actor, { sourceId: sales.id });
    expect(await runQueuedWork(h.db, { budgetMs: 60_000 })).toMatchObject({ completed: 1, failed: 0 });
    const [reread] = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.jobId, jobId));
    expect(reread).toMatchObject({ kind: "full", trigger: "reread", outcome: "synced", added: 0, removed: 0 });
    await expectExact(t, [id("Sales"), id("HR")]);
  });
});
