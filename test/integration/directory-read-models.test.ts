import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { count, eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { listDirectoryGroups, likePattern } from "@/lib/dialog/group-list";
import { directoryOverview } from "@/lib/dialog/overview";
import { previewStatus } from "@/lib/dialog/preview-status";
import { reviewRemovals, selectionRemovals } from "@/lib/dialog/review-removals";
import { excludeAddress } from "@/lib/audience/exclusions";
import { RUNS_PER_SOURCE } from "@/lib/dialog/source-states";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { makeConnection, makeGroupSource, makeGroups, makeJob, makeOrgWithEditor } from "./directory-fixtures";

test.each([
  ["plain", "%plain%"],
  ["50%", "%50\\%%"],
  ["a_b", "%a\\_b%"],
  ["back\\slash", "%back\\\\slash%"],
])("likePattern(%j) escapes LIKE wildcards", (input, expected) => {
  expect(likePattern(input)).toBe(expected);
});

describe.each(dbKinds)("directory read models on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  async function arrange() {
    const { org, series, actor } = await makeOrgWithEditor(h.db);
    const connection = await makeConnection(h.db, org.id);
    const [allStaff, outreach, engineering, management, gone, goneTicked] = await makeGroups(h.db, connection.id, [
      { displayName: "All-Staff", mail: "all-staff@contoso.test", kind: "microsoft365" },
      { displayName: "Outreach", mail: "outreach@contoso.test", kind: "distribution" },
      { displayName: "Engineering", kind: "security" },
      { displayName: "Management", mail: "mgmt@contoso.test", kind: "mail_security" },
      { displayName: "Old group", deletedAt: new Date() },
      { displayName: "Old but ticked", deletedAt: new Date() },
    ]);
    return { org, series, actor, connection, allStaff, outreach, engineering, management, gone, goneTicked };
  }

  test("lists the catalog with this series' states, searches name and mail, filters by kind and state", async () => {
    const a = await arrange();
    const synced = await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: a.connection.id, group: a.allStaff, members: ["ann@contoso.test"] });
    const queued = await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: a.connection.id, group: a.outreach, state: "synced" });
    await makeJob(h.db, { sourceId: queued.id, seriesId: a.series.id, connectionId: a.connection.id, status: "queued", reason: "manual" });
    await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: a.connection.id, group: a.engineering, selected: false, state: "synced" });
    await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: a.connection.id, group: a.goneTicked, state: "error" });
    // A preview job never changes what the row's badge says.
    await makeJob(h.db, { sourceId: synced.id, seriesId: a.series.id, connectionId: a.connection.id, status: "running", mode: "preview" });

    const base = { seriesId: a.series.id, connectionId: a.connection.id };
    const all = await listDirectoryGroups(h.db, a.actor, base);
    expect(all.groups.map((g) => [g.displayName, g.state, g.selected])).toEqual([
      ["All-Staff", "synced", true],
      ["Engineering", "not_synced", false],
      ["Management", "not_synced", false],
      ["Old but ticked", "error", true],
      ["Outreach", "queued", true],
    ]);
    expect(all.total).toBe(5);
    expect(all.groups.find((g) => g.displayName === "Old but ticked")?.deleted).toBe(true);

    expect((await listDirectoryGroups(h.db, a.actor, { ...base, search: "MGMT@" })).groups.map((g) => g.displayName)).toEqual(["Management"]);
    expect((await listDirectoryGroups(h.db, a.actor, { ...base, search: "staff" })).groups.map((g) => g.displayName)).toEqual(["All-Staff"]);
    expect((await listDirectoryGroups(h.db, a.actor, { ...base, search: "%" })).total).toBe(0);
    expect((await listDirectoryGroups(h.db, a.actor, { ...base, kind: "distribution" })).groups.map((g) => g.displayName)).toEqual(["Outreach"]);
    expect((await listDirectoryGroups(h.db, a.actor, { ...base, state: "not_synced" })).groups.map((g) => g.displayName)).toEqual([
      "Engineering",
      "Management",
    ]);
    expect((await listDirectoryGroups(h.db, a.actor, { ...base, state: "queued" })).groups.map((g) => g.displayName)).toEqual(["Outreach"]);
  });

  test("pages through thousands of groups in name order, quickly", async () => {
    const { org, series, actor } = await makeOrgWithEditor(h.db);
    const connection = await makeConnection(h.db, org.id);
    const names = Array.from({ length: 5200 }, (_, i) => ({ displayName: `Team ${String(i).padStart(5, "0")}`, mail: `team${i}@contoso.test` }));
    await makeGroups(h.db, connection.id, names);
    const seen: string[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const page = await listDirectoryGroups(h.db, actor, { seriesId: series.id, connectionId: connection.id, offset, limit: 500 });
      expect(page.total).toBe(5200);
      seen.push(...page.groups.map((g) => g.displayName));
      offset = page.nextOffset;
    }
    expect(seen).toEqual(names.map((n) => n.displayName));
    const search = await listDirectoryGroups(h.db, actor, { seriesId: series.id, connectionId: connection.id, search: "team4999@" });
    expect(search.groups.map((g) => g.displayName)).toEqual(["Team 04999"]);
  });

  test("refuses bad pages, unknown kinds and states with a clear message", async () => {
    const a = await arrange();
    const base = { seriesId: a.series.id, connectionId: a.connection.id };
    await expect(listDirectoryGroups(h.db, a.actor, { ...base, limit: 501 })).rejects.toThrow("between 1 and 500");
    await expect(listDirectoryGroups(h.db, a.actor, { ...base, offset: -1 })).rejects.toThrow("0 or more");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await expect(listDirectoryGroups(h.db, a.actor, { ...base, kind: "team" as any })).rejects.toThrow('Unknown group kind "team"');
  });

  test("another organization's series or connection answers not found; signed out answers sign in", async () => {
    const a = await arrange();
    const other = await makeOrgWithEditor(h.db);
    const otherConnection = await makeConnection(h.db, other.org.id);
    await expect(listDirectoryGroups(h.db, other.actor, { seriesId: a.series.id, connectionId: a.connection.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(listDirectoryGroups(h.db, a.actor, { seriesId: a.series.id, connectionId: otherConnection.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(directoryOverview(h.db, a.actor, { seriesId: a.series.id, connectionId: otherConnection.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(directoryOverview(h.db, null, { seriesId: a.series.id })).rejects.toMatchObject({ code: "unauthenticated" });
    await expect(listDirectoryGroups(h.db, a.actor, { seriesId: a.series.id, connectionId: "not-a-uuid" })).rejects.toMatchObject({ code: "not_found" });
  });

  test("the overview gives live states: progress, counts, skipped, diagnosis, review numbers and the last runs", async () => {
    const a = await arrange();
    const staff = await makeGroupSource(h.db, {
      seriesId: a.series.id,
      connectionId: a.connection.id,
      group: a.allStaff,
      members: ["ann@contoso.test", "bob@contoso.test"],
      extra: { memberCount: 2, skipped: { disabled: 3, noAddress: 1, duplicate: 0 }, lastSyncedAt: new Date("2026-11-23T06:00:00Z") },
    });
    const outreach = await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: a.connection.id, group: a.outreach, state: "queued" });
    await makeJob(h.db, {
      sourceId: outreach.id,
      seriesId: a.series.id,
      connectionId: a.connection.id,
      status: "running",
      membersSeen: 12000,
      pages: 13,
      leaseOwner: "worker-1",
      leaseExpiresAt: new Date(Date.now() + 60 * 60_000),
    });
    await makeGroupSource(h.db, {
      seriesId: a.series.id,
      connectionId: a.connection.id,
      group: a.engineering,
      state: "error",
      extra: { lastError: { code: "group_deleted", title: "Deleted in Azure", fix: "Untick it." }, lastGoodSyncAt: new Date("2026-11-16T06:00:00Z") },
    });
    await makeGroupSource(h.db, {
      seriesId: a.series.id,
      connectionId: a.connection.id,
      group: a.management,
      state: "needs_review",
      extra: { review: { current: 200, wouldRemove: 60, wouldAdd: 2, jobId: "x" } },
    });
    for (let i = 0; i < RUNS_PER_SOURCE + 2; i++) {
      await h.db.insert(s.syncRuns).values({
        sourceId: staff.id,
        seriesId: a.series.id,
        outcome: i === 0 ? "previewed" : "synced",
        trigger: "schedule",
        startedAt: new Date(Date.UTC(2026, 10, 1 + i)),
        added: i,
        removed: 1,
        skipped: { disabled: i },
      });
    }

    const o = await directoryOverview(h.db, a.actor, { seriesId: a.series.id });
    expect(o.connection).toMatchObject({ id: a.connection.id, limitedToSelectedGroups: false, catalogSize: 6 });
    expect(JSON.stringify(o)).not.toContain("sealed-not-a-secret");
    expect(o.recipientCount).toBe(2);
    expect(o.anyActive).toBe(true);
    expect(new Set(o.selectedGroupIds)).toEqual(new Set([a.allStaff.id, a.outreach.id, a.engineering.id, a.management.id]));
    const by = Object.fromEntries(o.sources.map((x) => [x.label, x]));
    expect(by["All-Staff"]).toMatchObject({ state: "synced", memberCount: 2, skipped: { disabled: 3, noAddress: 1 }, progress: null });
    expect(by["All-Staff"].skipped).not.toHaveProperty("duplicate");
    expect(by["All-Staff"].lastRuns.map((r) => r.added)).toEqual([6, 5, 4, 3, 2]);
    expect(by.Outreach).toMatchObject({ state: "syncing", progress: { membersSeen: 12000, pages: 13 } });
    expect(by.Engineering).toMatchObject({
      state: "error",
      lastError: { code: "group_deleted", title: "Deleted in Azure", fix: "Untick it." },
      lastGoodSyncAt: "2026-11-16T06:00:00.000Z",
    });
    expect(by.Management.review).toEqual({ current: 200, wouldRemove: 60, wouldAdd: 2 });

    await h.db.update(s.syncJobs).set({ status: "done" }).where(eq(s.syncJobs.sourceId, outreach.id));
    await h.db.update(s.audienceSources).set({ state: "synced" }).where(eq(s.audienceSources.id, outreach.id));
    expect((await directoryOverview(h.db, a.actor, { seriesId: a.series.id })).anyActive).toBe(false);
  });

  test("offers only active connections of the series' organization, oldest first, and says when the entire directory is not available", async () => {
    const { org, series, actor } = await makeOrgWithEditor(h.db);
    const first = await makeConnection(h.db, org.id, { name: "Contoso", groupObjectIds: ["aaaaaaaa-0000-0000-0000-000000000001"], createdAt: new Date("2026-01-01") });
    const second = await makeConnection(h.db, org.id, { name: "Fabrikam", createdAt: new Date("2026-02-01") });
    await makeConnection(h.db, org.id, { name: "Draft", status: "draft" });
    const o = await directoryOverview(h.db, actor, { seriesId: series.id });
    expect(o.connections.map((c) => c.name)).toEqual(["Contoso", "Fabrikam"]);
    expect(o.connection).toMatchObject({ id: first.id, limitedToSelectedGroups: true });
    const chosen = await directoryOverview(h.db, actor, { seriesId: series.id, connectionId: second.id });
    expect(chosen.connection).toMatchObject({ id: second.id, limitedToSelectedGroups: false });
  });

  test("without a connection the overview says so rather than failing", async () => {
    const { series, actor } = await makeOrgWithEditor(h.db);
    const o = await directoryOverview(h.db, actor, { seriesId: series.id });
    expect(o).toMatchObject({ connections: [], connection: null, anyActive: false, recipientCount: 0 });
  });

  test("a preview's status carries its numbers once done, and only for this series", async () => {
    const a = await arrange();
    const source = await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: a.connection.id, group: a.outreach, selected: false, state: "not_synced" });
    const job = await makeJob(h.db, { sourceId: source.id, seriesId: a.series.id, connectionId: a.connection.id, mode: "preview", status: "running", membersSeen: 40 });
    expect(await previewStatus(h.db, a.actor, { seriesId: a.series.id, jobId: job.id })).toMatchObject({ status: "running", membersSeen: 40, result: null });
    await h.db
      .update(s.syncJobs)
      .set({ status: "done", result: { wouldAdd: 7, alreadyPresent: 3, skipped: { disabled: 2, noAddress: 0 }, total: 12 } })
      .where(eq(s.syncJobs.id, job.id));
    expect(await previewStatus(h.db, a.actor, { seriesId: a.series.id, jobId: job.id })).toMatchObject({
      status: "done",
      result: { wouldAdd: 7, alreadyPresent: 3, skipped: { disabled: 2 }, total: 12 },
    });
    const other = await makeOrgWithEditor(h.db);
    await expect(previewStatus(h.db, other.actor, { seriesId: a.series.id, jobId: job.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(previewStatus(h.db, other.actor, { seriesId: other.series.id, jobId: job.id })).rejects.toMatchObject({ code: "not_found" });
    const [{ n }] = await h.db.select({ n: count() }).from(s.recipients).where(eq(s.recipients.seriesId, a.series.id));
    expect(n).toBe(0);
  });

  test("a running job counts as Syncing only while its worker holds the lease; otherwise it is Queued", async () => {
    const a = await arrange();
    const staff = await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: a.connection.id, group: a.allStaff, state: "error" });
    const job = await makeJob(h.db, {
      sourceId: staff.id,
      seriesId: a.series.id,
      connectionId: a.connection.id,
      status: "running",
      leaseOwner: "gone-worker",
      leaseExpiresAt: new Date(Date.now() - 60_000),
    });
    const base = { seriesId: a.series.id, connectionId: a.connection.id };
    const stateOf = async () => ({
      overview: (await directoryOverview(h.db, a.actor, { seriesId: a.series.id })).sources.find((x) => x.sourceId === staff.id)?.state,
      list: (await listDirectoryGroups(h.db, a.actor, { ...base, search: "All-Staff" })).groups[0]?.state,
    });
    expect(await stateOf()).toEqual({ overview: "queued", list: "queued" });
    await h.db.update(s.syncJobs).set({ leaseExpiresAt: new Date(Date.now() + 60_000) }).where(eq(s.syncJobs.id, job.id));
    expect(await stateOf()).toEqual({ overview: "syncing", list: "syncing" });
  });

  test("a run held for review carries what it would do; Confirm removals lists who leaves, the first 50 and the count", async () => {
    const a = await arrange();
    const members = Array.from({ length: 60 }, (_, i) => `m${String(i).padStart(2, "0")}@contoso.test`);
    const staff = await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: a.connection.id, group: a.allStaff, members });
    // m00 is also held by Outreach: it leaves the group's part, not the audience.
    await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: a.connection.id, group: a.outreach, members: ["m00@contoso.test"] });
    const job = await makeJob(h.db, {
      sourceId: staff.id,
      seriesId: a.series.id,
      connectionId: a.connection.id,
      status: "needs_review",
      result: { current: 60, wouldRemove: 55, wouldAdd: 1 },
    });
    // The run kept five of the sixty, and found one new address.
    const kept = [...members.slice(55), "new@contoso.test"];
    await h.db.insert(s.syncStaging).values(kept.map((e) => ({ jobId: job.id, emailNormalized: e, email: e })));
    await h.db
      .update(s.audienceSources)
      .set({ state: "needs_review", review: { current: 60, wouldRemove: 55, wouldAdd: 1, jobId: job.id } })
      .where(eq(s.audienceSources.id, staff.id));
    await h.db.insert(s.syncRuns).values({ jobId: job.id, sourceId: staff.id, seriesId: a.series.id, outcome: "needs_review", trigger: "manual" });

    const o = await directoryOverview(h.db, a.actor, { seriesId: a.series.id });
    const run = o.sources.find((x) => x.sourceId === staff.id)!.lastRuns[0];
    expect(run).toMatchObject({ outcome: "needs_review", added: 0, removed: 0, review: { current: 60, wouldRemove: 55, wouldAdd: 1 } });

    const removals = await reviewRemovals(h.db, a.actor, { seriesId: a.series.id, sourceId: staff.id });
    expect(removals.total).toBe(55);
    expect(removals.leavingAudience).toBe(54);
    expect(removals.first).toHaveLength(50);
    expect(removals.first.map((r) => r.email)).toEqual(members.slice(0, 50));

    const other = await makeOrgWithEditor(h.db);
    await expect(reviewRemovals(h.db, other.actor, { seriesId: a.series.id, sourceId: staff.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(reviewRemovals(h.db, a.actor, { seriesId: a.series.id, sourceId: "not-a-uuid" })).rejects.toMatchObject({ code: "not_found" });
    await h.db.update(s.audienceSources).set({ state: "synced", review: null }).where(eq(s.audienceSources.id, staff.id));
    await expect(reviewRemovals(h.db, a.actor, { seriesId: a.series.id, sourceId: staff.id })).rejects.toMatchObject({ code: "conflict" });
  });

  test("unticking groups: who leaves the audience is what no other source holds, counted before anything applies", async () => {
    const a = await arrange();
    const members = Array.from({ length: 70 }, (_, i) => `u${String(i).padStart(2, "0")}@contoso.test`);
    const staff = await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: a.connection.id, group: a.allStaff, members: members.slice(0, 60) });
    const outreach = await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: a.connection.id, group: a.outreach, members: members.slice(50) });
    await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: a.connection.id, group: a.engineering, members: [members[0], members[69]] });
    // An excluded address is held but is no recipient: it does not "leave".
    await excludeAddress(h.db, a.actor, { seriesId: a.series.id, email: members[1], reason: "unsubscribed" });

    const one = await selectionRemovals(h.db, a.actor, { seriesId: a.series.id, sourceIds: [staff.id] });
    // Staff holds u00–u59; u00 is also Engineering's, u50–u59 Outreach's, u01 is excluded: 48 leave.
    expect(one).toMatchObject({ total: 60, leavingAudience: 48, labels: ["All-Staff"] });
    expect(one.first.map((r) => r.email)).toEqual(members.slice(2, 50));

    const both = await selectionRemovals(h.db, a.actor, { seriesId: a.series.id, sourceIds: [staff.id, outreach.id] });
    // Together they hold u00–u69 once each; u00 and u69 stay through Engineering, u01 is excluded.
    expect(both).toMatchObject({ total: 70, leavingAudience: 67, labels: ["All-Staff", "Outreach"] });
    expect(both.first).toHaveLength(50);
    expect(both.first[0].email).toBe(members[2]);

    // Nothing changed: it only counted.
    expect((await h.db.select({ n: count() }).from(s.recipients).where(eq(s.recipients.seriesId, a.series.id)))[0].n).toBe(69);

    const stranger = await makeOrgWithEditor(h.db);
    await expect(selectionRemovals(h.db, stranger.actor, { seriesId: a.series.id, sourceIds: [staff.id] })).rejects.toMatchObject({ code: "not_found" });
    await expect(selectionRemovals(h.db, a.actor, { seriesId: a.series.id, sourceIds: [] })).rejects.toMatchObject({ code: "not_found" });
    await expect(selectionRemovals(h.db, a.actor, { seriesId: a.series.id, sourceIds: ["nope"] })).rejects.toMatchObject({ code: "not_found" });
    const foreign = await makeGroupSource(h.db, { seriesId: stranger.series.id, connectionId: a.connection.id, group: a.management });
    await expect(selectionRemovals(h.db, a.actor, { seriesId: a.series.id, sourceIds: [staff.id, foreign.id] })).rejects.toMatchObject({ code: "not_found" });
  });
});
