/**
 * The sync engine against a fake Graph (no HTTP): contribution rules, atomic apply, the guard, resumption,
 * selection and authorization, on PGlite and PostgreSQL. test/reliability/ runs the same engine against the
 * sandbox tenant over HTTPS.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import * as s from "@/db/schema";
import { addHoldings } from "@/lib/audience/holdings";
import { MAX_TRANSIENT_REQUEUES } from "./run-job";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { fakeGraph, GraphRequestError, makeConnection, makeGroup, makeOrgWithUser, user, users, type FakeDirectory } from "@/test/support/factories";
import { claimNextJob } from "@/lib/jobs/queue";
import { confirmReview, requestPreview, requestSync, runQueuedWork, scheduleDue, sourceStates, updateSelection } from "./verbs";

async function audience(h: TestDb, seriesId: string): Promise<string[]> {
  const rows = await h.db.select({ e: s.recipients.emailNormalized }).from(s.recipients).where(eq(s.recipients.seriesId, seriesId));
  return rows.map((r) => r.e).sort();
}

async function sourceOf(h: TestDb, seriesId: string, groupId: string) {
  const [row] = await h.db
    .select()
    .from(s.audienceSources)
    .where(and(eq(s.audienceSources.seriesId, seriesId), eq(s.audienceSources.directoryGroupId, groupId)));
  return row;
}

describe.each(dbKinds)("sync engine on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  async function arrange(dir: Partial<FakeDirectory> & { groupObjectIds?: string[] }, connOpts: Parameters<typeof makeConnection>[2] = {}) {
    const { org, series, actor } = await makeOrgWithUser(h.db);
    const connection = await makeConnection(h.db, [org.id], connOpts);
    const groups = [];
    for (const objectId of dir.groupObjectIds ?? []) groups.push(await makeGroup(h.db, connection.id, { objectId, displayName: `G ${objectId}` }));
    const graph = fakeGraph({ groups: new Map(), pageSize: 10, ...dir });
    const work = (opts: Partial<Parameters<typeof runQueuedWork>[1]> = {}) => runQueuedWork(h.db, { budgetMs: 30_000, openGraph: graph.open, ...opts });
    return { org, series, actor, connection, groups, graph, work };
  }

  test("a group's contribution: enabled users, mail else username, skipped counted per reason, duplicates collapsed", async () => {
    const members = [
      ...users(1, 25),
      user(26, { accountEnabled: false }),
      user(27, { mail: null }), // fallback on: its user principal name
      user(28, { mail: null, userPrincipalName: "guest_x.example#EXT#@contoso.onmicrosoft.example" }),
      user(29, { mail: "USER1@contoso.example" }), // same address as user 1, other spelling
    ];
    const { series, actor, connection, groups, work } = await arrange(
      { groupObjectIds: ["g1"], groups: new Map([["g1", members]]) },
      { useUsernameFallback: true },
    );
    expect(await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [groups[0].id], entireDirectory: false })).toEqual({
      queued: 1,
      removed: 0,
    });
    const summary = await work();
    expect(summary).toMatchObject({ claimed: 1, completed: 1, failed: 0, remaining: 0 });
    const got = await audience(h, series.id);
    expect(got).toHaveLength(26);
    expect(got).toContain("user27@contoso.onmicrosoft.example");
    const source = await sourceOf(h, series.id, groups[0].id);
    expect(source).toMatchObject({ state: "synced", memberCount: 26, skipped: { disabled: 1, noAddress: 1, duplicate: 1 }, lastError: null });
    expect(source.lastGoodSyncAt).not.toBeNull();
    const [run] = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.sourceId, source.id));
    expect(run).toMatchObject({ outcome: "synced", pages: 3, membersSeen: 29, added: 26, removed: 0, skipped: { disabled: 1, noAddress: 1, duplicate: 1 } });
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging`)).toHaveLength(0);

    const states = await sourceStates(h.db, actor, { seriesId: series.id });
    expect(states).toHaveLength(1);
    expect(states[0]).toMatchObject({ state: "synced", memberCount: 26, lastRuns: [{ outcome: "synced", added: 26 }] });
  });

  test("a failure at page 3 applies nothing; the job resumes there later with its staging, and fails after a bound", async () => {
    const dir: FakeDirectory = { groups: new Map([["g1", users(1, 40)]]), pageSize: 10 };
    const { series, actor, connection, groups, graph, work } = await arrange({ ...dir, groupObjectIds: ["g1"] });
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [groups[0].id], entireDirectory: false });
    await work();
    const before = await audience(h, series.id);
    const good = (await sourceOf(h, series.id, groups[0].id)).lastGoodSyncAt;
    expect(before).toHaveLength(40);

    // The group changes, and the next run fails on its third page (the session's retries are spent).
    graph.requests.length = 0;
    let failing = true;
    const fake = fakeGraph({ groups: new Map([["g1", users(11, 60)]]), pageSize: 10, beforeRequest: (n) => {
      if (failing && n === 3) throw new GraphRequestError({ status: 500, code: "InternalServerError", message: "boom" });
    } });
    await requestSync(h.db, actor, { sourceId: (await sourceOf(h, series.id, groups[0].id)).id });
    const summary = await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: fake.open });
    expect(summary).toMatchObject({ claimed: 1, failed: 0, completed: 0, interrupted: 1, remaining: 1 });
    expect(await audience(h, series.id)).toEqual(before);
    const waiting = await sourceOf(h, series.id, groups[0].id);
    expect(waiting).toMatchObject({ state: "queued", memberCount: 40 });
    expect(waiting.lastGoodSyncAt).toEqual(good);
    const [job] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.status, "queued"));
    expect(job).toMatchObject({ pages: 2, error: { code: "graph_unavailable" } });
    expect(job.cursor).not.toBeNull();
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging WHERE job_id = ${job.id}::uuid`)).toHaveLength(20);

    // It keeps failing: after the bound the job fails, staging dropped, the group in Error with its last good sync.
    for (let k = 0; k <= MAX_TRANSIENT_REQUEUES; k++) {
      await h.db.execute(sql`UPDATE sync_jobs SET run_after = now() WHERE id = ${job.id}::uuid`);
      const again = await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: fakeGraph({ groups: new Map([["g1", users(11, 60)]]), pageSize: 10, beforeRequest: () => {
        throw new GraphRequestError({ status: 500, code: "InternalServerError", message: "boom" });
      } }).open });
      if (again.failed) break;
      expect(again).toMatchObject({ interrupted: 1 });
    }
    const runs = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.jobId, job.id));
    expect(runs).toHaveLength(MAX_TRANSIENT_REQUEUES + 1);
    expect(await audience(h, series.id)).toEqual(before);
    const source = await sourceOf(h, series.id, groups[0].id);
    expect(source.state).toBe("error");
    expect(source.lastError).toMatchObject({ code: "graph_unavailable" });
    expect(source.lastGoodSyncAt).toEqual(good);
    expect(source.memberCount).toBe(40);
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging`)).toHaveLength(0);

    // A job that resumes after one requeue finishes exactly, from its staging and the page that failed.
    failing = true;
    fake.requests.length = 0;
    await requestSync(h.db, actor, { sourceId: source.id });
    expect(await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: fake.open })).toMatchObject({ interrupted: 1 });
    failing = false;
    await h.db.execute(sql`UPDATE sync_jobs SET run_after = now() WHERE status = 'queued'`);
    expect(await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: fake.open })).toMatchObject({ completed: 1 });
    expect(await audience(h, series.id)).toHaveLength(50);
    const [done] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.status, "done")).orderBy(sql`created_at desc`).limit(1);
    expect(done).toMatchObject({ pages: 5, membersSeen: 50, skippedDuplicate: 0 });
  });

  test("overlapping groups and manual recipients keep exact counts; unticking removes only what no one else holds", async () => {
    const { series, actor, connection, groups, work } = await arrange({
      groupObjectIds: ["a", "b"],
      groups: new Map([
        ["a", users(1, 30)],
        ["b", users(21, 50)],
      ]),
    });
    const [manual] = await h.db
      .insert(s.audienceSources)
      .values({ seriesId: series.id, kind: "manual", label: "Manual" })
      .returning();
    await h.db.transaction((tx) =>
      addHoldings(tx, { seriesId: series.id, sourceId: manual.id, rows: [{ email: "user5@contoso.example" }, { email: "boss@contoso.example" }] }),
    );
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [groups[0].id, groups[1].id], entireDirectory: false });
    await work();
    expect(await audience(h, series.id)).toHaveLength(51); // users 1–50 and boss

    const result = await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [groups[1].id], entireDirectory: false });
    expect(result).toEqual({ queued: 0, removed: 1 });
    const after = await audience(h, series.id);
    // Group a's users 1–20 leave, except user 5 (manual); 21–30 stay through group b.
    expect(after).toHaveLength(51 - 19);
    expect(after).toContain("user5@contoso.example");
    expect(after).toContain("user21@contoso.example");
    expect(after).not.toContain("user6@contoso.example");
    const a = await sourceOf(h, series.id, groups[0].id);
    expect(a).toMatchObject({ selected: false, state: "not_synced", memberCount: 0 });
  });

  test("a mass removal stops at Needs review with the numbers, until an editor confirms", async () => {
    const dir = { groupObjectIds: ["g"], groups: new Map([["g", users(1, 200)]]) };
    const { series, actor, connection, groups, work } = await arrange(dir);
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [groups[0].id], entireDirectory: false });
    await work();
    const sourceId = (await sourceOf(h, series.id, groups[0].id)).id;

    const shrunk = fakeGraph({ groups: new Map([["g", users(1, 100).concat(users(500, 504))]]), pageSize: 50 });
    await requestSync(h.db, actor, { sourceId });
    const summary = await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: shrunk.open });
    expect(summary).toMatchObject({ needsReview: 1, completed: 0 });
    expect(await audience(h, series.id)).toHaveLength(200);
    const held = await sourceOf(h, series.id, groups[0].id);
    expect(held.state).toBe("needs_review");
    expect(held.review).toMatchObject({ current: 200, wouldRemove: 100, wouldAdd: 5 });

    // A scheduled run leaves it waiting; the editor's confirmation applies the staged set.
    await h.db.update(s.directoryConnections).set({ lastScheduledAt: null }).where(eq(s.directoryConnections.id, connection.id));
    expect(await scheduleDue(h.db, new Date())).toBe(0);
    const counts = await confirmReview(h.db, actor, { sourceId });
    expect(counts).toMatchObject({ added: 5, removed: 100, total: 105 });
    expect(await audience(h, series.id)).toHaveLength(105);
    expect(await sourceOf(h, series.id, groups[0].id)).toMatchObject({ state: "synced", memberCount: 105, review: null });
    await expect(confirmReview(h.db, actor, { sourceId })).rejects.toMatchObject({ code: "conflict" });
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging`)).toHaveLength(0);
  });

  test("a job cut by the time budget resumes from its last committed page; a rejected cursor restarts cleanly", async () => {
    let slow = true;
    const dir: FakeDirectory = {
      groups: new Map([["g", users(1, 95)]]),
      pageSize: 10,
      beforeRequest: async () => {
        if (slow) await new Promise((r) => setTimeout(r, 40));
      },
    };
    const { series, actor, connection, groups, graph } = await arrange({ ...dir, groupObjectIds: ["g"] });
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [groups[0].id], entireDirectory: false });
    const first = await runQueuedWork(h.db, { budgetMs: 100, openGraph: graph.open });
    // Each attempt reads at least one page, so how many attempts fit in the budget depends on the machine: every
    // one of them is cut, none completes, and the job is left queued.
    expect(first).toMatchObject({ completed: 0, failed: 0, remaining: 1 });
    expect(first.claimed).toBeGreaterThanOrEqual(1);
    expect(first.interrupted).toBe(first.claimed);
    expect(await audience(h, series.id)).toEqual([]);
    const [job] = await h.db.select().from(s.syncJobs);
    expect(job.status).toBe("queued");
    expect(job.pages).toBeGreaterThan(0);
    expect(job.pages).toBeLessThan(10);
    const requestedBefore = graph.requests.length;
    const staged = await queryRows<{ n: number }>(h.db, sql`SELECT count(*)::int AS n FROM sync_staging`);
    expect(Number(staged[0].n)).toBe(job.pages * 10);

    slow = false;
    const second = await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: graph.open });
    expect(second).toMatchObject({ completed: 1, remaining: 0 });
    // Resumed: no page was fetched twice (the prefetch cut at the budget was never requested).
    expect(graph.requests.length).toBe(10);
    expect(new Set(graph.requests).size).toBe(10);
    expect(requestedBefore).toBe(job.pages);
    expect(await audience(h, series.id)).toHaveLength(95);
    const [done] = await h.db.select().from(s.syncJobs);
    expect(done).toMatchObject({ status: "done", membersSeen: 95, skippedDuplicate: 0 });
    const runs = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.jobId, done.id));
    expect(runs.map((r) => r.outcome).sort()).toEqual([...Array(first.interrupted).fill("interrupted"), "synced"]);

    // Now a run whose saved cursor Graph no longer accepts.
    slow = true;
    await requestSync(h.db, actor, { sourceId: (await sourceOf(h, series.id, groups[0].id)).id });
    await runQueuedWork(h.db, { budgetMs: 100, openGraph: graph.open });
    dir.cursorGeneration = 1; // every nextLink issued so far is now rejected
    slow = false;
    const third = await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: fakeGraph(dir).open });
    expect(third).toMatchObject({ completed: 1 });
    const [latest] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.status, "done")).orderBy(sql`created_at desc`).limit(1);
    expect(latest).toMatchObject({ pages: 10, membersSeen: 95, skippedDuplicate: 0 });
    expect(await audience(h, series.id)).toHaveLength(95);
  });

  test("a worker that died mid-run is finished by the next call after its lease expires, without duplicates", async () => {
    const { series, actor, connection, groups, graph } = await arrange({ groupObjectIds: ["g"], groups: new Map([["g", users(1, 45)]]) });
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [groups[0].id], entireDirectory: false });
    // A worker claims the job, stages a page, and dies (never renews, never releases).
    const job = await claimNextJob(h.db, { owner: "doomed", leaseMs: 60_000 });
    expect(job).not.toBeNull();
    const { enumerateIntoStaging } = await import("./enumerate");
    const session = await graph.open(h.db, { connectionId: connection.id });
    await enumerateIntoStaging(h.db, session, {
      jobId: job!.id,
      owner: "doomed",
      leaseMs: 60_000,
      cursor: null,
      streams: [{ kind: "groupMembers", groupObjectId: "g", contacts: false }],
      rules: { useUsernameFallback: false },
      deadline: 0, // stop after the first page
    });
    // While the lease lives, nobody else takes the job.
    expect(await runQueuedWork(h.db, { budgetMs: 5_000, openGraph: graph.open })).toMatchObject({ claimed: 0, remaining: 1 });
    await h.db.execute(sql`UPDATE sync_jobs SET lease_expires_at = now() - interval '1 second'`);
    expect(await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: graph.open })).toMatchObject({ claimed: 1, completed: 1, remaining: 0 });
    expect(await audience(h, series.id)).toHaveLength(45);
    const [done] = await h.db.select().from(s.syncJobs);
    expect(done).toMatchObject({ status: "done", pages: 5, membersSeen: 45, skippedDuplicate: 0, attempts: 2 });
    expect(graph.requests).toHaveLength(5);
  });

  test("two concurrent workers sync each group once", async () => {
    const ids = ["g1", "g2", "g3", "g4", "g5", "g6"];
    const { series, actor, connection, groups, graph } = await arrange({
      groupObjectIds: ids,
      groups: new Map(ids.map((id, i) => [id, users(i * 10, i * 10 + 24)])),
      beforeRequest: () => new Promise((r) => setTimeout(r, 5)),
    });
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: groups.map((g) => g.id), entireDirectory: false });
    const [a, b] = await Promise.all([
      runQueuedWork(h.db, { budgetMs: 30_000, openGraph: graph.open, concurrency: 3 }),
      runQueuedWork(h.db, { budgetMs: 30_000, openGraph: graph.open, concurrency: 3 }),
    ]);
    expect(a.claimed + b.claimed).toBe(6);
    expect(a.completed + b.completed).toBe(6);
    expect(graph.requests).toHaveLength(6 * 3);
    expect(await audience(h, series.id)).toHaveLength(75);
    const runs = await h.db.select().from(s.syncRuns);
    expect(runs).toHaveLength(6);
  });

  test("a group deleted in Azure keeps its last contribution and shows Error “Deleted in Azure” until unticked", async () => {
    const dir: FakeDirectory = { groups: new Map([["g", users(1, 12)]]) };
    const { series, actor, connection, groups } = await arrange({ ...dir, groupObjectIds: ["g"] });
    const graph = fakeGraph(dir);
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [groups[0].id], entireDirectory: false });
    await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: graph.open });
    dir.groups.delete("g");
    const sourceId = (await sourceOf(h, series.id, groups[0].id)).id;
    await requestSync(h.db, actor, { sourceId });
    expect(await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: graph.open })).toMatchObject({ failed: 1 });
    expect(await audience(h, series.id)).toHaveLength(12);
    const source = await sourceOf(h, series.id, groups[0].id);
    expect(source).toMatchObject({ state: "error", memberCount: 12, lastError: { code: "group_deleted", title: "Deleted in Azure" } });
    const [group] = await h.db.select().from(s.directoryGroups).where(eq(s.directoryGroups.id, groups[0].id));
    expect(group.deletedAt).not.toBeNull();
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [], entireDirectory: false });
    expect(await audience(h, series.id)).toEqual([]);
  });

  test("the entire directory is one more source; unavailable when the connection is limited to selected groups", async () => {
    const { series, actor, connection, work } = await arrange(
      { users: [...users(1, 30), user(31, { accountEnabled: false })], contacts: [{ id: "c1", displayName: "Vendor", mail: "vendor@fabrikam.example" }] },
      { syncContacts: true },
    );
    expect(await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [], entireDirectory: true })).toEqual({ queued: 1, removed: 0 });
    await work();
    const got = await audience(h, series.id);
    expect(got).toHaveLength(31);
    expect(got).toContain("vendor@fabrikam.example");
    const [all] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.kind, "directory_all"));
    expect(all).toMatchObject({ state: "synced", memberCount: 31, skipped: { disabled: 1 } });

    const limited = await makeConnection(h.db, [series.organizationId], { groupObjectIds: ["x"] });
    await expect(
      updateSelection(h.db, actor, { seriesId: series.id, connectionId: limited.id, groupIds: [], entireDirectory: true }),
    ).rejects.toThrow(/limited to selected groups/);
  });

  test("a preview counts without touching the audience and drops its staging", async () => {
    const { series, actor, groups, graph } = await arrange({ groupObjectIds: ["g"], groups: new Map([["g", [...users(1, 20), user(21, { accountEnabled: false })]]]) });
    const [manual] = await h.db.insert(s.audienceSources).values({ seriesId: series.id, kind: "manual", label: "Manual" }).returning();
    await h.db.transaction((tx) => addHoldings(tx, { seriesId: series.id, sourceId: manual.id, rows: [{ email: "user3@contoso.example" }] }));
    const jobId = await requestPreview(h.db, actor, { seriesId: series.id, groupId: groups[0].id });
    expect(await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: graph.open })).toMatchObject({ completed: 1 });
    const [job] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.id, jobId));
    expect(job).toMatchObject({ status: "done", mode: "preview", result: { wouldAdd: 19, alreadyPresent: 1, total: 20, skipped: { disabled: 1, noAddress: 0, duplicate: 0 } } });
    expect(await audience(h, series.id)).toEqual(["user3@contoso.example"]);
    expect(await sourceOf(h, series.id, groups[0].id)).toMatchObject({ selected: false, state: "not_synced" });
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging`)).toHaveLength(0);
  });

  test("verbs authorize: another organization's editor sees nothing; a second Sync now joins the first", async () => {
    const { series, actor, connection, groups } = await arrange({ groupObjectIds: ["g"], groups: new Map([["g", users(1, 3)]]) });
    const stranger = await makeOrgWithUser(h.db, "admin");
    const input = { seriesId: series.id, connectionId: connection.id, groupIds: [groups[0].id], entireDirectory: false };
    await expect(updateSelection(h.db, stranger.actor, input)).rejects.toMatchObject({ code: "not_found" });
    await expect(updateSelection(h.db, null, input)).rejects.toMatchObject({ code: "unauthenticated" });
    await updateSelection(h.db, actor, input);
    const sourceId = (await sourceOf(h, series.id, groups[0].id)).id;
    await expect(requestSync(h.db, stranger.actor, { sourceId })).rejects.toMatchObject({ code: "not_found" });
    await expect(confirmReview(h.db, stranger.actor, { sourceId })).rejects.toMatchObject({ code: "not_found" });
    await expect(sourceStates(h.db, stranger.actor, { seriesId: series.id })).rejects.toMatchObject({ code: "not_found" });
    const [queued] = await h.db.select().from(s.syncJobs);
    expect(await requestSync(h.db, actor, { sourceId })).toBe(queued.id);
    // A connection that does not serve the series' organization is refused.
    const foreign = await makeConnection(h.db, [stranger.org.id]);
    await expect(updateSelection(h.db, actor, { ...input, connectionId: foreign.id, groupIds: [] })).rejects.toMatchObject({ code: "not_found" });
  });

  test("scheduleDue queues every ticked group of a due connection once per period", async () => {
    const { series, actor, connection, groups, work } = await arrange({ groupObjectIds: ["a", "b"], groups: new Map([["a", users(1, 2)], ["b", users(3, 4)]]) });
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: groups.map((g) => g.id), entireDirectory: false });
    await work();
    const monday = new Date("2026-11-23T06:00:00Z");
    const [n1, n2] = await Promise.all([scheduleDue(h.db, monday), scheduleDue(h.db, monday)]);
    expect(n1 + n2).toBe(2);
    expect(await scheduleDue(h.db, new Date("2026-11-27T06:00:00Z"))).toBe(0);
    expect(await scheduleDue(h.db, new Date("2026-11-30T06:00:00Z"))).toBe(0); // the Monday's jobs are still queued: joined
    expect(await work()).toMatchObject({ completed: 2 });
    expect(await scheduleDue(h.db, new Date("2026-12-07T00:00:01Z"))).toBe(2);
  });
});
