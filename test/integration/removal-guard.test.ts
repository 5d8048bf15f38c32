/**
 * The mass-removal guard's two figures per connection (percentage and absolute, set by its admins) and the
 * second guard: one cron call's removals summed across a connection (lib/sync/removal-guard.ts).
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { and, eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { updateConnectionThreshold, validateThreshold } from "@/lib/connections/thresholds";
import { runCron } from "@/lib/sync/cron";
import { exceedsThreshold } from "@/lib/sync/removal-guard";
import { confirmReview, requestSync, runQueuedWork, updateSelection } from "@/lib/sync/verbs";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { addUserTo, fakeGraph, makeConnection, makeGroup, makeOrgWithUser, users, type FakeDirectory } from "@/test/support/factories";

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

  async function arrange(groupCount: number, members: number) {
    const { org, series, actor } = await makeOrgWithUser(h.db, "admin");
    const connection = await makeConnection(h.db, [org.id]);
    const groups = [];
    const dir: FakeDirectory = { groups: new Map(), pageSize: 50 };
    for (let g = 0; g < groupCount; g++) {
      groups.push(await makeGroup(h.db, connection.id, { objectId: `g${g}`, displayName: `Group ${g}` }));
      // Disjoint members per group.
      dir.groups.set(`g${g}`, users(g * 1000 + 1, g * 1000 + members));
    }
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: groups.map((g) => g.id), entireDirectory: false });
    const sources = await h.db.select().from(s.audienceSources).where(and(eq(s.audienceSources.seriesId, series.id), eq(s.audienceSources.kind, "directory_group")));
    await runQueuedWork(h.db, { budgetMs: 60_000, openGraph: fakeGraph(dir).open, concurrency: 1 });
    return { org, series, actor, connection, sources, dir };
  }
  const states = async (seriesId: string) =>
    (await h.db.select({ label: s.audienceSources.label, state: s.audienceSources.state, review: s.audienceSources.review }).from(s.audienceSources).where(eq(s.audienceSources.seriesId, seriesId))).sort((a, b) =>
      a.label.localeCompare(b.label),
    );

  test("a connection's own figures decide when a run waits in Needs review; admins set them, audited, with clear errors", async () => {
    const a = await arrange(1, 100);
    const [source] = a.sources;
    const shrunk = { ...a.dir, groups: new Map([["g0", users(21, 100)]]) };

    // 20 of 100 leave: today's default (more than 20 % and more than 50) lets it through…
    await requestSync(h.db, a.actor, { sourceId: source.id });
    expect(await runQueuedWork(h.db, { budgetMs: 60_000, openGraph: fakeGraph(shrunk).open })).toMatchObject({ completed: 1, needsReview: 0 });

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
    const smaller = { ...a.dir, groups: new Map([["g0", users(31, 100)]]) };
    expect(await runQueuedWork(h.db, { budgetMs: 60_000, openGraph: fakeGraph(smaller).open })).toMatchObject({ needsReview: 1 });
    expect(await states(a.series.id)).toMatchObject([{ state: "needs_review", review: { current: 80, wouldRemove: 10, wouldAdd: 0 } }]);
    const counts = await confirmReview(h.db, a.actor, { sourceId: source.id });
    expect(counts).toMatchObject({ removed: 10, total: 70 });
  });

  test("one cron call's removals across a connection stop at Needs review once they cross its figures; the next call judges afresh", async () => {
    // Four groups of 100 (400 addresses); each then loses 30, under the per-group guard (not more than 50).
    const a = await arrange(4, 100);
    const shrunk: FakeDirectory = { ...a.dir, groups: new Map([...a.dir.groups].map(([id, list]) => [id, list.slice(30)])) };
    for (const source of a.sources) await requestSync(h.db, a.actor, { sourceId: source.id });

    const report = await runCron(h.db, { budgetMs: 60_000, openGraph: fakeGraph(shrunk).open, concurrency: 1, checkConnection: async () => true });
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
    expect(await runQueuedWork(h.db, { budgetMs: 60_000, openGraph: fakeGraph(shrunk).open })).toMatchObject({ completed: 1, needsReview: 0 });
    expect(await h.db.$count(s.recipients, eq(s.recipients.seriesId, a.series.id))).toBe(4 * 70);
  });
});
