/**
 * A job whose lease expired after a crash is picked up by the next kick of the worker (issue 17, item 6):
 * the dialog's POST while it polls, or an editor's action, not only the next cron call. The job lists its
 * group from the sandbox tenant, through the product's real Graph stack.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { eq, sql } from "drizzle-orm";
import * as s from "@/db/schema";
import { claimNextJob } from "@/lib/jobs/queue";
import { runQueuedWork, seriesWorkToKick } from "@/lib/sync/verbs";
import type { Sandbox } from "@/sandbox/server";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { makeOrgWithUser } from "@/test/support/factories";
import { arrangeTenant, audienceOf, groupDetail, startTenantServer } from "./sandbox-harness";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

describe.each(dbKinds)("lease pickup on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test("a job left Syncing by a dead worker is taken by the next kick once its lease expired", async () => {
    const t = await arrangeTenant(h.db, sb, { scenario: "northwind" });
    const outreach = t.manifest.groups.find((g) => g.displayName === "Outreach")!;
    const stranger = (await makeOrgWithUser(h.db)).actor;
    await t.select([outreach.id]);

    // A worker claims the job, marks the group Syncing, and dies (kill -9): its lease is still live.
    const job = (await claimNextJob(h.db, { owner: "dead-worker", leaseMs: 60_000 }))!;
    await h.db.update(s.audienceSources).set({ state: "syncing" }).where(eq(s.audienceSources.seriesId, t.seriesId));
    expect(await seriesWorkToKick(h.db, t.actor, t.seriesId)).toBe(false);
    await expect(seriesWorkToKick(h.db, stranger, t.seriesId)).rejects.toMatchObject({ code: "not_found" });

    // The lease expires.
    await h.db.execute(sql`UPDATE sync_jobs SET lease_expires_at = now() - interval '1 second' WHERE id = ${job.id}::uuid`);
    expect(await seriesWorkToKick(h.db, t.actor, t.seriesId)).toBe(true);

    // What the kick starts finishes the job, with exactly the group's recipients as the sandbox counts them.
    expect(await runQueuedWork(h.db, { budgetMs: 60_000 })).toMatchObject({ claimed: 1, completed: 1, remaining: 0 });
    const want = [...new Set((await groupDetail(sb, t.manifest.tenantId, outreach.id)).recipients!.mail)].sort();
    expect(want.length).toBeGreaterThan(0);
    const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.seriesId, t.seriesId));
    expect(source).toMatchObject({ state: "synced", memberCount: want.length });
    expect(await audienceOf(h.db, t.seriesId)).toEqual(want);
    expect(await seriesWorkToKick(h.db, t.actor, t.seriesId)).toBe(false);
  });
});
