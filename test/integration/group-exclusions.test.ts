/**
 * "Exclude members of Contractors" (docs/adr/0014-exclusions-change-log-thresholds.md, "Group exclusions"): the
 * members of an excluded group never enter the audience, whatever source holds them, through every later sync;
 * the exclusion follows the group's membership when it is listed again; lifting it brings back exactly what a
 * source holds; the why lookup says why.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import * as s from "@/db/schema";
import { exclusionOf } from "@/lib/audience/exclusions";
import { countExclusions, excludeAddress, liftExclusion } from "@/lib/audience/exclusions";
import { addManualRecipient } from "@/lib/audience/manual";
import { excludeGroup, excludeGroupByName, liftGroupExclusion, listGroupExclusions } from "@/lib/sync/group-exclusions";
import { requestSync, runQueuedWork } from "@/lib/sync/verbs";
import { runCron } from "@/lib/sync/cron";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import type { Sandbox } from "@/sandbox/server";
import { makeConnection, makeGroup, makeOrgWithUser } from "@/test/support/factories";
import { arrangeNumberedTenant, mutate, numberedMail, setFaults, startTenantServer } from "@/test/reliability/sandbox-harness";

type Tenant = Awaited<ReturnType<typeof arrangeNumberedTenant>>;

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

describe.each(dbKinds)("group exclusions on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  const audience = async (seriesId: string) =>
    (await h.db.select({ e: s.recipients.emailNormalized }).from(s.recipients).where(eq(s.recipients.seriesId, seriesId))).map((r) => r.e).sort();
  const mails = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => numberedMail(from + i)).sort();
  // Every listing goes to the sandbox tenant through the product's real Graph stack.
  const work = () => runQueuedWork(h.db, { budgetMs: 60_000 });
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const members = (t: Tenant, op: "addMember" | "removeMember", group: string, numbers: number[]) =>
    mutate(sb, t.manifest.tenantId, ...numbers.map((n) => ({ op, groupId: t.groupId(group), memberId: t.userId(n) })));

  test("members of an excluded group stay out through every sync; the exclusion follows the group; lifting brings back what a source holds", async () => {
    // Staff: users 1–30; Contractors: users 21–40 (21–30 in both).
    const t = await arrangeNumberedTenant(h.db, sb, { Staff: [[1, 30]], Contractors: [[21, 40]] });
    const { actor, seriesId } = t;
    const contractorsId = t.catalog.get(t.groupId("Contractors"))!;
    await t.select([t.groupId("Staff")]);
    await work();
    expect(await audience(seriesId)).toEqual(mails(1, 30));

    const { created } = await excludeGroup(h.db, actor, { seriesId, groupId: contractorsId, reason: "contractors" });
    expect(created).toBe(true);
    // Nothing leaves before the group has been listed completely.
    expect(await audience(seriesId)).toEqual(mails(1, 30));
    await work();
    expect(await audience(seriesId)).toEqual(mails(1, 20));
    expect(await listGroupExclusions(h.db, actor, seriesId)).toMatchObject([{ label: "Contractors", reason: "contractors", memberCount: 20 }]);
    // Contractors is not ticked: it contributes nobody.
    const [source] = await h.db.select().from(s.audienceSources).where(and(eq(s.audienceSources.seriesId, seriesId), eq(s.audienceSources.directoryGroupId, contractorsId)));
    expect(source).toMatchObject({ selected: false });

    // A sync that finds them in Staff again keeps them out.
    const [staffSource] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, t.catalog.get(t.groupId("Staff"))!));
    await requestSync(h.db, actor, { sourceId: staffSource.id });
    await work();
    expect(await audience(seriesId)).toEqual(mails(1, 20));
    expect(await exclusionOf(h.db, seriesId, numberedMail(25))).toMatchObject({ reason: "member of Contractors: contractors", excludedBy: actor.name });

    // The change log says why they left.
    const changes = await h.db.select().from(s.audienceChanges).where(and(eq(s.audienceChanges.seriesId, seriesId), eq(s.audienceChanges.change, "removed")));
    expect(changes.map((c) => c.reason)).toEqual(Array(10).fill("excluded: member of Contractors (contractors)"));

    // In Azure, Contractors shrinks to 21–25, and is listed again: 26–30 come back through Staff.
    await members(t, "removeMember", "Contractors", range(26, 40));
    expect((await excludeGroup(h.db, actor, { seriesId, groupId: contractorsId })).created).toBe(false);
    await work();
    expect(await audience(seriesId)).toEqual(mails(1, 20).concat(mails(26, 30)).sort());

    // A listing that fails (Graph refuses Contractors' members) changes nothing: the exclusion keeps its last
    // complete members, though the group now holds everyone.
    await members(t, "addMember", "Contractors", [...range(1, 20), ...range(26, 40)]);
    await setFaults(sb, t.manifest.tenantId, { pageErrors: [{ groupId: t.groupId("Contractors"), page: 1, status: 403, mode: "always" }] });
    await excludeGroup(h.db, actor, { seriesId, groupId: contractorsId });
    expect(await work()).toMatchObject({ failed: 1 });
    expect(await audience(seriesId)).toEqual(mails(1, 20).concat(mails(26, 30)).sort());
    await setFaults(sb, t.manifest.tenantId, {});

    const [ge] = await listGroupExclusions(h.db, actor, seriesId);
    expect(await liftGroupExclusion(h.db, actor, { seriesId, exclusionId: ge.id })).toMatchObject({ label: "Contractors", restored: 5 });
    expect(await audience(seriesId)).toEqual(mails(1, 30));
    expect(await exclusionOf(h.db, seriesId, numberedMail(25))).toBeNull();

    const actions = (await h.db.select().from(s.auditEvents)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["exclusion.group_add", "exclusion.group_refresh", "exclusion.group_lift"]));
  });

  test("a member of an excluded group stays out of every other writer; a writer that forgets exclusions is refused by the database", async () => {
    // Staff: users 1–10; Contractors: users 6–15.
    const t = await arrangeNumberedTenant(h.db, sb, { Staff: [[1, 10]], Contractors: [[6, 15]] });
    const { actor, seriesId } = t;
    await t.select([t.groupId("Staff")]);
    await excludeGroup(h.db, actor, { seriesId, groupId: t.catalog.get(t.groupId("Contractors"))! });
    await work();
    expect(await audience(seriesId)).toEqual(mails(1, 5));

    // A manual add holds the address but does not bring it in, and lifting a personal exclusion of the same
    // address leaves it out while the group excludes it.
    await addManualRecipient(h.db, actor, { seriesId, email: numberedMail(12) });
    await excludeAddress(h.db, actor, { seriesId, email: numberedMail(7), reason: "asked" });
    expect(await liftExclusion(h.db, actor, { seriesId, email: numberedMail(7) })).toMatchObject({ lifted: true, restored: false });
    expect(await audience(seriesId)).toEqual(mails(1, 5));

    // The net in the database (migration statement_exclusion_check): one statement inserting a newcomer and an
    // excluded address (personal or by group) is refused whole.
    await excludeAddress(h.db, actor, { seriesId, email: numberedMail(3) });
    const insert = (...emails: string[]) =>
      h.db.execute(sql`INSERT INTO recipients (series_id, email_normalized, email)
                       SELECT ${seriesId}::uuid, e, e FROM unnest(${sql.param(emails)}::text[]) AS t(e)`);
    const refusal = async (emails: string[]) => {
      const error = await insert(...emails).then(() => null, (e: unknown) => e);
      // The database's own message, wherever the driver wrapped it.
      const chain: string[] = [];
      for (let e = error as { message?: string; cause?: unknown } | null; e; e = e.cause as typeof e) chain.push(String(e.message));
      return chain.join(" | ");
    };
    expect(await refusal([`newcomer@x.example`, numberedMail(3)])).toMatch(/an excluded address cannot become a recipient of its series/);
    expect(await refusal([`newcomer@x.example`, numberedMail(9)])).toMatch(/an excluded address cannot become a recipient of its series/);
    expect(await audience(seriesId)).toEqual([1, 2, 4, 5].map(numberedMail).sort());
    // The same statement without the excluded address goes in.
    expect(await refusal([`newcomer@x.example`])).toBe("");
    expect(await audience(seriesId)).toEqual([1, 2, 4, 5].map(numberedMail).concat("newcomer@x.example").sort());
  });

  test("the dialog names the group as the directory shows it; unknown and ambiguous names are clear errors; counts cover both kinds", async () => {
    const t = await arrangeNumberedTenant(h.db, sb, { Contractors: [[1, 5]] });
    const { actor, seriesId } = t;
    const other = await makeOrgWithUser(h.db);
    const foreignConnection = await makeConnection(h.db, [other.org.id]);
    // Two catalog entries whose names differ only in case (never listed: nothing syncs them).
    await makeGroup(h.db, t.connectionId, { objectId: "t1", displayName: "Twins" });
    await makeGroup(h.db, t.connectionId, { objectId: "t2", displayName: "twins" });
    await makeGroup(h.db, foreignConnection.id, { objectId: "f", displayName: "Foreign" });
    await expect(excludeGroupByName(h.db, actor, { seriesId, groupName: "Foreign" })).rejects.toMatchObject({
      code: "invalid_input",
      message: "No group of this organization's directory is called “Foreign”.",
    });
    await expect(excludeGroupByName(h.db, actor, { seriesId, groupName: " " })).rejects.toMatchObject({ fields: { groupName: "Enter a group's name." } });
    await expect(excludeGroupByName(h.db, actor, { seriesId, groupName: "TWINS" })).rejects.toMatchObject({ fields: { groupName: "The name is not unique." } });
    expect(await excludeGroupByName(h.db, actor, { seriesId, groupName: "contractors", reason: "contractors" })).toMatchObject({ created: true, label: "Contractors" });

    await work();
    await excludeAddress(h.db, actor, { seriesId, email: numberedMail(1), reason: "unsubscribed" });
    await excludeAddress(h.db, actor, { seriesId, email: "else@x.example" });
    // Five members and one other address; the member excluded twice counts once.
    expect(await countExclusions(h.db, seriesId)).toBe(6);
    // The personal exclusion answers first; it outlives the group's.
    expect(await exclusionOf(h.db, seriesId, numberedMail(1))).toMatchObject({ reason: "unsubscribed" });
  });

  test("the schedule reads an excluded group again with the connection's groups", async () => {
    const t = await arrangeNumberedTenant(h.db, sb, { Staff: [[1, 10]], Contractors: [[1, 3]] });
    const { actor, seriesId } = t;
    await h.db.update(s.directoryConnections).set({ lastScheduledAt: new Date("2000-01-03T00:00:00Z") }).where(eq(s.directoryConnections.id, t.connectionId));
    await t.select([t.groupId("Staff")]);
    await excludeGroup(h.db, actor, { seriesId, groupId: t.catalog.get(t.groupId("Contractors"))! });
    await work();
    expect(await audience(seriesId)).toEqual(mails(4, 10));

    // In Azure, users 4–6 join Contractors; the next scheduled call reads both groups.
    await members(t, "addMember", "Contractors", [4, 5, 6]);
    const report = await runCron(h.db, { budgetMs: 60_000, checkConnection: async () => true });
    expect(report).toMatchObject({ failed: 0 });
    expect(await audience(seriesId)).toEqual(mails(7, 10));
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
