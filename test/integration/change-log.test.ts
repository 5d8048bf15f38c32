/**
 * The change log on PGlite and PostgreSQL: every change of an audience, address by address, with its reason,
 * whoever wrote it (a trigger on recipients), and retention that prunes only what is older than it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import * as s from "@/db/schema";
import { queryRows } from "@/db/client";
import { changesCsv, csvCell, listChanges, pruneChangeLog } from "@/lib/audience/change-log";
import { importRecipientCsv } from "@/lib/audience/csv-import";
import { excludeAddress, liftExclusion } from "@/lib/audience/exclusions";
import { addManualRecipient, removeManualRecipient } from "@/lib/audience/manual";
import { requestSync, runQueuedWork } from "@/lib/sync/verbs";
import type { Sandbox } from "@/sandbox/server";
import { arrangeNumberedTenant, mutate, numberedMail, startTenantServer } from "@/test/reliability/sandbox-harness";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { csv, makeWorld } from "./audience-fixtures";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

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
    // Staff (users 1–6) is listed from a sandbox tenant through the real Graph stack; users 7–9 wait in Others.
    const t = await arrangeNumberedTenant(h.db, sb, { Staff: [[1, 6]], Others: [[7, 9]] });
    const { actor } = t;
    const series = { id: t.seriesId };
    const group = { id: t.catalog.get(t.groupId("Staff"))! };
    const audienceNow = async () => new Set((await h.db.select({ e: s.recipients.emailNormalized }).from(s.recipients).where(eq(s.recipients.seriesId, series.id))).map((r) => r.e));
    const lastSyncedRun = async () => {
      const runs = await h.db.select().from(s.syncRuns).where(and(eq(s.syncRuns.seriesId, series.id), eq(s.syncRuns.outcome, "synced")));
      return runs.sort((a, b) => b.finishedAt!.getTime() - a.finishedAt!.getTime())[0];
    };
    // A manual entry made between runs must not show in any run's list.
    const { addManualRecipient: addManual } = await import("@/lib/audience/manual");

    const steps: (() => Promise<unknown>)[] = [
      () => t.select([t.groupId("Staff")]),
      async () => {
        // In Azure: 1 leaves Staff, 2 is disabled, 7–9 join.
        await mutate(
          sb,
          t.manifest.tenantId,
          { op: "removeMember", groupId: t.groupId("Staff"), memberId: t.userId(1) },
          { op: "disableUser", userId: t.userId(2) },
          ...[7, 8, 9].map((n) => ({ op: "addMember", groupId: t.groupId("Staff"), memberId: t.userId(n) })),
        );
        await addManual(h.db, actor, { seriesId: series.id, email: "hand@x.example" });
        const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, group.id));
        return requestSync(h.db, actor, { sourceId: source.id });
      },
    ];
    let before = await audienceNow();
    for (const step of steps) {
      await step();
      const mid = await audienceNow(); // after the step's own writes, before the run
      await runQueuedWork(h.db, { budgetMs: 60_000 });
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
      [numberedMail(1), "left the group"],
      [numberedMail(2), "disabled"],
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
