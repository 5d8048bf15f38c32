/**
 * Poison data never wedges a group (issue 17, item 4), replayed through the product's real Graph client
 * against the sandbox tenant: a directory user whose displayName holds a NUL once failed the staging insert
 * and then the recording of that failure, leaving the group Syncing through attempt after attempt; a group
 * name of many kilobytes failed the whole catalog refresh; a NUL in one CSV row failed the whole upload.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import * as s from "@/db/schema";
import { importRecipientCsv } from "@/lib/audience/csv-import";
import { refreshCatalog } from "@/lib/connections/catalog";
import { openRun, recordFailed } from "@/lib/sync/outcomes";
import { claimNextJob } from "@/lib/jobs/queue";
import { runQueuedWork, updateSelection } from "@/lib/sync/verbs";
import type { Sandbox } from "@/sandbox/server";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { makeConnection, makeGroup, makeOrgWithUser } from "@/test/support/factories";
import { arrangeTenant, audienceOf, mutate, startTenantServer } from "./sandbox-harness";

const DIRECTORY = { generate: { users: 60, groups: 2, depth: 1, overlap: 10, seed: 11 } };

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

describe.each(dbKinds)("poison data on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test("a user whose displayName holds a NUL syncs: the name is stored without it, the group ends Synced", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const group = t.manifest.groups[0];
    const mail = `eve.null.${randomBytes(3).toString("hex")}@example.test`;
    await mutate(sb, t.manifest.tenantId, { op: "addUser", user: { displayName: "Eve\u0000 Null\u0007", mail }, groupIds: [group.id] });
    await t.select([group.id]);
    const summary = await runQueuedWork(h.db, { budgetMs: 60_000 });
    expect(summary).toMatchObject({ claimed: 1, completed: 1, failed: 0, remaining: 0 });
    expect(await audienceOf(h.db, t.seriesId)).toContain(mail);
    const [row] = await h.db.select({ name: s.recipients.name }).from(s.recipients).where(eq(s.recipients.emailNormalized, mail));
    expect(row.name).toBe("Eve Null");
    const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, t.catalog.get(group.id)!));
    expect(source.state).toBe("synced");
  });

  test("a group name of 20,000 characters, and one with a NUL, do not break the catalog refresh: both are cut to 256", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    // Random text: a repetitive name would compress below the index's row limit and hide the failure.
    const huge = randomBytes(15_000).toString("base64").slice(0, 20_000);
    const hugeId = randomUUID();
    const nulId = randomUUID();
    await mutate(
      sb,
      t.manifest.tenantId,
      { op: "addGroup", group: { id: hugeId, displayName: huge } },
      { op: "addGroup", group: { id: nulId, displayName: "Poison\u0000Group" } },
    );
    const refresh = await refreshCatalog(h.db, t.connectionId);
    expect(refresh.added).toBe(2);
    const rows = await h.db.select().from(s.directoryGroups).where(eq(s.directoryGroups.connectionId, t.connectionId));
    const byObject = new Map(rows.map((r) => [r.objectId, r.displayName]));
    expect(Array.from(byObject.get(hugeId)!).length).toBe(256);
    expect(byObject.get(hugeId)!.endsWith("…")).toBe(true);
    expect(byObject.get(nulId)).toBe("PoisonGroup");
  });

  test("recording a failure whose details carry a NUL and a lone surrogate succeeds, and releases the lease", async () => {
    const { org, series, actor } = await makeOrgWithUser(h.db);
    const connection = await makeConnection(h.db, [org.id]);
    const group = await makeGroup(h.db, connection.id);
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [group.id], entireDirectory: false });
    const job = (await claimNextJob(h.db, { owner: "w1" }))!;
    const runId = await openRun(h.db, job);
    const diagnosis = { code: "unknown", title: "Staging failed", fix: "Try again.", details: 'invalid byte sequence: params "Eve\u0000Null" \ud800' };
    expect(await recordFailed(h.db, { jobId: job.id, runId, sourceId: job.sourceId, owner: "w1" }, diagnosis, { mode: "sync" })).toBe(true);
    const [after] = await h.db.select().from(s.syncJobs).where(eq(s.syncJobs.id, job.id));
    expect(after).toMatchObject({ status: "failed", leaseOwner: null });
    expect((after.error as { details: string }).details).toBe('invalid byte sequence: params "EveNull" \ufffd');
    const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.id, job.sourceId));
    expect(source.state).toBe("error");
  });

  test("a job whose attempts keep ending without a result fails after max_attempts with a diagnosis, without Graph", async () => {
    const { org, series, actor } = await makeOrgWithUser(h.db);
    const connection = await makeConnection(h.db, [org.id]);
    const group = await makeGroup(h.db, connection.id);
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [group.id], entireDirectory: false });
    // Four attempts already died holding the lease; the fifth one died too (its lease expired just now).
    await h.db.execute(
      sql`UPDATE sync_jobs SET status = 'running', lease_owner = 'dead', lease_expires_at = now() - interval '1 second',
            attempts = 5, lost_attempts = 4, max_attempts = 5`,
    );
    let graphOpened = 0;
    const summary = await runQueuedWork(h.db, {
      budgetMs: 30_000,
      openGraph: async () => {
        graphOpened++;
        throw new Error("Graph must not be called for a job out of attempts");
      },
    });
    expect(summary).toMatchObject({ claimed: 1, failed: 1, remaining: 0 });
    expect(graphOpened).toBe(0);
    const [job] = await queryRows<{ status: string; lease_owner: string | null; lease_expires_at: unknown; error: unknown }>(
      h.db,
      sql`SELECT status, lease_owner, lease_expires_at, error FROM sync_jobs`,
    );
    expect(job).toMatchObject({ status: "failed", lease_owner: null, lease_expires_at: null });
    const error = typeof job.error === "string" ? JSON.parse(job.error) : job.error;
    expect(error).toMatchObject({ code: "attempts_exhausted", title: "Stopped after 5 attempts that ended without a result" });
    const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, group.id));
    expect(source).toMatchObject({ state: "error", lastError: { code: "attempts_exhausted" } });
  });

  test("a NUL in one CSV row's name rejects that row by line number; the other rows import", async () => {
    const { series, actor } = await makeOrgWithUser(h.db);
    const csv = "email,name\nada@example.test,Ada\nnul@example.test,Bad\u0000Name\ngrace@example.test,Grace\u0007 Hopper\n";
    const result = await importRecipientCsv(h.db, actor, { seriesId: series.id, fileName: "list.csv", bytes: new TextEncoder().encode(csv) });
    expect(result).toMatchObject({ imported: 2, rejected: 1 });
    expect(result.problems).toEqual([{ line: 3, reason: "malformed", detail: "the name contains a NUL character (U+0000); remove it and upload again" }]);
    const rows = await h.db.select({ e: s.recipients.emailNormalized, n: s.recipients.name }).from(s.recipients).where(eq(s.recipients.seriesId, series.id));
    expect(rows.sort((a, b) => a.e.localeCompare(b.e))).toEqual([
      { e: "ada@example.test", n: "Ada" },
      { e: "grace@example.test", n: "Grace  Hopper" },
    ]);
  });
});
