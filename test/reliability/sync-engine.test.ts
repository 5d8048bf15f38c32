/**
 * The sync engine (lib/sync) end to end, with exact memberships: a group's contribution (enabled users, mail
 * else username, skipped per reason, duplicates collapsed across pages), a failed page that applies nothing and
 * resumes, overlapping groups with manual recipients, the mass-removal guard until confirmed, a time budget that
 * cuts a run and a rejected cursor that restarts it, a dead worker's lease, two concurrent workers, a group
 * deleted in Azure, the entire directory as a source, previews, the verbs' authorization and scheduleDue; on
 * PGlite and PostgreSQL.
 *
 * Every listing goes to a sandbox tenant (arrangeNumberedTenant: `user<n>@contoso.example`) over HTTPS through
 * the product's real credential and Graph client, which ask for pages of 999: the cases that need several pages
 * use groups of more than 999. Membership changes go through the sandbox's mutations, failures and latency
 * through its faults. test/reliability/sync-sandbox.test.ts runs the engine against generated scenarios instead.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import * as s from "@/db/schema";
import { addHoldings } from "@/lib/audience/holdings";
import { claimNextJob } from "@/lib/jobs/queue";
import { enumerateIntoStaging } from "@/lib/sync/enumerate";
import { openConnectionGraph, type OpenGraphSession } from "@/lib/sync/graph-session";
import { MAX_TRANSIENT_REQUEUES } from "@/lib/sync/run-job";
import { confirmReview, requestPreview, requestSync, runQueuedWork, scheduleDue, sourceStates, updateSelection } from "@/lib/sync/verbs";
import type { Sandbox } from "@/sandbox/server";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { makeConnection, makeOrgWithUser } from "@/test/support/factories";
import { arrangeNumberedTenant, audienceOf, mutate, numberedMail, requestLog, setFaults, startTenantServer } from "./sandbox-harness";

type Tenant = Awaited<ReturnType<typeof arrangeNumberedTenant>>;

/** The page size the product asks for ($top); the sandbox serves exactly that many. */
const PAGE = 999;

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

/** The real session, with short backoffs so that a test can spend a whole retry budget quickly. */
const quickRetries: OpenGraphSession = (db, input) => openConnectionGraph(db, { ...input, retryPolicy: { baseDelayMs: 10, maxDelayMs: 50 } });

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const mails = (...ranges: [number, number][]) => ranges.flatMap(([from, to]) => range(from, to).map(numberedMail)).sort();

/** The tenant's member-listing requests (not token requests, not other Graph calls), after `since` (a log seq). */
async function listings(t: Tenant, since = 0) {
  return (await requestLog(sb, t.manifest.tenantId)).filter((r) => r.kind === "graph" && r.seq > since && r.url.includes("/transitiveMembers"));
}
const lastSeq = async (t: Tenant) => (await requestLog(sb, t.manifest.tenantId)).at(-1)?.seq ?? 0;

/** In Azure, numbered users join or leave a group. */
const members = (t: Tenant, op: "addMember" | "removeMember", group: string, numbers: number[]) =>
  mutate(sb, t.manifest.tenantId, ...numbers.map((n) => ({ op, groupId: t.groupId(group), memberId: t.userId(n) })));

describe.each(dbKinds)("sync engine on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  const work = (opts: Partial<Parameters<typeof runQueuedWork>[1]> = {}) => runQueuedWork(h.db, { budgetMs: 60_000, ...opts });
  const audience = (t: Tenant) => audienceOf(h.db, t.seriesId);
  const stagedRows = async () => Number((await queryRows<{ n: number }>(h.db, sql`SELECT count(*)::int AS n FROM sync_staging`))[0].n);

  async function sourceOf(t: Tenant, group: string) {
    const [row] = await h.db
      .select()
      .from(s.audienceSources)
      .where(and(eq(s.audienceSources.seriesId, t.seriesId), eq(s.audienceSources.directoryGroupId, t.catalog.get(t.groupId(group))!)));
    return row;
  }

  test("a group's contribution: enabled users, mail else username, skipped counted per reason, duplicates collapsed", async () => {
    // Users 1–1001 fill the first page (1–999) and start the second, where the others follow.
    const t = await arrangeNumberedTenant(h.db, sb, { G: [[1, 1001]] }, { useUsernameFallback: true });
    const g = t.groupId("G");
    await mutate(
      sb,
      t.manifest.tenantId,
      { op: "disableUser", userId: t.userId(1001) },
      // No mail: its user principal name stands in (the fallback is on).
      { op: "addUser", user: { displayName: "User 1002", mail: null, userPrincipalName: "user1002@contoso.onmicrosoft.example" }, groupIds: [g] },
      // No mail, and a guest's user principal name is no address.
      {
        op: "addUser",
        user: { displayName: "Guest", mail: null, userType: "Guest", userPrincipalName: "guest_x.example#EXT#@contoso.onmicrosoft.example" },
        groupIds: [g],
      },
      // User 1's address in another spelling, a page after user 1.
      { op: "addUser", user: { displayName: "User 1 again", mail: "USER1@contoso.example", userPrincipalName: "user1.again@contoso.example" }, groupIds: [g] },
    );
    expect(await t.select([g])).toEqual({ queued: 1, removed: 0 });
    expect(await work()).toMatchObject({ claimed: 1, completed: 1, failed: 0, remaining: 0 });
    const got = await audience(t);
    expect(got).toEqual([...mails([1, 1000]), "user1002@contoso.onmicrosoft.example"].sort());
    const source = await sourceOf(t, "G");
    expect(source).toMatchObject({ state: "synced", memberCount: 1001, skipped: { disabled: 1, noAddress: 1, duplicate: 1 }, lastError: null });
    expect(source.lastGoodSyncAt).not.toBeNull();
    const [run] = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.sourceId, source.id));
    expect(run).toMatchObject({ outcome: "synced", pages: 2, membersSeen: 1004, added: 1001, removed: 0, skipped: { disabled: 1, noAddress: 1, duplicate: 1 } });
    expect(await listings(t)).toHaveLength(2);
    expect(await stagedRows()).toBe(0);

    const states = await sourceStates(h.db, t.actor, { seriesId: t.seriesId });
    expect(states).toHaveLength(1);
    expect(states[0]).toMatchObject({ state: "synced", memberCount: 1001, lastRuns: [{ outcome: "synced", added: 1001 }] });
  });

  test("a failure at page 3 applies nothing; the job resumes there later with its staging, and fails after a bound", async () => {
    // 2,000 members: pages of 999, 999 and 2. Joiners only holds users 2001–2050 until they join G.
    const t = await arrangeNumberedTenant(h.db, sb, { G: [[1, 2000]], Joiners: [[2001, 2050]] });
    const g = t.groupId("G");
    await t.select([g]);
    await work();
    const before = await audience(t);
    expect(before).toEqual(mails([1, 2000]));
    const good = (await sourceOf(t, "G")).lastGoodSyncAt;

    // The group changes (1–10 leave, 2001–2050 join), and the next run fails on its third page every time it is
    // asked for: each attempt spends the session's retries there.
    await members(t, "removeMember", "G", range(1, 10));
    await members(t, "addMember", "G", range(2001, 2050));
    await setFaults(sb, t.manifest.tenantId, { pageErrors: [{ groupId: g, page: 3, status: 500, mode: "always" }] });
    await requestSync(h.db, t.actor, { sourceId: (await sourceOf(t, "G")).id });
    const failedFrom = await lastSeq(t);
    expect(await work({ openGraph: quickRetries })).toMatchObject({ claimed: 1, failed: 0, completed: 0, interrupted: 1, remaining: 1 });
    expect(await audience(t)).toEqual(before);
    const waiting = await sourceOf(t, "G");
    expect(waiting).toMatchObject({ state: "queued", memberCount: 2000 });
    expect(waiting.lastGoodSyncAt).toEqual(good);
    const [job] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.status, "queued"));
    expect(job).toMatchObject({ pages: 2, error: { code: "graph_unavailable" } });
    expect(job.cursor).toContain("skiptoken");
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging WHERE job_id = ${job.id}::uuid`)).toHaveLength(2 * PAGE);
    const firstAttempt = await listings(t, failedFrom);
    expect(firstAttempt.filter((r) => r.status === 500).length).toBeGreaterThan(1); // page 3, and its retries
    expect(firstAttempt.filter((r) => r.status === 200)).toHaveLength(2);

    // It keeps failing: after the bound the job fails, staging dropped, the group in Error with its last good sync.
    const resumedFrom = await lastSeq(t);
    for (let k = 0; k < MAX_TRANSIENT_REQUEUES; k++) {
      await h.db.execute(sql`UPDATE sync_jobs SET run_after = now() WHERE id = ${job.id}::uuid`);
      expect(await work({ openGraph: quickRetries })).toMatchObject(k + 1 < MAX_TRANSIENT_REQUEUES ? { interrupted: 1 } : { failed: 1 });
    }
    // Every later attempt started at the saved cursor (page 3), never at page 1.
    const later = await listings(t, resumedFrom);
    expect(later.length).toBeGreaterThanOrEqual(MAX_TRANSIENT_REQUEUES);
    expect(later.every((r) => /skiptoken/i.test(r.url) && r.status === 500)).toBe(true);
    const runs = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.jobId, job.id));
    expect(runs).toHaveLength(MAX_TRANSIENT_REQUEUES + 1);
    expect(await audience(t)).toEqual(before);
    const source = await sourceOf(t, "G");
    expect(source.state).toBe("error");
    expect(source.lastError).toMatchObject({ code: "graph_unavailable" });
    expect(source.lastGoodSyncAt).toEqual(good);
    expect(source.memberCount).toBe(2000);
    expect(await stagedRows()).toBe(0);

    // A job that resumes after one requeue finishes exactly, from its staging and the page that failed.
    await requestSync(h.db, t.actor, { sourceId: source.id });
    expect(await work({ openGraph: quickRetries })).toMatchObject({ interrupted: 1 });
    const [held] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.status, "queued"));
    await setFaults(sb, t.manifest.tenantId, {});
    const recoveredFrom = await lastSeq(t);
    await h.db.execute(sql`UPDATE sync_jobs SET run_after = now() WHERE status = 'queued'`);
    expect(await work()).toMatchObject({ completed: 1 });
    expect(await audience(t)).toEqual(mails([11, 2050]));
    const [done] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.id, held.id));
    expect(done).toMatchObject({ status: "done", pages: 3, membersSeen: 2040, skippedDuplicate: 0 });
    const recovered = await listings(t, recoveredFrom);
    expect(recovered).toHaveLength(1); // page 3 only
    expect(JSON.parse(held.cursor!).next).toContain(recovered[0].url);
  });

  test("overlapping groups and manual recipients keep exact counts; unticking removes only what no one else holds", async () => {
    const t = await arrangeNumberedTenant(h.db, sb, { A: [[1, 30]], B: [[21, 50]] });
    const [manual] = await h.db.insert(s.audienceSources).values({ seriesId: t.seriesId, kind: "manual", label: "Manual" }).returning();
    await h.db.transaction((tx) =>
      addHoldings(tx, { seriesId: t.seriesId, sourceId: manual.id, rows: [{ email: numberedMail(5) }, { email: "boss@contoso.example" }] }),
    );
    await t.select([t.groupId("A"), t.groupId("B")]);
    expect(await work()).toMatchObject({ completed: 2, failed: 0 });
    expect(await audience(t)).toEqual([...mails([1, 50]), "boss@contoso.example"].sort());
    expect(await sourceOf(t, "A")).toMatchObject({ state: "synced", memberCount: 30 });
    expect(await sourceOf(t, "B")).toMatchObject({ state: "synced", memberCount: 30 });

    expect(await t.select([t.groupId("B")])).toEqual({ queued: 0, removed: 1 });
    // Group A's users 1–20 leave, except user 5 (manual); 21–30 stay through group B.
    expect(await audience(t)).toEqual([...mails([5, 5], [21, 50]), "boss@contoso.example"].sort());
    expect(await sourceOf(t, "A")).toMatchObject({ selected: false, state: "not_synced", memberCount: 0 });
  });

  test("a mass removal stops at Needs review with the numbers, until an editor confirms", async () => {
    // Joiners holds users 500–504 until they join G; Other is a second ticked group of the connection.
    const t = await arrangeNumberedTenant(h.db, sb, { G: [[1, 200]], Joiners: [[500, 504]], Other: [[600, 601]] });
    await t.select([t.groupId("G"), t.groupId("Other")]);
    await work();
    const sourceId = (await sourceOf(t, "G")).id;
    expect(await audience(t)).toEqual(mails([1, 200], [600, 601]));

    // In Azure, half the group leaves and five join.
    await members(t, "removeMember", "G", range(101, 200));
    await members(t, "addMember", "G", range(500, 504));
    await requestSync(h.db, t.actor, { sourceId });
    expect(await work()).toMatchObject({ needsReview: 1, completed: 0 });
    expect(await audience(t)).toEqual(mails([1, 200], [600, 601]));
    const held = await sourceOf(t, "G");
    expect(held.state).toBe("needs_review");
    expect(held.review).toMatchObject({ current: 200, wouldRemove: 100, wouldAdd: 5 });

    // A scheduled run leaves it waiting (the connection is due: its other group is queued); the editor's
    // confirmation applies the staged set.
    await h.db.update(s.directoryConnections).set({ lastScheduledAt: null }).where(eq(s.directoryConnections.id, t.connectionId));
    expect(await scheduleDue(h.db, new Date())).toBe(1);
    const queued = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.status, "queued"));
    expect(queued.map((j) => j.sourceId)).toEqual([(await sourceOf(t, "Other")).id]);
    const counts = await confirmReview(h.db, t.actor, { sourceId });
    expect(counts).toMatchObject({ added: 5, removed: 100, total: 105 });
    expect(await audience(t)).toEqual(mails([1, 100], [500, 504], [600, 601]));
    expect(await sourceOf(t, "G")).toMatchObject({ state: "synced", memberCount: 105, review: null });
    await expect(confirmReview(h.db, t.actor, { sourceId })).rejects.toMatchObject({ code: "conflict" });
    expect(await stagedRows()).toBe(0);
  });

  test("a job cut by the time budget resumes from its last committed page; a rejected cursor restarts cleanly", async () => {
    // Three pages (999, 999, 2), each answered 150 ms after it is asked for: a 200 ms budget requests at most
    // two of them (no page is requested after the budget but an attempt's first).
    const t = await arrangeNumberedTenant(h.db, sb, { G: [[1, 2000]] });
    await t.select([t.groupId("G")]);
    await setFaults(sb, t.manifest.tenantId, { latencyMs: 150 });
    const first = await work({ budgetMs: 200 });
    // How many attempts fit in the budget depends on the machine: every one of them is cut, none completes, and
    // the job is left queued.
    expect(first).toMatchObject({ completed: 0, failed: 0, remaining: 1 });
    expect(first.claimed).toBeGreaterThanOrEqual(1);
    expect(first.interrupted).toBe(first.claimed);
    expect(await audience(t)).toEqual([]);
    const [job] = await h.db.select().from(s.syncJobs);
    expect(job.status).toBe("queued");
    expect(job.pages).toBeGreaterThan(0);
    expect(job.pages).toBeLessThan(3);
    expect(await listings(t)).toHaveLength(job.pages);
    expect(await stagedRows()).toBe(job.pages * PAGE);

    await setFaults(sb, t.manifest.tenantId, {});
    expect(await work()).toMatchObject({ completed: 1, remaining: 0 });
    // Resumed: no page was fetched twice, and none was requested and then dropped at the budget.
    const all = await listings(t);
    expect(all).toHaveLength(3);
    expect(new Set(all.map((r) => r.url)).size).toBe(3);
    expect(await audience(t)).toEqual(mails([1, 2000]));
    const [done] = await h.db.select().from(s.syncJobs);
    expect(done).toMatchObject({ status: "done", pages: 3, membersSeen: 2000, skippedDuplicate: 0 });
    const runs = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.jobId, done.id));
    expect(runs.map((r) => r.outcome).sort()).toEqual([...Array(first.interrupted).fill("interrupted"), "synced"]);

    // Now a run whose saved cursor Graph no longer accepts: cut by the budget again, then its skiptoken expires
    // (the sandbox answers such a token 400 Directory_ExpiredPageToken, as Graph does).
    await setFaults(sb, t.manifest.tenantId, { latencyMs: 150 });
    await requestSync(h.db, t.actor, { sourceId: (await sourceOf(t, "G")).id });
    expect(await work({ budgetMs: 200 })).toMatchObject({ completed: 0, remaining: 1 });
    const [cut] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.status, "queued"));
    const cursor = JSON.parse(cut.cursor!) as { stream: number; next: string };
    expect(cursor.next).toContain("$skiptoken=");
    const expired = { ...cursor, next: cursor.next.replace(/\$skiptoken=[^&]+/, "$skiptoken=RFNwdAIAexpired") };
    await h.db.update(s.syncJobs).set({ cursor: JSON.stringify(expired) }).where(eq(s.syncJobs.id, cut.id));
    await setFaults(sb, t.manifest.tenantId, {});
    const restartFrom = await lastSeq(t);
    expect(await work()).toMatchObject({ completed: 1 });
    const [latest] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.id, cut.id));
    expect(latest).toMatchObject({ status: "done", pages: 3, membersSeen: 2000, skippedDuplicate: 0, cursorRestarts: 1 });
    expect(await audience(t)).toEqual(mails([1, 2000]));
    // The expired cursor was refused once, and the listing started over from its first page.
    const restarted = await listings(t, restartFrom);
    expect(restarted.map((r) => [r.status, /skiptoken=RFNwdAIAexpired/.test(r.url), /skiptoken/i.test(r.url)])).toEqual([
      [400, true, true],
      [200, false, false],
      [200, false, true],
      [200, false, true],
    ]);
  });

  test("a worker that died mid-run is finished by the next call after its lease expires, without duplicates", async () => {
    // Two pages: 999 and 101.
    const t = await arrangeNumberedTenant(h.db, sb, { G: [[1, 1100]] });
    await t.select([t.groupId("G")]);
    // A worker claims the job, stages a page, and dies (never renews, never releases).
    const job = await claimNextJob(h.db, { owner: "doomed", leaseMs: 60_000 });
    expect(job).not.toBeNull();
    const session = await openConnectionGraph(h.db, { connectionId: t.connectionId });
    await enumerateIntoStaging(h.db, session, {
      jobId: job!.id,
      owner: "doomed",
      leaseMs: 60_000,
      cursor: null,
      streams: [{ kind: "groupMembers", groupObjectId: t.groupId("G"), contacts: false }],
      rules: { useUsernameFallback: false },
      deadline: 0, // stop after the first page
    });
    expect(await stagedRows()).toBe(PAGE);
    // While the lease lives, nobody else takes the job.
    expect(await work({ budgetMs: 5_000 })).toMatchObject({ claimed: 0, remaining: 1 });
    await h.db.execute(sql`UPDATE sync_jobs SET lease_expires_at = now() - interval '1 second'`);
    expect(await work()).toMatchObject({ claimed: 1, completed: 1, remaining: 0 });
    expect(await audience(t)).toEqual(mails([1, 1100]));
    const [done] = await h.db.select().from(s.syncJobs);
    expect(done).toMatchObject({ status: "done", pages: 2, membersSeen: 1100, skippedDuplicate: 0, attempts: 2 });
    // The dead worker's page was not fetched again.
    const log = await listings(t);
    expect(log).toHaveLength(2);
    expect(new Set(log.map((r) => r.url)).size).toBe(2);
  });

  test("two concurrent workers sync each group once", async () => {
    // Six groups of 25, each overlapping the next by 15: users 0–74 in all.
    const names = ["G1", "G2", "G3", "G4", "G5", "G6"];
    const t = await arrangeNumberedTenant(h.db, sb, Object.fromEntries(names.map((n, i) => [n, [[i * 10, i * 10 + 24]] as [number, number][]])));
    await t.select(names.map((n) => t.groupId(n)));
    // Each page takes a little while, so that both workers have jobs in flight at once.
    await setFaults(sb, t.manifest.tenantId, { latencyMs: 20 });
    const [a, b] = await Promise.all([work({ concurrency: 3 }), work({ concurrency: 3 })]);
    expect(a.claimed + b.claimed).toBe(6);
    expect(a.completed + b.completed).toBe(6);
    const log = await listings(t);
    expect(log).toHaveLength(6);
    expect(new Set(log.map((r) => r.url.match(/\/groups\/([^/]+)\//)![1])).size).toBe(6);
    expect(await audience(t)).toEqual(mails([0, 74]));
    expect(await h.db.select().from(s.syncRuns)).toHaveLength(6);
    for (const n of names) expect(await sourceOf(t, n)).toMatchObject({ state: "synced", memberCount: 25 });
  });

  test("a group deleted in Azure keeps its last contribution and shows Error “Deleted in Azure” until unticked", async () => {
    const t = await arrangeNumberedTenant(h.db, sb, { G: [[1, 12]] });
    await t.select([t.groupId("G")]);
    await work();
    expect(await audience(t)).toEqual(mails([1, 12]));
    await mutate(sb, t.manifest.tenantId, { op: "deleteGroup", groupId: t.groupId("G") });
    await requestSync(h.db, t.actor, { sourceId: (await sourceOf(t, "G")).id });
    expect(await work()).toMatchObject({ failed: 1 });
    expect(await audience(t)).toEqual(mails([1, 12]));
    expect(await sourceOf(t, "G")).toMatchObject({ state: "error", memberCount: 12, lastError: { code: "group_deleted", title: "Deleted in Azure" } });
    const [group] = await h.db.select().from(s.directoryGroups).where(eq(s.directoryGroups.id, t.catalog.get(t.groupId("G"))!));
    expect(group.deletedAt).not.toBeNull();
    await t.select([]);
    expect(await audience(t)).toEqual([]);
  });

  test("the entire directory is one more source; unavailable when the connection is limited to selected groups", async () => {
    // The tenant's users are 1–31 (31 disabled), and one org contact.
    const t = await arrangeNumberedTenant(h.db, sb, { Everyone: [[1, 31]] }, { syncContacts: true });
    await mutate(
      sb,
      t.manifest.tenantId,
      { op: "disableUser", userId: t.userId(31) },
      { op: "addContact", contact: { displayName: "Vendor", mail: "vendor@fabrikam.example" } },
    );
    expect(await t.select([], true)).toEqual({ queued: 1, removed: 0 });
    expect(await work()).toMatchObject({ completed: 1, failed: 0 });
    expect(await audience(t)).toEqual([...mails([1, 30]), "vendor@fabrikam.example"].sort());
    const [all] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.kind, "directory_all"));
    expect(all).toMatchObject({ state: "synced", memberCount: 31, skipped: { disabled: 1 } });
    const graph = (await requestLog(sb, t.manifest.tenantId)).filter((r) => r.kind === "graph").map((r) => r.url.split("?")[0]);
    expect(graph).toEqual(expect.arrayContaining(["/v1.0/users", "/v1.0/contacts"]));

    const limited = await makeConnection(h.db, [t.organizationId], { groupObjectIds: ["x"] });
    await expect(updateSelection(h.db, t.actor, { seriesId: t.seriesId, connectionId: limited.id, groupIds: [], entireDirectory: true })).rejects.toThrow(
      /limited to selected groups/,
    );
  });

  test("a preview counts without touching the audience and drops its staging", async () => {
    const t = await arrangeNumberedTenant(h.db, sb, { G: [[1, 21]] });
    await mutate(sb, t.manifest.tenantId, { op: "disableUser", userId: t.userId(21) });
    const [manual] = await h.db.insert(s.audienceSources).values({ seriesId: t.seriesId, kind: "manual", label: "Manual" }).returning();
    await h.db.transaction((tx) => addHoldings(tx, { seriesId: t.seriesId, sourceId: manual.id, rows: [{ email: numberedMail(3) }] }));
    const jobId = await requestPreview(h.db, t.actor, { seriesId: t.seriesId, groupId: t.catalog.get(t.groupId("G"))! });
    expect(await work()).toMatchObject({ completed: 1 });
    const [job] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.id, jobId));
    expect(job).toMatchObject({ status: "done", mode: "preview", result: { wouldAdd: 19, alreadyPresent: 1, total: 20, skipped: { disabled: 1, noAddress: 0, duplicate: 0 } } });
    expect(await listings(t)).toHaveLength(1);
    expect(await audience(t)).toEqual([numberedMail(3)]);
    expect(await sourceOf(t, "G")).toMatchObject({ selected: false, state: "not_synced" });
    expect(await stagedRows()).toBe(0);
  });

  test("verbs authorize: another organization's editor sees nothing; a second Sync now joins the first", async () => {
    const t = await arrangeNumberedTenant(h.db, sb, { G: [[1, 3]] });
    const stranger = await makeOrgWithUser(h.db, "admin");
    const input = { seriesId: t.seriesId, connectionId: t.connectionId, groupIds: [t.catalog.get(t.groupId("G"))!], entireDirectory: false };
    await expect(updateSelection(h.db, stranger.actor, input)).rejects.toMatchObject({ code: "not_found" });
    await expect(updateSelection(h.db, null, input)).rejects.toMatchObject({ code: "unauthenticated" });
    await updateSelection(h.db, t.actor, input);
    const sourceId = (await sourceOf(t, "G")).id;
    await expect(requestSync(h.db, stranger.actor, { sourceId })).rejects.toMatchObject({ code: "not_found" });
    await expect(confirmReview(h.db, stranger.actor, { sourceId })).rejects.toMatchObject({ code: "not_found" });
    await expect(sourceStates(h.db, stranger.actor, { seriesId: t.seriesId })).rejects.toMatchObject({ code: "not_found" });
    const [queued] = await h.db.select().from(s.syncJobs);
    expect(await requestSync(h.db, t.actor, { sourceId })).toBe(queued.id);
    // A connection that does not serve the series' organization is refused.
    const foreign = await makeConnection(h.db, [stranger.org.id]);
    await expect(updateSelection(h.db, t.actor, { ...input, connectionId: foreign.id, groupIds: [] })).rejects.toMatchObject({ code: "not_found" });
    // The joined request is one job: one listing, one run.
    expect(await work()).toMatchObject({ claimed: 1, completed: 1, remaining: 0 });
    expect(await listings(t)).toHaveLength(1);
    expect(await h.db.select().from(s.syncRuns)).toHaveLength(1);
    expect(await audience(t)).toEqual(mails([1, 3]));
  });

  test("scheduleDue queues every ticked group of a due connection once per period", async () => {
    const t = await arrangeNumberedTenant(h.db, sb, { A: [[1, 2]], B: [[3, 4]] });
    await t.select([t.groupId("A"), t.groupId("B")]);
    await work();
    expect(await audience(t)).toEqual(mails([1, 4]));
    const monday = new Date("2026-11-23T06:00:00Z");
    const [n1, n2] = await Promise.all([scheduleDue(h.db, monday), scheduleDue(h.db, monday)]);
    expect(n1 + n2).toBe(2);
    expect(await scheduleDue(h.db, new Date("2026-11-27T06:00:00Z"))).toBe(0);
    expect(await scheduleDue(h.db, new Date("2026-11-30T06:00:00Z"))).toBe(0); // the Monday's jobs are still queued: joined
    expect(await work()).toMatchObject({ completed: 2 });
    expect(await listings(t)).toHaveLength(4);
    expect(await scheduleDue(h.db, new Date("2026-12-07T00:00:01Z"))).toBe(2);
  });
});
