/**
 * The mass-removal guard's two figures per connection (percentage and absolute, set by its admins) and the
 * second guard: one cron call's removals summed across a connection (lib/sync/removal-guard.ts).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { and, eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { updateConnectionThreshold, validateThreshold } from "@/lib/connections/thresholds";
import { runCron } from "@/lib/sync/cron";
import { exceedsThreshold } from "@/lib/sync/removal-guard";
import { confirmReview, requestSync, runQueuedWork } from "@/lib/sync/verbs";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import type { Sandbox } from "@/sandbox/server";
import { addUserTo } from "@/test/support/factories";
import { arrangeNumberedTenant, mutate, startTenantServer } from "@/test/reliability/sandbox-harness";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

test("the threshold is crossed only past both figures, in whole numbers", () => {
  const t = { sharePercent: 20, minRemovals: 50 };
  expect(exceedsThreshold(t, 1000, 200)).toBe(false); // exactly 20 %
  expect(exceedsThreshold(t, 1000, 201)).toBe(true);
  expect(exceedsThreshold(t, 100, 50)).toBe(false); // 50 % but not more than 50
  expect(exceedsThreshold(t, 100, 51)).toBe(true);
  expect(exceedsThreshold({ sharePercent: 100, minRemovals: 0 }, 10, 10)).toBe(false);
});

test("bad figures get one message per field", () => {
  expect(() => validateThreshold({ sharePercent: "abc", minRemovals: "10" })).toThrow(expect.objectContaining({ code: "invalid_input", fields: { sharePercent: "Enter a whole percentage from 1 to 100." } }));
  expect(() => validateThreshold({ sharePercent: "0", minRemovals: "-1" })).toThrow(
    expect.objectContaining({ message: "Both figures need attention.", fields: expect.objectContaining({ minRemovals: "Enter a whole number of removals from 0 to 1,000,000." }) }),
  );
  expect(() => validateThreshold({ sharePercent: "12.5", minRemovals: "" })).toThrow(expect.objectContaining({ code: "invalid_input" }));
  expect(validateThreshold({ sharePercent: " 35 ", minRemovals: 0 })).toEqual({ sharePercent: 35, minRemovals: 0 });
});

describe.each(dbKinds)("mass-removal guards on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  // Disjoint groups of numbered users in a sandbox tenant, listed through the product's real Graph stack.
  async function arrange(groupCount: number, members: number) {
    const spec = Object.fromEntries(Array.from({ length: groupCount }, (_, g) => [`Group ${g}`, [[g * 1000 + 1, g * 1000 + members]] as [number, number][]]));
    const t = await arrangeNumberedTenant(h.db, sb, spec, { role: "admin" });
    const [org] = await h.db.select().from(s.organizations).where(eq(s.organizations.id, t.organizationId));
    const [series] = await h.db.select().from(s.series).where(eq(s.series.id, t.seriesId));
    const [connection] = await h.db.select().from(s.directoryConnections).where(eq(s.directoryConnections.id, t.connectionId));
    await t.select(Object.keys(spec).map((name) => t.groupId(name)));
    const sources = await h.db.select().from(s.audienceSources).where(and(eq(s.audienceSources.seriesId, series.id), eq(s.audienceSources.kind, "directory_group")));
    await runQueuedWork(h.db, { budgetMs: 60_000, concurrency: 1 });
    /** In Azure, group `g`'s members number `from` to `to` (1-based, inclusive) leave it. */
    const shrink = (g: number, from: number, to: number) =>
      mutate(sb, t.manifest.tenantId, ...Array.from({ length: to - from + 1 }, (_, i) => ({ op: "removeMember", groupId: t.groupId(`Group ${g}`), memberId: t.userId(g * 1000 + from + i) })));
    return { org, series, actor: t.actor, connection, sources, shrink };
  }
  const states = async (seriesId: string) =>
    (await h.db.select({ label: s.audienceSources.label, state: s.audienceSources.state, review: s.audienceSources.review }).from(s.audienceSources).where(eq(s.audienceSources.seriesId, seriesId))).sort((a, b) =>
      a.label.localeCompare(b.label),
    );

  test("a connection's own figures decide when a run waits in Needs review; admins set them, audited, with clear errors", async () => {
    const a = await arrange(1, 100);
    const [source] = a.sources;
    await a.shrink(0, 1, 20);

    // 20 of 100 leave: today's default (more than 20 % and more than 50) lets it through…
    await requestSync(h.db, a.actor, { sourceId: source.id });
    expect(await runQueuedWork(h.db, { budgetMs: 60_000, })).toMatchObject({ completed: 1, needsReview: 0 });

    // …a stricter connection (more than 10 % and more than 5) holds the next 10 of 80.
    const editor = await addUserTo(h.db, a.org.id, "editor");
    await expect(updateConnectionThreshold(h.db, editor, { connectionId: a.connection.id, sharePercent: "10", minRemovals: "5" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(updateConnectionThreshold(h.db, a.actor, { connectionId: a.connection.id, sharePercent: "110", minRemovals: "5" })).rejects.toMatchObject({
      code: "invalid_input",
      fields: { sharePercent: "Enter a whole percentage from 1 to 100." },
    });
    expect(await updateConnectionThreshold(h.db, a.actor, { connectionId: a.connection.id, sharePercent: "10", minRemovals: "5" })).toEqual({ sharePercent: 10, minRemovals: 5, saved: true });
    const [audit] = await h.db.select().from(s.auditEvents).where(eq(s.auditEvents.action, "connection.update"));
    expect(audit.details).toMatchObject({ removalThreshold: { from: { sharePercent: 20, minRemovals: 50 }, to: { sharePercent: 10, minRemovals: 5 } } });

    await requestSync(h.db, a.actor, { sourceId: source.id });
    await a.shrink(0, 21, 30);
    expect(await runQueuedWork(h.db, { budgetMs: 60_000 })).toMatchObject({ needsReview: 1 });
    expect(await states(a.series.id)).toMatchObject([{ state: "needs_review", review: { current: 80, wouldRemove: 10, wouldAdd: 0 } }]);
    const counts = await confirmReview(h.db, a.actor, { sourceId: source.id });
    expect(counts).toMatchObject({ removed: 10, total: 70 });
  });

  test("one cron call's removals across a connection stop at Needs review once they cross its figures; the next call judges afresh", async () => {
    // Four groups of 100 (400 addresses); each then loses 30, under the per-group guard (not more than 50).
    const a = await arrange(4, 100);
    for (let g = 0; g < 4; g++) await a.shrink(g, 1, 30);
    for (const source of a.sources) await requestSync(h.db, a.actor, { sourceId: source.id });

    const report = await runCron(h.db, { budgetMs: 60_000, concurrency: 1, checkConnection: async () => true });
    // 30 + 30 = 60 is within 20 % of 400 (80); a third group would make 90: held, and so is the fourth.
    expect(report).toMatchObject({ completed: 2, needsReview: 2 });
    const after = await states(a.series.id);
    expect(after.map((x) => x.state).sort()).toEqual(["needs_review", "needs_review", "synced", "synced"]);
    for (const held of after.filter((x) => x.state === "needs_review")) {
      expect(held.review).toMatchObject({ current: 100, wouldRemove: 30, connection: { current: 400, removedBefore: 60 } });
    }
    // Nothing lost: the held groups keep all 100.
    expect(await h.db.$count(s.recipients, eq(s.recipients.seriesId, a.series.id))).toBe(2 * 70 + 2 * 100);

    // An editor's confirmation applies a held run as always.
    const heldSource = a.sources.find((x) => after.find((y) => y.label === x.label)!.state === "needs_review")!;
    expect(await confirmReview(h.db, a.actor, { sourceId: heldSource.id })).toMatchObject({ removed: 30 });

    // Outside a cron call (an editor's Sync now through the worker) only the per-group guard applies.
    const last = a.sources.find((x) => x.id !== heldSource.id && after.find((y) => y.label === x.label)!.state === "needs_review")!;
    await requestSync(h.db, a.actor, { sourceId: last.id });
    expect(await runQueuedWork(h.db, { budgetMs: 60_000 })).toMatchObject({ completed: 1, needsReview: 0 });
    expect(await h.db.$count(s.recipients, eq(s.recipients.seriesId, a.series.id))).toBe(4 * 70);
  });
});
