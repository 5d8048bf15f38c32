/**
 * The sync engine through the product's real credential and Graph client, over HTTPS, against the sandbox
 * tenant: exact audiences, and what happens on a bad day (500s, 429 storms, dead workers, overlapping cron
 * calls, an expired secret, directory changes, mass removals). Every case also checks that nothing was lost.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import * as s from "@/db/schema";
import { addHoldings } from "@/lib/audience/holdings";
import { forgetSharedCredentials } from "@/lib/directory/entra/client";
import { runCron } from "@/lib/sync/cron";
import { enumerateIntoStaging } from "@/lib/sync/enumerate";
import { openConnectionGraph, type OpenGraphSession } from "@/lib/sync/graph-session";
import { MAX_TRANSIENT_REQUEUES } from "@/lib/sync/run-job";
import { claimNextJob } from "@/lib/jobs/queue";
import { directorySourceStates } from "@/lib/dialog/source-states";
import { confirmReview, runQueuedWork } from "@/lib/sync/verbs";
import type { Sandbox } from "@/sandbox/server";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import {
  arrangeTenant,
  audienceOf,
  groupDetail,
  largestGroups,
  mutate,
  requestLog,
  setFaults,
  startTenantServer,
  type Arranged,
} from "./sandbox-harness";

// 3,000 users, nesting 3 deep, overlapping groups: the largest groups list over several 999-member pages.
const DIRECTORY = { generate: { users: 3000, groups: 6, depth: 3, overlap: 30, disabledPct: 4, noMailPct: 5, guestPct: 3, seed: 7 } };

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

async function sourceOfGroup(h: TestDb, t: Arranged, groupObjectId: string) {
  const [row] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, t.catalog.get(groupObjectId)!));
  return row;
}

const work = (h: TestDb, opts: Partial<Parameters<typeof runQueuedWork>[1]> = {}) => runQueuedWork(h.db, { budgetMs: 60_000, ...opts });

/** Expected audience of one group, straight from the sandbox's own accounting. */
async function expected(t: Arranged, groupId: string): Promise<string[]> {
  const d = await groupDetail(sb, t.manifest.tenantId, groupId);
  return [...new Set(d.recipients!.mail)].sort();
}

describe.each(dbKinds)("sync against the sandbox tenant on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test("a group's audience is exactly its enabled, addressed transitive members, over several pages", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const [big] = largestGroups(t.manifest, 1);
    expect(big.transitive.users).toBeGreaterThan(999);
    await t.select([big.id]);
    expect(await work(h)).toMatchObject({ completed: 1, failed: 0 });
    const detail = await groupDetail(sb, t.manifest.tenantId, big.id);
    expect(await audienceOf(h.db, t.seriesId)).toEqual(await expected(t, big.id));
    const source = await sourceOfGroup(h, t, big.id);
    expect(source.skipped).toMatchObject({
      disabled: detail.skipped!.disabled.length,
      noAddress: detail.skipped!.noAddress.length + detail.skipped!.upnOnly.length,
    });
    const log = (await requestLog(sb, t.manifest.tenantId)).filter((r) => r.kind === "graph");
    // One uncast standard listing: nested groups take places on its pages too (and are dropped).
    expect(log.length).toBe(Math.ceil((big.transitive.users + big.transitive.groups + big.transitive.contacts) / 999));
    for (const r of log) {
      expect(r.consistencyLevel).toBeNull();
      expect(r.top).toBe(999);
      expect(r.select?.sort()).toEqual(["accountEnabled", "displayName", "id", "mail", "userPrincipalName"]);
    }
  });

  test("a 500 on page 3 leaves the audience untouched; the job resumes there, and after a bound the group is in Error with its last good sync", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const [big] = largestGroups(t.manifest, 1);
    await t.select([big.id]);
    await work(h);
    const before = await audienceOf(h.db, t.seriesId);
    const good = (await sourceOfGroup(h, t, big.id)).lastGoodSyncAt;

    // Members leave meanwhile; the next run must not apply a partial listing.
    const leaving = (t.manifest.users ?? []).filter((u) => u.mail && before.includes(u.mail.toLowerCase())).slice(0, 5);
    await mutate(sb, t.manifest.tenantId, ...leaving.map((u) => ({ op: "disableUser", userId: u.id })));
    await setFaults(sb, t.manifest.tenantId, { pageErrors: [{ groupId: big.id, page: 3, status: 500, mode: "always" }] });
    const { requestSync } = await import("@/lib/sync/verbs");
    await requestSync(h.db, t.actor, { sourceId: (await sourceOfGroup(h, t, big.id)).id });
    // Short backoffs: each attempt spends its whole retry budget on page 3, then goes back to the queue with its
    // cursor and staging, a bounded number of times.
    const quick: OpenGraphSession = (db, input) => openConnectionGraph(db, { ...input, retryPolicy: { baseDelayMs: 10, maxDelayMs: 50 } });
    expect(await work(h, { openGraph: quick })).toMatchObject({ interrupted: 1, failed: 0, completed: 0 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual(before);
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging`)).not.toHaveLength(0);
    // The dialog does not hide the retrying behind a plain Queued: what failed, when, which attempt.
    const [waiting] = await directorySourceStates(h.db, t.seriesId, t.connectionId);
    expect(waiting).toMatchObject({ state: "queued", retry: { attempt: 2, of: MAX_TRANSIENT_REQUEUES + 1, error: { code: "graph_unavailable" } } });
    for (let k = 0; k < MAX_TRANSIENT_REQUEUES; k++) {
      await h.db.execute(sql`UPDATE sync_jobs SET run_after = now() WHERE status = 'queued'`);
      expect(await work(h, { openGraph: quick })).toMatchObject(k + 1 < MAX_TRANSIENT_REQUEUES ? { interrupted: 1 } : { failed: 1 });
    }
    expect(await audienceOf(h.db, t.seriesId)).toEqual(before);
    const source = await sourceOfGroup(h, t, big.id);
    expect(source).toMatchObject({ state: "error", lastError: { code: "graph_unavailable" } });
    expect((await directorySourceStates(h.db, t.seriesId, t.connectionId))[0]).toMatchObject({ state: "error", retry: null });
    expect(source.lastGoodSyncAt).toEqual(good);
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging`)).toHaveLength(0);

    await setFaults(sb, t.manifest.tenantId, {});
    await requestSync(h.db, t.actor, { sourceId: source.id });
    expect(await work(h)).toMatchObject({ completed: 1 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual(await expected(t, big.id));
    expect((await audienceOf(h.db, t.seriesId)).length).toBe(before.length - 5);
  }, 60_000);

  test("a storm of 429s completes, and each Retry-After is honoured", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const [big] = largestGroups(t.manifest, 1);
    await setFaults(sb, t.manifest.tenantId, { retryAfter: [{ path: "transitiveMembers", nth: 1, times: 4, seconds: 1, status: 429 }] });
    await t.select([big.id]);
    expect(await work(h)).toMatchObject({ completed: 1 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual(await expected(t, big.id));
    const log = (await requestLog(sb, t.manifest.tenantId)).filter((r) => r.kind === "graph");
    const throttled = log.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(4);
    // Each throttled page is asked again (the storm may throttle the retry too), and the last retry is answered.
    for (const r of throttled) expect(log.find((x) => x.seq > r.seq && x.url === r.url)).toBeDefined();
    const last = throttled[throttled.length - 1];
    expect(log.find((x) => x.seq > last.seq && x.url === last.url)).toMatchObject({ status: 200 });
    const [run] = await h.db.select().from(s.syncRuns);
    expect(run.retries).toBe(4);
    expect(run.throttleWaitMs).toBeGreaterThanOrEqual(4000);
  }, 60_000);

  test("a worker killed mid-run is finished by the next cron call after its lease expires, with no duplicates", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const [big] = largestGroups(t.manifest, 1);
    await t.select([big.id]);
    const job = await claimNextJob(h.db, { owner: "killed-worker", leaseMs: 60_000 });
    const graph = await openConnectionGraph(h.db, { connectionId: t.connectionId });
    await enumerateIntoStaging(h.db, graph, {
      jobId: job!.id,
      owner: "killed-worker",
      leaseMs: 60_000,
      cursor: null,
      streams: [{ kind: "groupMembers", groupObjectId: big.id, contacts: false }],
      rules: { useUsernameFallback: false },
      deadline: 0,
    });
    expect((await runCron(h.db, { budgetMs: 30_000 })).claimed).toBe(0); // the lease still holds
    await h.db.execute(sql`UPDATE sync_jobs SET lease_expires_at = now() - interval '1 second'`);
    const report = await runCron(h.db, { budgetMs: 30_000 });
    expect(report).toMatchObject({ claimed: 1, completed: 1, remaining: 0 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual(await expected(t, big.id));
    const [done] = await h.db.select().from(s.syncJobs);
    // One uncast listing: nested groups and contacts take places on its pages too, and are dropped.
    expect(done.pages).toBe(Math.ceil((big.transitive.users + big.transitive.groups + big.transitive.contacts) / 999));
    expect(done.membersSeen).toBe(big.transitive.users);
    const log = (await requestLog(sb, t.manifest.tenantId)).filter((r) => r.kind === "graph" && r.url.includes("/transitiveMembers") && r.top === 999); // not the cron's health check ($top=1)
    expect(log).toHaveLength(done.pages); // the dead worker's page was not fetched again
  });

  test("two concurrent cron calls sync each group once", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const ids = t.manifest.groups.map((g) => g.id);
    await t.select(ids);
    const [a, b] = await Promise.all([runCron(h.db, { budgetMs: 60_000 }), runCron(h.db, { budgetMs: 60_000 })]);
    expect(a.claimed + b.claimed).toBe(ids.length);
    expect(a.completed + b.completed).toBe(ids.length);
    const firstPages = (await requestLog(sb, t.manifest.tenantId)).filter(
      (r) => r.kind === "graph" && r.url.includes("/transitiveMembers") && r.top === 999 && !/skiptoken/i.test(r.url),
    );
    expect(firstPages).toHaveLength(ids.length);
    const union = new Set<string>();
    for (const id of ids) for (const e of await expected(t, id)) union.add(e);
    expect(await audienceOf(h.db, t.seriesId)).toEqual([...union].sort());
    expect(await h.db.select().from(s.syncRuns)).toHaveLength(ids.length);
  });

  test("an expired secret marks the connection and leaves every audience untouched", async () => {
    // Tokens that live five minutes: a connection's credential and its token are reused across jobs until close
    // to expiry, so here every job has to sign in again, as it would an hour later with real tokens.
    const t = await arrangeTenant(h.db, sb, { ...DIRECTORY, tokenLifetimeSeconds: 300 });
    const groups = largestGroups(t.manifest, 2).map((g) => g.id);
    await t.select(groups);
    await work(h);
    const before = await audienceOf(h.db, t.seriesId);
    await mutate(sb, t.manifest.tenantId, { op: "expireSecret", clientId: t.clientId });
    // The token the syncs above got is still valid (Entra does not revoke issued tokens with their secret), and
    // MSAL hands out a cached token within the second it was issued: the next cron call runs as a new instance.
    forgetSharedCredentials();
    await h.db.update(s.directoryConnections).set({ lastScheduledAt: null }).where(eq(s.directoryConnections.id, t.connectionId));
    const report = await runCron(h.db, { budgetMs: 30_000 });
    expect(report).toMatchObject({ due: 2, failed: 2, completed: 0 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual(before);
    const [connection] = await h.db.select().from(s.directoryConnections).where(eq(s.directoryConnections.id, t.connectionId));
    expect(connection).toMatchObject({ health: "failing", lastError: { code: "secret_expired" } });
    for (const id of groups) expect(await sourceOfGroup(h, t, id)).toMatchObject({ state: "error", lastError: { code: "secret_expired" } });
  });

  test("the cron's health check of a due connection records a revoked permission with its fix", async () => {
    const t = await arrangeTenant(h.db, sb, { scenario: "northwind" });
    // User.Read.All: nothing else the app holds grants it (Group.Read.All would stand in for GroupMember.Read.All).
    await mutate(sb, t.manifest.tenantId, { op: "revokePermission", clientId: t.clientId, permission: "User.Read.All" });
    await h.db.update(s.directoryConnections).set({ lastScheduledAt: null }).where(eq(s.directoryConnections.id, t.connectionId));
    const report = await runCron(h.db, { budgetMs: 30_000 });
    expect(report.connections).toMatchObject({ catalogsFailed: 1, catalogsRefreshed: 0 });
    const [connection] = await h.db.select().from(s.directoryConnections).where(eq(s.directoryConnections.id, t.connectionId));
    expect(connection.health).toBe("degraded"); // it still signs in; one permission is missing
    expect(connection.grantedRoles).not.toContain("User.Read.All");
    expect(JSON.stringify(connection.lastError)).toContain("User.Read.All");
  });

  test("a member removed, a user disabled and a group deleted are reflected by the next sync", async () => {
    const t = await arrangeTenant(h.db, sb, { scenario: "northwind" });
    const all = t.manifest.groups.find((g) => g.displayName === "All-Staff")!;
    const sales = t.manifest.groups.find((g) => g.displayName === "Sales")!;
    await t.select([sales.id, all.id]);
    await work(h);
    const salesBefore = await expected(t, sales.id);
    expect(await audienceOf(h.db, t.seriesId)).toEqual([...new Set([...salesBefore, ...(await expected(t, all.id))])].sort());

    const users = t.manifest.users!;
    const salesUsers = users.filter((u) => u.accountEnabled && u.mail && salesBefore.includes(u.mail.toLowerCase()));
    const [removed, disabled] = salesUsers;
    await mutate(
      sb,
      t.manifest.tenantId,
      { op: "removeMember", groupId: sales.id, memberId: removed.id },
      { op: "disableUser", userId: disabled.id },
      { op: "deleteGroup", groupId: all.id },
    );
    await h.db.update(s.directoryConnections).set({ lastScheduledAt: null }).where(eq(s.directoryConnections.id, t.connectionId));
    await runCron(h.db, { budgetMs: 30_000 });
    const salesAfter = await expected(t, sales.id);
    const allSource = await sourceOfGroup(h, t, all.id);
    expect(allSource).toMatchObject({ state: "error", lastError: { code: "group_deleted", title: "Deleted in Azure" } });
    // The deleted group keeps its last contribution; the disabled user stays only if All-Staff still holds it.
    const got = await audienceOf(h.db, t.seriesId);
    const allHolds = await queryRows<{ e: string }>(h.db, sql`SELECT email_normalized AS e FROM recipient_sources WHERE source_id = ${allSource.id}::uuid`);
    expect(got).toEqual([...new Set([...salesAfter, ...allHolds.map((r) => r.e)])].sort());
    const salesHolds = await queryRows<{ e: string }>(
      h.db,
      sql`SELECT email_normalized AS e FROM recipient_sources WHERE source_id = ${(await sourceOfGroup(h, t, sales.id)).id}::uuid ORDER BY 1`,
    );
    expect(salesHolds.map((r) => r.e)).toEqual(salesAfter);
    expect(salesAfter).not.toContain(removed.mail!.toLowerCase());
    expect(salesAfter).not.toContain(disabled.mail!.toLowerCase());

    // Unticking the deleted group releases what only it held.
    await t.select([sales.id]);
    expect(await audienceOf(h.db, t.seriesId)).toEqual(salesAfter);
  });

  test("a mass removal stops at Needs review, then applies on confirmation; manual recipients keep exact counts", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const [big] = largestGroups(t.manifest, 1);
    const [manual] = await h.db.insert(s.audienceSources).values({ seriesId: t.seriesId, kind: "manual", label: "Manual" }).returning();
    await t.select([big.id]);
    await work(h);
    const before = await audienceOf(h.db, t.seriesId);
    const keep = before[0];
    await h.db.transaction((tx) => addHoldings(tx, { seriesId: t.seriesId, sourceId: manual.id, rows: [{ email: keep }, { email: "boss@elsewhere.example" }] }));

    // Disable a third of the group's addressed members.
    const byMail = new Map((t.manifest.users ?? []).filter((u) => u.mail).map((u) => [u.mail!.toLowerCase(), u.id]));
    const victims = before.slice(0, Math.ceil(before.length / 3)).map((e) => byMail.get(e)!).filter(Boolean);
    await mutate(sb, t.manifest.tenantId, ...victims.map((userId) => ({ op: "disableUser", userId })));
    const { requestSync } = await import("@/lib/sync/verbs");
    const source = await sourceOfGroup(h, t, big.id);
    await requestSync(h.db, t.actor, { sourceId: source.id });
    expect(await work(h)).toMatchObject({ needsReview: 1 });
    expect((await audienceOf(h.db, t.seriesId)).length).toBe(before.length + 1);
    const held = await sourceOfGroup(h, t, big.id);
    expect(held.state).toBe("needs_review");
    expect(held.review).toMatchObject({ current: before.length, wouldRemove: victims.length, wouldAdd: 0 });

    await confirmReview(h.db, t.actor, { sourceId: source.id });
    const after = await audienceOf(h.db, t.seriesId);
    const exp = await expected(t, big.id);
    // The group's remaining members, plus the manual list (whose `keep` was among the disabled).
    expect(after).toEqual([...new Set([...exp, keep, "boss@elsewhere.example"])].sort());
    expect(await sourceOfGroup(h, t, big.id)).toMatchObject({ state: "synced", memberCount: exp.length, review: null });
  });
});

// A 404 on a group created moments ago may be directory replication (https://learn.microsoft.com/en-us/graph/api/team-put-teams):
// one retry after a delay before it is marked deleted; an older group's 404 is a deletion at once.
describe.each(dbKinds)("a group created moments ago on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());
  const SMALL = { generate: { users: 60, groups: 2, depth: 1, overlap: 10, disabledPct: 0, noMailPct: 0, guestPct: 0, seed: 11 } };

  async function arrangeNewGroup(firstSeenAgo: string | null) {
    const t = await arrangeTenant(h.db, sb, SMALL);
    const members = (t.manifest.users ?? []).filter((u) => u.mail && u.accountEnabled).slice(0, 4);
    const {
      results: [made],
    } = (await mutate(sb, t.manifest.tenantId, {
      op: "addGroup",
      group: { displayName: "Just Made" },
      memberIds: members.map((u) => u.id),
      replicationDelayRequests: 1,
    })) as { results: Array<{ id: string }> };
    const [row] = await h.db
      .insert(s.directoryGroups)
      .values({ connectionId: t.connectionId, objectId: made.id, displayName: "Just Made", kind: "security" })
      .returning();
    if (firstSeenAgo) await h.db.execute(sql`UPDATE directory_groups SET created_at = now() - ${firstSeenAgo}::interval WHERE id = ${row.id}::uuid`);
    t.catalog.set(made.id, row.id);
    await t.select([made.id]);
    return { t, groupId: made.id, row, members: members.map((u) => u.mail!.toLowerCase()).sort() };
  }

  test("one 404 on its member listing: the job waits and retries, then the group is Synced with its exact members", async () => {
    const { t, groupId, row, members } = await arrangeNewGroup(null);
    expect(await work(h)).toMatchObject({ interrupted: 1, failed: 0, completed: 0 });
    const [job] = await queryRows<{ status: string; replication_retried: boolean; wait: number }>(
      h.db,
      sql`SELECT status, replication_retried, extract(epoch FROM run_after - now())::float8 AS wait FROM sync_jobs`,
    );
    expect(job).toMatchObject({ status: "queued", replication_retried: true });
    expect(job.wait).toBeGreaterThan(0); // it waits before asking again
    expect((await h.db.select().from(s.directoryGroups).where(eq(s.directoryGroups.id, row.id)))[0].deletedAt).toBeNull();
    expect((await sourceOfGroup(h, t, groupId)).state).not.toBe("error");

    await h.db.execute(sql`UPDATE sync_jobs SET run_after = now() WHERE status = 'queued'`);
    expect(await work(h)).toMatchObject({ completed: 1, failed: 0 });
    expect(await sourceOfGroup(h, t, groupId)).toMatchObject({ state: "synced" });
    expect(await audienceOf(h.db, t.seriesId)).toEqual(members);
    expect(await expected(t, groupId)).toEqual(members);
  });

  test("a group first seen an hour ago: its 404 marks it deleted at once", async () => {
    const { t, groupId, row } = await arrangeNewGroup("1 hour");
    expect(await work(h)).toMatchObject({ failed: 1, interrupted: 0 });
    expect(await sourceOfGroup(h, t, groupId)).toMatchObject({ state: "error", lastError: { code: "group_deleted" } });
    expect((await h.db.select().from(s.directoryGroups).where(eq(s.directoryGroups.id, row.id)))[0].deletedAt).not.toBeNull();
  });

  test("a new group whose listing keeps answering 404 is marked deleted on the second one", async () => {
    const { t, groupId } = await arrangeNewGroup(null);
    await mutate(sb, t.manifest.tenantId, { op: "deleteGroup", groupId });
    expect(await work(h)).toMatchObject({ interrupted: 1 });
    await h.db.execute(sql`UPDATE sync_jobs SET run_after = now() WHERE status = 'queued'`);
    expect(await work(h)).toMatchObject({ failed: 1 });
    expect(await sourceOfGroup(h, t, groupId)).toMatchObject({ state: "error", lastError: { code: "group_deleted" } });
  });
});
