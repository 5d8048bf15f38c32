/**
 * The change log on PGlite and PostgreSQL: every change of an audience, address by address, with its reason,
 * whoever wrote it (a trigger on recipients), and retention that prunes only what is older than it.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import * as s from "@/db/schema";
import { queryRows } from "@/db/client";
import { changesCsv, csvCell, listChanges, pruneChangeLog } from "@/lib/audience/change-log";
import { importRecipientCsv } from "@/lib/audience/csv-import";
import { excludeAddress, liftExclusion } from "@/lib/audience/exclusions";
import { addManualRecipient, removeManualRecipient } from "@/lib/audience/manual";
import { requestSync, runQueuedWork, updateSelection } from "@/lib/sync/verbs";
import { fakeGraph, makeConnection, makeGroup, makeOrgWithUser, user, users } from "@/test/support/factories";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { csv, makeWorld } from "./audience-fixtures";

describe.each(dbKinds)("change log on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test("manual, CSV and exclusion changes are kept address by address with their reason and actor", async () => {
    const w = await makeWorld(h.db);
    const seriesId = w.series.id;
    const who = w.editor.actor.name;
    await addManualRecipient(h.db, w.editor.actor, { seriesId, email: "ann@x.example" });
    await importRecipientCsv(h.db, w.editor.actor, { seriesId, fileName: "staff.csv", bytes: csv("email\nann@x.example\nbob@x.example\n") });
    await removeManualRecipient(h.db, w.editor.actor, { seriesId, email: "ann@x.example" }); // still held by staff.csv: no change
    await excludeAddress(h.db, w.editor.actor, { seriesId, email: "bob@x.example", reason: "unsubscribed" });
    await liftExclusion(h.db, w.editor.actor, { seriesId, email: "bob@x.example" });

    const log = await listChanges(h.db, w.editor.actor, { seriesId });
    expect(log).toMatchObject({ total: 4, added: 3, removed: 1 });
    expect(log.rows.map((r) => [r.email, r.change, r.reason, r.actor]).reverse()).toEqual([
      ["ann@x.example", "added", "added by hand", who],
      ["bob@x.example", "added", "CSV import staff.csv", who],
      ["bob@x.example", "removed", "excluded: unsubscribed", who],
      ["bob@x.example", "added", "exclusion lifted", who],
    ]);
    expect((await listChanges(h.db, w.editor.actor, { seriesId, q: "ANN" })).rows.map((r) => r.email)).toEqual(["ann@x.example"]);

    const other = await makeWorld(h.db);
    await expect(listChanges(h.db, other.editor.actor, { seriesId })).rejects.toMatchObject({ code: "not_found" });
    await expect(listChanges(h.db, w.editor.actor, { seriesId, runId: "not-a-run" })).rejects.toMatchObject({ code: "not_found" });
  });

  test("each run's change list equals the set difference of the audience before and after it", async () => {
    const { org, series, actor } = await makeOrgWithUser(h.db);
    const connection = await makeConnection(h.db, [org.id]);
    const group = await makeGroup(h.db, connection.id, { objectId: "g1", displayName: "Staff" });
    const groups = new Map([["g1", users(1, 6)]]);
    const graph = fakeGraph({ groups, pageSize: 4 });
    const audienceNow = async () => new Set((await h.db.select({ e: s.recipients.emailNormalized }).from(s.recipients).where(eq(s.recipients.seriesId, series.id))).map((r) => r.e));
    const lastSyncedRun = async () => {
      const runs = await h.db.select().from(s.syncRuns).where(and(eq(s.syncRuns.seriesId, series.id), eq(s.syncRuns.outcome, "synced")));
      return runs.sort((a, b) => b.finishedAt!.getTime() - a.finishedAt!.getTime())[0];
    };
    // A manual entry made between runs must not show in any run's list.
    const { addManualRecipient: addManual } = await import("@/lib/audience/manual");

    const steps: (() => Promise<unknown>)[] = [
      () => updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [group.id], entireDirectory: false }),
      async () => {
        groups.set("g1", [...users(3, 9), user(2, { accountEnabled: false })]); // 1 left, 2 disabled, 7-9 joined
        await addManual(h.db, actor, { seriesId: series.id, email: "hand@x.example" });
        const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, group.id));
        return requestSync(h.db, actor, { sourceId: source.id });
      },
    ];
    let before = await audienceNow();
    for (const step of steps) {
      await step();
      const mid = await audienceNow(); // after the step's own writes, before the run
      await runQueuedWork(h.db, { budgetMs: 30_000, openGraph: graph.open });
      const after = await audienceNow();
      const run = await lastSyncedRun();
      const log = await listChanges(h.db, actor, { seriesId: series.id, runId: run.id });
      const added = log.rows.filter((r) => r.change === "added").map((r) => r.email.toLowerCase()).sort();
      const removed = log.rows.filter((r) => r.change === "removed").map((r) => r.email.toLowerCase()).sort();
      expect(added).toEqual([...after].filter((e) => !mid.has(e)).sort());
      expect(removed).toEqual([...mid].filter((e) => !after.has(e)).sort());
      expect(added.length + removed.length).toBeGreaterThan(0);
      expect(log.rows.every((r) => ["joined the group", "left the group", "disabled"].includes(r.reason ?? ""))).toBe(true);
      before = after;
    }
    expect([...before].sort()).toContain("hand@x.example");
    const second = await listChanges(h.db, actor, { seriesId: series.id, runId: (await lastSyncedRun()).id });
    expect(second).toMatchObject({ added: 3, removed: 2 });
    // Why each left: one is no longer a member, one was disabled in the directory.
    expect(second.rows.filter((r) => r.change === "removed").map((r) => [r.email.toLowerCase(), r.reason]).sort()).toEqual([
      [user(1).mail!.toLowerCase(), "left the group"],
      [user(2).mail!.toLowerCase(), "disabled"],
    ]);
    expect(second.rows.filter((r) => r.change === "added").every((r) => r.reason === "joined the group")).toBe(true);
  });

  test("retention prunes entries older than its days and keeps the rest", async () => {
    const w = await makeWorld(h.db);
    await addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "old@x.example" });
    await addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "new@x.example" });
    await h.db.execute(sql`UPDATE audience_changes SET created_at = now() - interval '200 days' WHERE email = 'old@x.example'`);
    expect(await pruneChangeLog(h.db, { days: 180 })).toBe(1);
    const left = await queryRows<{ email: string }>(h.db, sql`SELECT email FROM audience_changes`);
    expect(left.map((r) => r.email)).toEqual(["new@x.example"]);
    expect(await pruneChangeLog(h.db, { days: 180 })).toBe(0);
  });
});

describe("change list CSV", () => {
  test.each([
    ["plain@x.example", '"plain@x.example"'],
    ['say "hi"', '"say ""hi"""'],
    ["=HYPERLINK(1)", `"'=HYPERLINK(1)"`],
    ["-1", `"'-1"`],
    [null, '""'],
  ])("cell %j → %s", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  test("has a header and one line per change", () => {
    const at = new Date("2026-12-03T10:00:00Z");
    expect(changesCsv([{ email: "a@x.example", change: "removed", reason: "left the group", actor: null, createdAt: at }])).toBe(
      'email,change,reason,by,at\r\n"a@x.example","removed","left the group","","2026-12-03T10:00:00.000Z"\r\n',
    );
  });
});
