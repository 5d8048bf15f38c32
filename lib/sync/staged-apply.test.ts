/**
 * The staged apply (apply.ts through lib/audience/holdings.ts): a sync's audience is exactly its staged set,
 * other writers of the series are never held up by a listing, groups of one series syncing together each create
 * only the recipients that were missing, and a failed listing leaves nothing in the audience. These cases were
 * written for the pipelined apply (docs/adr/0011-retire-the-pipelined-apply.md) and still hold without it.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import * as s from "@/db/schema";
import { addManualRecipient, removeManualRecipient } from "@/lib/audience/manual";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { fakeGraph, GraphRequestError, makeConnection, makeGroup, makeOrgWithUser, users, type FakeDirectory } from "@/test/support/factories";
import { requestSync, runQueuedWork, updateSelection } from "./verbs";
import type { JobOutcome, JobTimings } from "./run-job";
import { applyStagedSet } from "./apply";

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} still waiting after ${ms} ms`)), ms))]);

describe.each(dbKinds)("staged apply on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  async function arrange(members: number) {
    const { org, series, actor } = await makeOrgWithUser(h.db);
    const connection = await makeConnection(h.db, [org.id]);
    const group = await makeGroup(h.db, connection.id, { objectId: "g", displayName: "G" });
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [group.id], entireDirectory: false });
    const [source] = await h.db
      .select()
      .from(s.audienceSources)
      .where(and(eq(s.audienceSources.seriesId, series.id), eq(s.audienceSources.directoryGroupId, group.id)));
    const dir: FakeDirectory = { groups: new Map([["g", users(1, members)]]), pageSize: 10 };
    return { series, actor, source, dir };
  }

  async function run(dir: FakeDirectory) {
    const finished: { outcome: JobOutcome; timings: JobTimings }[] = [];
    const summary = await runQueuedWork(h.db, {
      budgetMs: 30_000,
      openGraph: fakeGraph(dir).open,
      onProgress: (e) => e.type === "finished" && finished.push({ outcome: e.outcome, timings: e.timings }),
    });
    return { summary, finished };
  }

  const audience = async (seriesId: string) =>
    (await h.db.select({ e: s.recipients.emailNormalized }).from(s.recipients).where(eq(s.recipients.seriesId, seriesId))).map((r) => r.e).sort();

  test("a first sync and a re-sync with removals give exactly the staged set", async () => {
    const { series, actor, source, dir } = await arrange(120);
    const first = await run(dir);
    expect(first.finished.map((f) => f.outcome)).toEqual(["synced"]);
    expect(await audience(series.id)).toHaveLength(120);

    // 30 leave and 10 join: within the guard (30 of 120 is more than 20 %, but not more than 50).
    await requestSync(h.db, actor, { sourceId: source.id });
    const second = await run({ ...dir, groups: new Map([["g", users(31, 130)]]) });
    expect(second.finished.map((f) => f.outcome)).toEqual(["synced"]);
    const got = await audience(series.id);
    expect(got).toHaveLength(100);
    expect(got).not.toContain("user30@contoso.example");
    expect(got).toContain("user130@contoso.example");
    const [job] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.status, "done")).orderBy(sql`finished_at DESC`).limit(1);
    expect(job.result).toMatchObject({ added: 10, removed: 30, recipientsAdded: 10, recipientsRemoved: 30, total: 100 });
    const [src] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.id, source.id));
    expect(src).toMatchObject({ state: "synced", memberCount: 100 });
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging`)).toHaveLength(0);
  });

  test("another writer of the series is not held up while a listing runs", async () => {
    const { series, actor, dir } = await arrange(80);
    let added: { email: string; added: boolean } | undefined;
    const { finished } = await run({
      ...dir,
      // While page 4 is "on its way", an editor adds a recipient by hand: the listing holds no lock of the
      // series' audience, or this add would wait for a sync that waits for it.
      beforeRequest: async (n) => {
        if (n === 4) added = await withTimeout(addManualRecipient(h.db, actor, { seriesId: series.id, email: "boss@contoso.example" }), 10_000, "the manual add");
      },
    });
    expect(added).toMatchObject({ email: "boss@contoso.example", added: true });
    expect(finished.map((f) => f.outcome)).toEqual(["synced"]);
    const got = await audience(series.id);
    expect(got).toHaveLength(81);
    expect(got).toContain("boss@contoso.example");
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging`)).toHaveLength(0);
  });

  test("groups of one series syncing together create exactly the recipients that were missing", async () => {
    const { org, series, actor } = await makeOrgWithUser(h.db);
    const connection = await makeConnection(h.db, [org.id]);
    const a = await makeGroup(h.db, connection.id, { objectId: "a", displayName: "A" });
    const b = await makeGroup(h.db, connection.id, { objectId: "b", displayName: "B" });
    await addManualRecipient(h.db, actor, { seriesId: series.id, email: "user5@contoso.example" });
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [a.id, b.id], entireDirectory: false });
    const finished: { outcome: JobOutcome; timings: JobTimings }[] = [];
    await runQueuedWork(h.db, {
      budgetMs: 30_000,
      concurrency: 2,
      openGraph: fakeGraph({ groups: new Map([["a", users(1, 60)], ["b", users(41, 100)]]), pageSize: 10 }).open,
      onProgress: (e) => e.type === "finished" && finished.push({ outcome: e.outcome, timings: e.timings }),
    });
    expect(finished.map((f) => f.outcome)).toEqual(["synced", "synced"]);
    expect(await audience(series.id)).toHaveLength(100);
    // Each address became a recipient exactly once, whichever group got there first; user 5 was one already.
    const results = await h.db.select({ result: s.syncJobs.result }).from(s.syncJobs);
    const created = results.reduce((n, r) => n + Number((r.result as { recipientsAdded?: number }).recipientsAdded ?? 0), 0);
    expect(created).toBe(99);
  });

  test("a recipient released by another writer during the listing is there after the sync", async () => {
    const { org, series, actor } = await makeOrgWithUser(h.db);
    const connection = await makeConnection(h.db, [org.id]);
    const g = await makeGroup(h.db, connection.id, { objectId: "g", displayName: "G" });
    const other = await makeGroup(h.db, connection.id, { objectId: "h", displayName: "H" });
    await addManualRecipient(h.db, actor, { seriesId: series.id, email: "user1@contoso.example" });
    // H is queued for later: G runs alone.
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [g.id, other.id], entireDirectory: false });
    await h.db.execute(sql`UPDATE sync_jobs SET run_after = now() + interval '1 hour'
                           WHERE source_id = (SELECT id FROM audience_sources WHERE directory_group_id = ${other.id}::uuid)`);
    let removed: unknown;
    const finished: { outcome: JobOutcome; timings: JobTimings }[] = [];
    await runQueuedWork(h.db, {
      budgetMs: 30_000,
      concurrency: 1,
      openGraph: fakeGraph({
        groups: new Map([["g", users(1, 30)]]),
        pageSize: 10,
        // G's second page: user 1 (on its first page) is staged by G, not yet held. The editor removes the
        // manual entry; no holding is left, so the recipient goes; G's apply must bring it back.
        beforeRequest: async (_n, url) => {
          if (url.includes("offset=10") && url.includes(encodeURIComponent("/groups/g/")) && !removed) {
            removed = await withTimeout(removeManualRecipient(h.db, actor, { seriesId: series.id, email: "user1@contoso.example" }), 10_000, "the manual removal");
          }
        },
      }).open,
      onProgress: (e) => e.type === "finished" && finished.push({ outcome: e.outcome, timings: e.timings }),
    });
    expect(removed).toMatchObject({ email: "user1@contoso.example" });
    expect(finished.map((f) => f.outcome)).toEqual(["synced"]);
    const got = await audience(series.id);
    expect(got).toHaveLength(30);
    expect(got).toContain("user1@contoso.example");
    const holders = await queryRows<{ label: string }>(
      h.db,
      sql`SELECT s.label FROM recipient_sources rs JOIN audience_sources s ON s.id = rs.source_id
          WHERE rs.series_id = ${series.id}::uuid AND rs.email_normalized = 'user1@contoso.example'`,
    );
    expect(holders.map((r) => r.label)).toEqual(["G"]);
  });

  test("a failure after pages were staged leaves no trace of them in the audience", async () => {
    const { series, actor, source, dir } = await arrange(60);
    const { finished } = await run({
      ...dir,
      beforeRequest: (n) => {
        if (n === 5) throw new GraphRequestError({ status: 500, code: "InternalServerError", message: "boom" });
      },
    });
    // Retries spent: the job waits to resume (cursor and staging kept); the audience is untouched.
    expect(finished.map((f) => f.outcome)).toEqual(["interrupted"]);
    expect(await audience(series.id)).toEqual([]);
    expect(await queryRows(h.db, sql`SELECT 1 FROM recipient_sources`)).toHaveLength(0);
    // And the next attempt applies everything, from staging and the page that failed.
    await requestSync(h.db, actor, { sourceId: source.id });
    await h.db.execute(sql`UPDATE sync_jobs SET run_after = now() WHERE status = 'queued'`);
    const { finished: again } = await run(dir);
    expect(again.map((f) => f.outcome)).toEqual(["synced"]);
    expect(await audience(series.id)).toHaveLength(60);
  });
});

describe("applying into tables whose statistics say empty (PostgreSQL)", () => {
  let h: TestDb | undefined;
  afterEach(async () => h?.close());

  // A new install, or autovacuum analyzing the tables while small: the planner believes recipients and
  // recipient_sources are empty. An apply must still not scan them once per added row (quadratic, since each scan
  // also reads what the statement has added so far): it reads them through their indexes.
  test.runIf(dbKinds.includes("postgres"))("the staged apply reads them through their indexes", async () => {
    h = await createTestDb("postgres");
    const db = h.db;
    const { org, series, actor } = await makeOrgWithUser(db);
    const connection = await makeConnection(db, [org.id]);
    const group = await makeGroup(db, connection.id, { objectId: "g", displayName: "G" });
    await updateSelection(db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [group.id], entireDirectory: false });
    const [job] = await db.select().from(s.syncJobs);
    await db.execute(sql`ANALYZE recipients`);
    await db.execute(sql`ANALYZE recipient_sources`);
    await db.execute(sql`INSERT INTO sync_staging (job_id, email_normalized, email)
                         SELECT ${job.id}::uuid, 'u' || g || '@x.test', 'u' || g || '@x.test' FROM generate_series(1, 3000) g`);
    // Sequential scans in this transaction, per table: the removals' one pass each is fine; a scan per added row
    // would be thousands.
    const few = [
      { relname: "recipient_sources", seq_scan: expect.toBeOneOf([0, 1, 2]) },
      { relname: "recipients", seq_scan: expect.toBeOneOf([0, 1, 2]) },
    ];
    const seqScans = (tx: Parameters<Parameters<typeof db.transaction>[0]>[0]) =>
      queryRows<{ relname: string; seq_scan: number }>(
        tx,
        sql`SELECT relname, seq_scan::int FROM pg_stat_xact_user_tables WHERE relname IN ('recipients', 'recipient_sources') ORDER BY relname`,
      );
    await db.transaction(async (tx) => {
      const counts = await applyStagedSet(tx, { jobId: job.id, sourceId: job.sourceId, seriesId: series.id, guard: false });
      expect(counts).toMatchObject({ added: 3000, recipientsAdded: 3000 });
      expect(await seqScans(tx)).toEqual(few);
      tx.rollback();
    }).catch((e: unknown) => {
      if (!(e instanceof Error && /rollback/i.test(e.message))) throw e;
    });
  });
});
