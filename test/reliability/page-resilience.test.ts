/**
 * A page that breaks is fetched again, not the whole run: a body cut off mid-transfer, a response that stalls
 * and a body that is not JSON, through the product's real credential and Graph client against the sandbox.
 * When retries run out the job keeps its cursor and staging and the next attempt finishes exactly; a listing
 * whose cursor keeps being rejected starts over a bounded number of times.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import * as s from "@/db/schema";
import { MAX_CURSOR_RESTARTS } from "@/lib/sync/enumerate";
import { openConnectionGraph, type OpenGraphSession } from "@/lib/sync/graph-session";
import { claimNextJob } from "@/lib/jobs/queue";
import { MAX_TRANSIENT_REQUEUES, runClaimedJob } from "@/lib/sync/run-job";
import { runQueuedWork } from "@/lib/sync/verbs";
import type { Sandbox } from "@/sandbox/server";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { arrangeTenant, audienceOf, groupDetail, largestGroups, requestLog, setFaults, startTenantServer, type Arranged } from "./sandbox-harness";

const DIRECTORY = { generate: { users: 3000, groups: 6, depth: 3, overlap: 30, disabledPct: 4, noMailPct: 5, guestPct: 3, seed: 7 } };

// A stalled request is abandoned after this long without a byte (the product's default is a minute).
const IDLE_MS = 2_000;
let sb: Sandbox;
let idleBefore: string | undefined;
beforeAll(async () => {
  sb = await startTenantServer();
  idleBefore = process.env.GRAPH_IDLE_TIMEOUT_MS;
  process.env.GRAPH_IDLE_TIMEOUT_MS = String(IDLE_MS);
});
afterAll(() => {
  if (idleBefore === undefined) delete process.env.GRAPH_IDLE_TIMEOUT_MS;
  else process.env.GRAPH_IDLE_TIMEOUT_MS = idleBefore;
  return sb?.close();
});

/** The real session, with short backoffs so that a test can spend a whole retry budget quickly. */
const quickRetries: OpenGraphSession = (db, input) => openConnectionGraph(db, { ...input, retryPolicy: { baseDelayMs: 10, maxDelayMs: 50 } });
const work = (h: TestDb, opts: Partial<Parameters<typeof runQueuedWork>[1]> = {}) =>
  runQueuedWork(h.db, { budgetMs: 60_000, openGraph: quickRetries, ...opts });

async function expected(t: Arranged, groupId: string): Promise<string[]> {
  const d = await groupDetail(sb, t.manifest.tenantId, groupId);
  return [...new Set(d.recipients!.mail)].sort();
}

/** The member-page requests of the log, in order (not the token requests). */
async function pageRequests(t: Arranged) {
  return (await requestLog(sb, t.manifest.tenantId)).filter((r) => r.kind === "graph" && r.url.includes("/transitiveMembers"));
}

describe.each(dbKinds)("a page that breaks, on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test.each([
    ["a body reset mid-page (after its nextLink was read)", { bodyReset: [{ path: "transitiveMembers", nth: 2, afterBytes: 8192 }] }, "bodyReset"],
    ["a response that stalls mid-body", { stall: [{ path: "transitiveMembers", nth: 2, phase: "body", afterBytes: 8192, ms: 15_000 }] }, "stall"],
    ["a response that stalls before its head", { stall: [{ path: "transitiveMembers", nth: 2, phase: "headers", ms: 15_000 }] }, "stall"],
    ["a page that is not JSON", { nonJson: [{ path: "transitiveMembers", nth: 2 }] }, "nonJson"],
  ])("%s is fetched again; the audience is complete and exact", async (_name, faults, fault) => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const [big] = largestGroups(t.manifest, 1);
    const pages = Math.ceil(big.transitive.users / 999);
    expect(pages).toBeGreaterThanOrEqual(3);
    await setFaults(sb, t.manifest.tenantId, faults);
    await t.select([big.id]);
    expect(await work(h)).toMatchObject({ completed: 1, failed: 0, interrupted: 0 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual(await expected(t, big.id));
    const [job] = await h.db.select().from(s.syncJobs);
    // Every member once: the re-fetched page was neither doubled nor lost, though the next one was already asked for.
    expect(job).toMatchObject({ status: "done", pages, membersSeen: big.transitive.users, skippedDuplicate: 0, cursorRestarts: 0 });
    expect(job.retries).toBeGreaterThanOrEqual(1);
    const log = await pageRequests(t);
    expect(log.filter((r) => r.fault === fault)).toHaveLength(1);
    expect(log).toHaveLength(pages + 1); // the broken page once more, nothing else
    expect(new Set(log.map((r) => r.url)).size).toBe(pages);
    const broken = log.find((r) => r.fault === fault)!;
    expect(log.filter((r) => r.url === broken.url)).toHaveLength(2);
  }, 90_000);

  test("retries exhausted: the job goes back to the queue with its cursor and staging; the next attempt finishes exactly", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const [big] = largestGroups(t.manifest, 1);
    const pages = Math.ceil(big.transitive.users / 999);
    // Page 2 breaks every time it is asked for, more often than one attempt retries.
    await setFaults(sb, t.manifest.tenantId, { bodyReset: [{ path: "transitiveMembers", nth: 2, times: 50, afterBytes: 8192 }] });
    await t.select([big.id]);
    expect(await work(h)).toMatchObject({ claimed: 1, interrupted: 1, failed: 0, completed: 0 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual([]);
    const [held] = await h.db.select().from(s.syncJobs);
    expect(held).toMatchObject({ status: "queued", pages: 1, enumerationDone: false, error: { code: expect.any(String) } });
    expect(held.cursor).toContain("skiptoken");
    const staged = await queryRows<{ n: number }>(h.db, sql`SELECT count(*)::int AS n FROM sync_staging WHERE job_id = ${held.id}::uuid`);
    expect(Number(staged[0].n)).toBeGreaterThan(0);
    expect(held.runAfter.getTime()).toBeGreaterThan(Date.now());
    const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.id, held.sourceId));
    expect(source.state).not.toBe("error");

    // Graph recovers; the job is due again and resumes at page 2.
    await setFaults(sb, t.manifest.tenantId, {});
    await h.db.execute(sql`UPDATE sync_jobs SET run_after = now()`);
    // Listing requests that arrived from now on. The first attempt's read-ahead requests (pages after the broken
    // one) are not cancelled when it gives up: their retries may still arrive here, so the assertions are about
    // what the second attempt must and must not ask for, not a count.
    const resumeAt = Date.now();
    expect(await work(h)).toMatchObject({ claimed: 1, completed: 1 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual(await expected(t, big.id));
    const [done] = await h.db.select().from(s.syncJobs);
    expect(done).toMatchObject({ status: "done", pages, membersSeen: big.transitive.users, skippedDuplicate: 0 });
    const resumed = (await pageRequests(t)).filter((r) => r.at >= resumeAt);
    expect(resumed.filter((r) => !/skiptoken/i.test(r.url))).toHaveLength(0); // page 1 was not fetched again
    expect(resumed.map((r) => r.url)).toContain(JSON.parse(held.cursor!).next.replace(/^https:\/\/[^/]+/, "")); // resumed at the cursor
    const runs = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.jobId, done.id));
    expect(runs.map((r) => r.outcome).sort()).toEqual(["interrupted", "synced"]);
  }, 90_000);

  test("a transient failure that never ends fails the job after a bounded number of requeues", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const [big] = largestGroups(t.manifest, 1);
    await setFaults(sb, t.manifest.tenantId, { nonJson: [{ path: "transitiveMembers", nth: 2, times: 1000 }] });
    await t.select([big.id]);
    for (let k = 0; k < MAX_TRANSIENT_REQUEUES; k++) {
      expect(await work(h)).toMatchObject({ interrupted: 1 });
      await h.db.execute(sql`UPDATE sync_jobs SET run_after = now()`);
    }
    expect(await work(h)).toMatchObject({ failed: 1 });
    const [job] = await h.db.select().from(s.syncJobs);
    expect(job.status).toBe("failed");
    expect(await audienceOf(h.db, t.seriesId)).toEqual([]);
  }, 120_000);

  test("a cursor Graph keeps rejecting restarts the listing a bounded number of times, then fails with a diagnosis", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const [big] = largestGroups(t.manifest, 1);
    await t.select([big.id]);
    // Each attempt stages one page (its deadline has passed: only the first request is made) and saves its
    // cursor; then the cursor expires, as a skiptoken does, before the next attempt uses it.
    const attempt = async () => {
      const job = await claimNextJob(h.db, { owner: "w", leaseMs: 60_000 });
      return runClaimedJob(h.db, job!, { owner: "w", leaseMs: 60_000, deadline: 0, openGraph: quickRetries });
    };
    expect(await attempt()).toBe("interrupted");
    const expire = async () => {
      const [job] = await h.db.select().from(s.syncJobs);
      const cursor = JSON.parse(job.cursor!) as { stream: number; next: string };
      const expired = { ...cursor, next: cursor.next.replace(/\$skiptoken=[^&]+/, "$skiptoken=RFNwdAIAexpired") };
      await h.db.update(s.syncJobs).set({ cursor: JSON.stringify(expired) }).where(eq(s.syncJobs.id, job.id));
    };
    for (let k = 1; k <= MAX_CURSOR_RESTARTS; k++) {
      await expire();
      expect(await attempt()).toBe("interrupted");
      const [job] = await h.db.select().from(s.syncJobs);
      expect(job).toMatchObject({ status: "queued", cursorRestarts: k, pages: 1 });
    }
    await expire();
    expect(await attempt()).toBe("failed");
    const [failed] = await h.db.select().from(s.syncJobs);
    expect(failed).toMatchObject({ status: "failed", error: { code: "listing_restarts" } });
    const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.id, failed.sourceId));
    expect(source).toMatchObject({ state: "error", lastError: { code: "listing_restarts" } });
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_staging`)).toHaveLength(0);
  }, 90_000);
});
