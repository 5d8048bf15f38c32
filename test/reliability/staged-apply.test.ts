/**
 * The staged apply (lib/sync/apply.ts through lib/audience/holdings.ts), with every listing read from the sandbox
 * tenant through the product's real credential, Graph client and session: a sync's audience is exactly its staged
 * set, other writers of the series are never held up by a listing, groups of one series syncing together each
 * create only the recipients that were missing, and a failed listing leaves nothing in the audience. These cases
 * were written for the pipelined apply (docs/adr/0011-retire-the-pipelined-apply.md) and still hold without it.
 *
 * Where another writer must act in the middle of a listing, the real session is wrapped so that the request for a
 * given page waits for the test (after the pages before it were staged): nothing is answered in Graph's place.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import * as s from "@/db/schema";
import { addManualRecipient, removeManualRecipient } from "@/lib/audience/manual";
import type { MemberStream } from "@/lib/directory/types";
import { applyStagedSet } from "@/lib/sync/apply";
import { openConnectionGraph, type OpenGraphSession } from "@/lib/sync/graph-session";
import type { JobOutcome } from "@/lib/sync/run-job";
import { requestSync, runQueuedWork, updateSelection } from "@/lib/sync/verbs";
import type { WorkEvent } from "@/lib/sync/worker";
import type { Sandbox } from "@/sandbox/server";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { makeConnection, makeGroup, makeOrgWithUser } from "@/test/support/factories";
import { arrangeNumberedTenant, mutate, numberedMail, requestLog, setFaults, startTenantServer } from "./sandbox-harness";

type Tenant = Awaited<ReturnType<typeof arrangeNumberedTenant>>;

/** More members than one page of 999: the listing has a second page to be in the middle of. */
const TWO_PAGES = 1200;

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} still waiting after ${ms} ms`)), ms))]);

const mails = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => numberedMail(from + i)).sort();

/** Called before the listing of `groupObjectId` asks for its `page`-th page (1-based); awaited before the request leaves. */
type BeforePage = (at: { groupObjectId: string; page: number }) => void | Promise<void>;

/**
 * The real session on the connection (short backoffs, so a test can spend a retry budget quickly), whose member
 * page requests first wait for `beforePage`.
 */
function sessionWith(beforePage?: BeforePage): OpenGraphSession {
  const asked = new Map<string, number>();
  return async (db, input) => {
    const real = await openConnectionGraph(db, { ...input, retryPolicy: { baseDelayMs: 10, maxDelayMs: 50 } });
    if (!beforePage) return real;
    const startMemberPage: typeof real.startMemberPage = async (stream: MemberStream | undefined, cursor, signal) => {
      const groupObjectId = stream?.kind === "groupMembers" ? stream.groupObjectId : "";
      const page = (asked.get(groupObjectId) ?? 0) + 1;
      asked.set(groupObjectId, page);
      await beforePage({ groupObjectId, page });
      return real.startMemberPage(stream, cursor, signal);
    };
    return Object.create(real, { startMemberPage: { value: startMemberPage } });
  };
}

describe.each(dbKinds)("staged apply on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  /** A tenant whose group G holds numbered users 1 to `members`, G selected for the series (its sync queued). */
  async function arrange(members: number) {
    const t = await arrangeNumberedTenant(h.db, sb, { G: [[1, members]] });
    await t.select([t.groupId("G")]);
    const [source] = await h.db
      .select()
      .from(s.audienceSources)
      .where(and(eq(s.audienceSources.seriesId, t.seriesId), eq(s.audienceSources.directoryGroupId, t.catalog.get(t.groupId("G"))!)));
    return { t, source };
  }

  /** Runs the queued work; `stagedPages(n)` resolves once some listing has staged `n` pages. */
  function worker(opts: { concurrency?: number; beforePage?: BeforePage } = {}) {
    const finished: JobOutcome[] = [];
    let staged = 0;
    const waiting: { n: number; resolve: () => void }[] = [];
    const onProgress = (e: WorkEvent) => {
      if (e.type === "finished") finished.push(e.outcome);
      if (e.type !== "page") return;
      staged = Math.max(staged, e.progress.pages);
      for (const w of waiting.filter((x) => x.n <= staged)) w.resolve();
    };
    return {
      finished,
      stagedPages: (n: number) =>
        withTimeout(staged >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve })), 10_000, `page ${n}'s staging`),
      run: () => runQueuedWork(h.db, { budgetMs: 60_000, concurrency: opts.concurrency, openGraph: sessionWith(opts.beforePage), onProgress }),
    };
  }

  const audience = async (seriesId: string) =>
    (await h.db.select({ e: s.recipients.emailNormalized }).from(s.recipients).where(eq(s.recipients.seriesId, seriesId))).map((r) => r.e).sort();
  const memberPages = async (t: Tenant) =>
    (await requestLog(sb, t.manifest.tenantId)).filter((r) => r.kind === "graph" && r.url.includes(`/groups/${t.groupId("G")}/transitiveMembers`));

  test("a first sync and a re-sync with removals give exactly the staged set", async () => {
    const { t, source } = await arrange(120);
    const first = worker();
    await first.run();
    expect(first.finished).toEqual(["synced"]);
    expect(await audience(t.seriesId)).toEqual(mails(1, 120));

    // In Azure, 30 leave and 10 join: within the guard (30 of 120 is more than 20 %, but not more than 50).
    await mutate(
      sb,
      t.manifest.tenantId,
      ...Array.from({ length: 30 }, (_, i) => ({ op: "removeMember", groupId: t.groupId("G"), memberId: t.userId(i + 1) })),
      ...Array.from({ length: 10 }, (_, i) => ({
        op: "addUser",
        user: { displayName: `User ${121 + i}`, mail: numberedMail(121 + i), userPrincipalName: numberedMail(121 + i) },
        groupIds: [t.groupId("G")],
      })),
    );
    await requestSync(h.db, t.actor, { sourceId: source.id });
    const second = worker();
    await second.run();
    expect(second.finished).toEqual(["synced"]);
    expect(await audience(t.seriesId)).toEqual(mails(31, 130));
    const [job] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.status, "done")).orderBy(sql`finished_at DESC`).limit(1);
    expect(job.result).toMatchObject({ added: 10, removed: 30, recipientsAdded: 10, recipientsRemoved: 30, total: 100 });
    const [src] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.id, source.id));
    expect(src).toMatchObject({ state: "synced", memberCount: 100 });
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging`)).toHaveLength(0);
  });

  test("another writer of the series is not held up while a listing runs", async () => {
    const { t } = await arrange(TWO_PAGES);
    let added: { email: string; added: boolean } | undefined;
    const w = worker({
      // Page 1 is staged and page 2 not yet asked for: an editor adds a recipient by hand. The listing holds no
      // lock of the series' audience, or this add would wait for a sync that waits for it.
      beforePage: async ({ page }) => {
        if (page !== 2) return;
        await w.stagedPages(1);
        added = await withTimeout(addManualRecipient(h.db, t.actor, { seriesId: t.seriesId, email: "boss@contoso.example" }), 10_000, "the manual add");
      },
    });
    await w.run();
    expect(added).toMatchObject({ email: "boss@contoso.example", added: true });
    expect(w.finished).toEqual(["synced"]);
    expect(await audience(t.seriesId)).toEqual([...mails(1, TWO_PAGES), "boss@contoso.example"].sort());
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging`)).toHaveLength(0);
  });

  test("groups of one series syncing together create exactly the recipients that were missing", async () => {
    const t = await arrangeNumberedTenant(h.db, sb, { A: [[1, 60]], B: [[41, 100]] });
    await addManualRecipient(h.db, t.actor, { seriesId: t.seriesId, email: numberedMail(5) });
    await t.select([t.groupId("A"), t.groupId("B")]);
    // Neither listing asks for its page before the other has started: the two syncs run together.
    const started = new Set<string>();
    let bothStarted!: () => void;
    const together = new Promise<void>((resolve) => (bothStarted = resolve));
    const w = worker({
      concurrency: 2,
      beforePage: async ({ groupObjectId, page }) => {
        if (page !== 1) return;
        started.add(groupObjectId);
        if (started.size === 2) bothStarted();
        await withTimeout(together, 10_000, "the other group's listing");
      },
    });
    await w.run();
    expect(w.finished).toEqual(["synced", "synced"]);
    expect(await audience(t.seriesId)).toEqual(mails(1, 100));
    // Each address became a recipient exactly once, whichever group got there first; user 5 was one already.
    const results = await h.db.select({ result: s.syncJobs.result }).from(s.syncJobs);
    const created = results.reduce((n, r) => n + Number((r.result as { recipientsAdded?: number }).recipientsAdded ?? 0), 0);
    expect(created).toBe(99);
  });

  test("a recipient released by another writer during the listing is there after the sync", async () => {
    const t = await arrangeNumberedTenant(h.db, sb, { G: [[1, TWO_PAGES]], H: [[1, 10]] });
    const g = t.catalog.get(t.groupId("G"))!;
    await addManualRecipient(h.db, t.actor, { seriesId: t.seriesId, email: numberedMail(1) });
    // H is queued for later: G runs alone.
    await t.select([t.groupId("G"), t.groupId("H")]);
    await h.db.execute(sql`UPDATE sync_jobs SET run_after = now() + interval '1 hour'
                           WHERE source_id = (SELECT id FROM audience_sources WHERE directory_group_id = ${t.catalog.get(t.groupId("H"))!}::uuid)`);
    let removed: unknown;
    let stagedBeforeRemoval: unknown[] = [];
    const w = worker({
      concurrency: 1,
      // G's second page: user 1 (on its first page) is staged by G, not yet held. The editor removes the manual
      // entry; no holding is left, so the recipient goes; G's apply must bring it back.
      beforePage: async ({ groupObjectId, page }) => {
        if (groupObjectId !== t.groupId("G") || page !== 2 || removed) return;
        await w.stagedPages(1);
        stagedBeforeRemoval = await queryRows(h.db, sql`SELECT 1 FROM sync_staging WHERE email_normalized = ${numberedMail(1)}`);
        removed = await withTimeout(removeManualRecipient(h.db, t.actor, { seriesId: t.seriesId, email: numberedMail(1) }), 10_000, "the manual removal");
      },
    });
    await w.run();
    expect(stagedBeforeRemoval).toHaveLength(1);
    expect(removed).toMatchObject({ email: numberedMail(1) });
    expect(w.finished).toEqual(["synced"]);
    expect(await audience(t.seriesId)).toEqual(mails(1, TWO_PAGES));
    const holders = await queryRows<{ label: string }>(
      h.db,
      sql`SELECT s.label FROM recipient_sources rs JOIN audience_sources s ON s.id = rs.source_id
          WHERE rs.series_id = ${t.seriesId}::uuid AND rs.email_normalized = ${numberedMail(1)}`,
    );
    expect(holders.map((r) => r.label)).toEqual(["G"]);
    const [gSource] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, g));
    expect(gSource).toMatchObject({ state: "synced", memberCount: TWO_PAGES });
  });

  test("a failure after pages were staged leaves no trace of them in the audience", async () => {
    const { t, source } = await arrange(TWO_PAGES);
    // Graph answers page 2 with 500 every time: the session's retries are spent on it.
    await setFaults(sb, t.manifest.tenantId, { pageErrors: [{ groupId: t.groupId("G"), page: 2, status: 500, mode: "always" }] });
    const first = worker();
    await first.run();
    // The job waits to resume (cursor and staging kept); the audience is untouched.
    expect(first.finished).toEqual(["interrupted"]);
    expect(await audience(t.seriesId)).toEqual([]);
    expect(await queryRows(h.db, sql`SELECT 1 FROM recipient_sources`)).toHaveLength(0);
    const [held] = await h.db.select().from(s.syncJobs);
    expect(held).toMatchObject({ status: "queued", pages: 1, enumerationDone: false });
    expect(held.cursor).toContain("skiptoken");
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging WHERE job_id = ${held.id}::uuid`)).toHaveLength(999);
    const failing = await memberPages(t);
    expect(failing.filter((r) => r.fault === "pageError").length).toBeGreaterThan(1);
    expect(failing.filter((r) => r.status === 500)).toEqual(failing.filter((r) => r.fault === "pageError"));

    // Graph recovers. The next attempt applies everything, from staging and the page that failed: it asks for
    // page 2 only.
    await setFaults(sb, t.manifest.tenantId, {});
    await requestSync(h.db, t.actor, { sourceId: source.id });
    await h.db.execute(sql`UPDATE sync_jobs SET run_after = now() WHERE status = 'queued'`);
    const before = Math.max(...failing.map((r) => r.seq));
    const again = worker();
    await again.run();
    expect(again.finished).toEqual(["synced"]);
    expect(await audience(t.seriesId)).toEqual(mails(1, TWO_PAGES));
    const resumed = (await memberPages(t)).filter((r) => r.seq > before);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.filter((r) => !/skiptoken/i.test(r.url))).toEqual([]);
  });
});

describe("applying into tables whose statistics say empty (PostgreSQL)", () => {
  let h: TestDb | undefined;
  afterEach(async () => h?.close());

  // A new install, or autovacuum analyzing the tables while small: the planner believes recipients and
  // recipient_sources are empty. An apply must still not scan them once per added row (quadratic, since each scan
  // also reads what the statement has added so far): it reads them through their indexes. No Graph here: the
  // staging is written directly.
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
