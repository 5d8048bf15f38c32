/**
 * "Exclude members of Contractors" (docs/adr/0014-exclusions-change-log-thresholds.md, "Group exclusions"): the
 * members of an excluded group never enter the audience, whatever source holds them, through every later sync;
 * the exclusion follows the group's membership when it is listed again; lifting it brings back exactly what a
 * source holds; the why lookup says why.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { and, eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { exclusionOf } from "@/lib/audience/exclusions";
import { countExclusions, excludeAddress } from "@/lib/audience/exclusions";
import { excludeGroup, excludeGroupByName, liftGroupExclusion, listGroupExclusions } from "@/lib/sync/group-exclusions";
import { requestSync, runQueuedWork, updateSelection } from "@/lib/sync/verbs";
import { runCron } from "@/lib/sync/cron";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { fakeGraph, makeConnection, makeGroup, makeOrgWithUser, users, type FakeDirectory } from "@/test/support/factories";

describe.each(dbKinds)("group exclusions on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  const audience = async (seriesId: string) =>
    (await h.db.select({ e: s.recipients.emailNormalized }).from(s.recipients).where(eq(s.recipients.seriesId, seriesId))).map((r) => r.e).sort();
  const mails = (from: number, to: number) => users(from, to).map((u) => u.mail!.toLowerCase()).sort();

  test("members of an excluded group stay out through every sync; the exclusion follows the group; lifting brings back what a source holds", async () => {
    const { org, series, actor } = await makeOrgWithUser(h.db);
    const connection = await makeConnection(h.db, [org.id]);
    const staff = await makeGroup(h.db, connection.id, { objectId: "staff", displayName: "Staff" });
    const contractors = await makeGroup(h.db, connection.id, { objectId: "contractors", displayName: "Contractors" });
    // Staff: users 1–30; Contractors: users 21–40 (21–30 in both).
    const dir: FakeDirectory = { groups: new Map([["staff", users(1, 30)], ["contractors", users(21, 40)]]), pageSize: 7 };
    const work = () => runQueuedWork(h.db, { budgetMs: 60_000, openGraph: fakeGraph(dir).open });
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [staff.id], entireDirectory: false });
    await work();
    expect(await audience(series.id)).toEqual(mails(1, 30));

    const { created } = await excludeGroup(h.db, actor, { seriesId: series.id, groupId: contractors.id, reason: "contractors" });
    expect(created).toBe(true);
    // Nothing leaves before the group has been listed completely.
    expect(await audience(series.id)).toEqual(mails(1, 30));
    await work();
    expect(await audience(series.id)).toEqual(mails(1, 20));
    expect(await listGroupExclusions(h.db, actor, series.id)).toMatchObject([{ label: "Contractors", reason: "contractors", memberCount: 20 }]);
    // Contractors is not ticked: it contributes nobody.
    const [source] = await h.db.select().from(s.audienceSources).where(and(eq(s.audienceSources.seriesId, series.id), eq(s.audienceSources.directoryGroupId, contractors.id)));
    expect(source).toMatchObject({ selected: false });

    // A sync that finds them in Staff again keeps them out.
    const [staffSource] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, staff.id));
    await requestSync(h.db, actor, { sourceId: staffSource.id });
    await work();
    expect(await audience(series.id)).toEqual(mails(1, 20));
    expect(await exclusionOf(h.db, series.id, users(25, 25)[0].mail!)).toMatchObject({ reason: "member of Contractors: contractors", excludedBy: actor.name });

    // The change log says why they left.
    const changes = await h.db.select().from(s.audienceChanges).where(and(eq(s.audienceChanges.seriesId, series.id), eq(s.audienceChanges.change, "removed")));
    expect(changes.map((c) => c.reason)).toEqual(Array(10).fill("excluded: member of Contractors (contractors)"));

    // Contractors shrinks to 21–25 and is listed again: 26–30 come back through Staff.
    dir.groups.set("contractors", users(21, 25));
    expect((await excludeGroup(h.db, actor, { seriesId: series.id, groupId: contractors.id })).created).toBe(false);
    await work();
    expect(await audience(series.id)).toEqual(mails(1, 20).concat(mails(26, 30)).sort());

    // A listing that fails changes nothing: the exclusion keeps its last complete members.
    dir.groups.set("contractors", users(1, 40));
    dir.beforeRequest = (_n, url) => {
      if (url.includes("contractors")) throw new Error("the directory went away");
    };
    await excludeGroup(h.db, actor, { seriesId: series.id, groupId: contractors.id });
    expect(await work()).toMatchObject({ failed: 1 });
    expect(await audience(series.id)).toEqual(mails(1, 20).concat(mails(26, 30)).sort());
    dir.beforeRequest = undefined;

    const [ge] = await listGroupExclusions(h.db, actor, series.id);
    expect(await liftGroupExclusion(h.db, actor, { seriesId: series.id, exclusionId: ge.id })).toMatchObject({ label: "Contractors", restored: 5 });
    expect(await audience(series.id)).toEqual(mails(1, 30));
    expect(await exclusionOf(h.db, series.id, users(25, 25)[0].mail!)).toBeNull();

    const actions = (await h.db.select().from(s.auditEvents)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["exclusion.group_add", "exclusion.group_refresh", "exclusion.group_lift"]));
  });

  test("the dialog names the group as the directory shows it; unknown and ambiguous names are clear errors; counts cover both kinds", async () => {
    const { org, series, actor } = await makeOrgWithUser(h.db);
    const other = await makeOrgWithUser(h.db);
    const connection = await makeConnection(h.db, [org.id]);
    const foreignConnection = await makeConnection(h.db, [other.org.id]);
    await makeGroup(h.db, connection.id, { objectId: "c", displayName: "Contractors" });
    await makeGroup(h.db, connection.id, { objectId: "t1", displayName: "Twins" });
    await makeGroup(h.db, connection.id, { objectId: "t2", displayName: "twins" });
    await makeGroup(h.db, foreignConnection.id, { objectId: "f", displayName: "Foreign" });
    await expect(excludeGroupByName(h.db, actor, { seriesId: series.id, groupName: "Foreign" })).rejects.toMatchObject({
      code: "invalid_input",
      message: "No group of this organization's directory is called “Foreign”.",
    });
    await expect(excludeGroupByName(h.db, actor, { seriesId: series.id, groupName: " " })).rejects.toMatchObject({ fields: { groupName: "Enter a group's name." } });
    await expect(excludeGroupByName(h.db, actor, { seriesId: series.id, groupName: "TWINS" })).rejects.toMatchObject({ fields: { groupName: "The name is not unique." } });
    expect(await excludeGroupByName(h.db, actor, { seriesId: series.id, groupName: "contractors", reason: "contractors" })).toMatchObject({ created: true, label: "Contractors" });

    const dir: FakeDirectory = { groups: new Map([["c", users(1, 5)]]) };
    await runQueuedWork(h.db, { budgetMs: 60_000, openGraph: fakeGraph(dir).open });
    await excludeAddress(h.db, actor, { seriesId: series.id, email: users(1, 1)[0].mail!, reason: "unsubscribed" });
    await excludeAddress(h.db, actor, { seriesId: series.id, email: "else@x.example" });
    // Five members and one other address; the member excluded twice counts once.
    expect(await countExclusions(h.db, series.id)).toBe(6);
    // The personal exclusion answers first; it outlives the group's.
    expect(await exclusionOf(h.db, series.id, users(1, 1)[0].mail!)).toMatchObject({ reason: "unsubscribed" });
  });

  test("the schedule reads an excluded group again with the connection's groups", async () => {
    const { org, series, actor } = await makeOrgWithUser(h.db);
    const connection = await makeConnection(h.db, [org.id], { lastScheduledAt: new Date("2000-01-03T00:00:00Z") });
    const staff = await makeGroup(h.db, connection.id, { objectId: "staff", displayName: "Staff" });
    const contractors = await makeGroup(h.db, connection.id, { objectId: "contractors", displayName: "Contractors" });
    const dir: FakeDirectory = { groups: new Map([["staff", users(1, 10)], ["contractors", users(1, 3)]]) };
    await updateSelection(h.db, actor, { seriesId: series.id, connectionId: connection.id, groupIds: [staff.id], entireDirectory: false });
    await excludeGroup(h.db, actor, { seriesId: series.id, groupId: contractors.id });
    await runQueuedWork(h.db, { budgetMs: 60_000, openGraph: fakeGraph(dir).open });
    expect(await audience(series.id)).toEqual(mails(4, 10));

    // In Azure, users 4–6 join Contractors; the next scheduled call reads both groups.
    dir.groups.set("contractors", users(1, 6));
    const report = await runCron(h.db, { budgetMs: 60_000, openGraph: fakeGraph(dir).open, checkConnection: async () => true });
    expect(report).toMatchObject({ due: 2, failed: 0 });
    expect(await audience(series.id)).toEqual(mails(7, 10));
  });

  test("only editors of the series, only groups of a connection serving it, never a deleted group", async () => {
    const { org, series, actor } = await makeOrgWithUser(h.db);
    const other = await makeOrgWithUser(h.db);
    const connection = await makeConnection(h.db, [org.id]);
    const foreignConnection = await makeConnection(h.db, [other.org.id]);
    const group = await makeGroup(h.db, connection.id, { objectId: "g", displayName: "G" });
    const foreign = await makeGroup(h.db, foreignConnection.id, { objectId: "f", displayName: "F" });
    const gone = await makeGroup(h.db, connection.id, { objectId: "d", displayName: "Gone", deletedAt: new Date() });
    await expect(excludeGroup(h.db, other.actor, { seriesId: series.id, groupId: group.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(excludeGroup(h.db, actor, { seriesId: series.id, groupId: foreign.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(excludeGroup(h.db, actor, { seriesId: series.id, groupId: "nope" })).rejects.toMatchObject({ code: "not_found" });
    await expect(excludeGroup(h.db, actor, { seriesId: series.id, groupId: gone.id })).rejects.toMatchObject({ code: "invalid_input" });
    await expect(liftGroupExclusion(h.db, actor, { seriesId: series.id, exclusionId: "nope" })).rejects.toMatchObject({ code: "not_found" });
    expect(await h.db.select().from(s.auditEvents)).toEqual([]);
  });
});
