/**
 * A job whose lease expired after a crash is picked up by the next kick of the worker (issue 17, item 6):
 * the dialog's POST while it polls, or an editor's action, not only the next cron call.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { eq, sql } from "drizzle-orm";
import * as s from "@/db/schema";
import { claimNextJob } from "@/lib/jobs/queue";
import { runQueuedWork, seriesWorkToKick, updateSelection } from "@/lib/sync/verbs";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { fakeGraph, makeConnection, makeGroup, makeOrgWithUser, users } from "@/test/support/factories";

describe.each(dbKinds)("lease pickup on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test("a job left Syncing by a dead worker is taken by the next kick once its lease expired", async () => {
    const { org, series, actor } = await makeOrgWithUser(h.db);
    const stranger = (await makeOrgWithUser(h.db)).actor;
    const connection = await makeConnection(h.db, [org.id]);
    const group = await makeGroup(h.db, connection.id, { objectId: "g1" });
    const graph = fakeGraph({ groups: new Map([["g1", users(1, 12)]]), pageSize: 5 });
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [group.id], entireDirectory: false });

    // A worker claims the job, marks the group Syncing, and dies (kill -9): its lease is still live.
    const job = (await claimNextJob(h.db, { owner: "dead-worker", leaseMs: 60_000 }))!;
    await h.db.update(s.audienceSources).set({ state: "syncing" }).where(eq(s.audienceSources.seriesId, series.id));
    expect(await seriesWorkToKick(h.db, actor, series.id)).toBe(false);
    await expect(seriesWorkToKick(h.db, stranger, series.id)).rejects.toMatchObject({ code: "not_found" });

    // The lease expires.
    await h.db.execute(sql`UPDATE sync_jobs SET lease_expires_at = now() - interval '1 second' WHERE id = ${job.id}::uuid`);
    expect(await seriesWorkToKick(h.db, actor, series.id)).toBe(true);

    // What the kick starts finishes the job.
    expect(await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: graph.open })).toMatchObject({ claimed: 1, completed: 1, remaining: 0 });
    const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.seriesId, series.id));
    expect(source).toMatchObject({ state: "synced", memberCount: 12 });
    expect(await seriesWorkToKick(h.db, actor, series.id)).toBe(false);
  });
});
