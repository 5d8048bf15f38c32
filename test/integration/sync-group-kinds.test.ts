/**
 * Member listings for every kind of group, through the product's real credential and Graph client over HTTPS
 * against the sandbox's Northwind tenant: a Microsoft 365 group with "Sync contacts" on, a dynamic Microsoft 365
 * group, groups holding org contacts; a group whose membership is hidden; an app that cannot read users.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { runQueuedWork } from "@/lib/sync/verbs";
import type { Sandbox } from "@/sandbox/server";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { arrangeTenant, audienceOf, groupDetail, requestLog, startTenantServer, type Arranged } from "../reliability/sandbox-harness";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

const NORTHWIND = { scenario: "northwind" };
const work = (h: TestDb) => runQueuedWork(h.db, { budgetMs: 60_000 });
const byName = (t: Arranged, name: string) => t.manifest.groups.find((g) => g.displayName === name)!;

async function expectedWithContacts(t: Arranged, ids: string[]): Promise<string[]> {
  const all = new Set<string>();
  for (const id of ids) {
    const d = await groupDetail(sb, t.manifest.tenantId, id);
    for (const e of [...d.recipients!.mail, ...d.recipients!.contacts]) all.add(e);
  }
  return [...all].sort();
}

async function sourceOf(h: TestDb, t: Arranged, groupObjectId: string) {
  const [row] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, t.catalog.get(groupObjectId)!));
  return row;
}

describe.each(dbKinds)("member listings by group kind on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test("Microsoft 365 (also dynamic) groups sync with contacts on, each from one uncast standard listing", async () => {
    const t = await arrangeTenant(h.db, sb, NORTHWIND, { syncContacts: true });
    const names = ["Outreach", "Leadership Circle", "Partners Newsletter", "Management"];
    const ids = names.map((n) => byName(t, n).id);
    expect(byName(t, "Outreach").groupTypes).toEqual(["Unified"]);
    expect(byName(t, "Leadership Circle").groupTypes).toEqual(["DynamicMembership", "Unified"]);
    await t.select(ids);
    expect(await work(h)).toMatchObject({ completed: names.length, failed: 0 });
    const audience = await audienceOf(h.db, t.seriesId);
    expect(audience).toEqual(await expectedWithContacts(t, ids));
    expect(audience).toContain("jonas.berg@contoso.example"); // a partner contact, through Partners Newsletter

    const listings = (await requestLog(sb, t.manifest.tenantId)).filter((r) => r.kind === "graph" && /\/transitiveMembers/i.test(r.url) && r.top === 999);
    expect(listings).toHaveLength(names.length); // one request per group: users and contacts share the listing
    for (const r of listings) {
      expect(r.status).toBe(200);
      expect(r.url).not.toMatch(/microsoft\.graph\.|\$count/i); // no OData cast, no count: a standard query
      expect(r.consistencyLevel).toBeNull(); // so it never reads the lagging advanced-query index
    }
  });

  test("with Sync contacts off, a list's contacts are counted as left out, so Azure's count reconciles", async () => {
    const t = await arrangeTenant(h.db, sb, NORTHWIND, { syncContacts: false });
    const list = byName(t, "Partners Newsletter");
    const d = await groupDetail(sb, t.manifest.tenantId, list.id);
    expect(d.recipients!.contacts.length).toBeGreaterThan(0);
    await t.select([list.id]);
    expect(await work(h)).toMatchObject({ completed: 1, failed: 0 });
    const audience = await audienceOf(h.db, t.seriesId);
    for (const e of d.recipients!.contacts) expect(audience).not.toContain(e);
    const source = await sourceOf(h, t, list.id);
    // Every org contact of the list, with or without mail, was listed by Graph and left out.
    expect(source.skipped).toMatchObject({ contactsOff: d.recipients!.contacts.length + d.skipped!.contactsWithoutMail.length });
    const [run] = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.sourceId, source.id));
    const skipped = Object.values(run.skipped as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(run.membersSeen).toBe(audience.length + skipped); // read from Azure = in the audience + skipped, by reason
  });

  test("a group with hidden membership ends in Error naming Member.Read.Hidden, and syncs once it is granted", async () => {
    const t = await arrangeTenant(h.db, sb, NORTHWIND);
    const hidden = byName(t, "Board Confidential");
    await h.db.update(s.directoryGroups).set({ visibility: "HiddenMembership" }).where(eq(s.directoryGroups.id, t.catalog.get(hidden.id)!));
    await t.select([hidden.id]);
    expect(await work(h)).toMatchObject({ failed: 1, completed: 0 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual([]);
    const source = await sourceOf(h, t, hidden.id);
    expect(source.state).toBe("error");
    expect(source.lastError).toMatchObject({ code: "hidden_membership" });
    expect(JSON.stringify(source.lastError)).toContain("Member.Read.Hidden");

    const granted = await arrangeTenant(h.db, sb, NORTHWIND, { appName: "Roster Directory Sync (Member.Read.Hidden)" });
    await h.db.update(s.directoryGroups).set({ visibility: "HiddenMembership" }).where(eq(s.directoryGroups.id, granted.catalog.get(hidden.id)!));
    await granted.select([hidden.id]);
    expect(await work(h)).toMatchObject({ completed: 1, failed: 0 });
    const members = await audienceOf(h.db, granted.seriesId);
    expect(members).toHaveLength(4);
    expect(members).toEqual(await expectedWithContacts(granted, [hidden.id]));
  });

  test("members that come back as bare ids (no User.Read.All) fail with the User.Read.All fix and apply nothing", async () => {
    const t = await arrangeTenant(h.db, sb, NORTHWIND, { appName: "Roster Directory Sync (no User.Read.All)" });
    const sales = byName(t, "Sales");
    await t.select([sales.id]);
    expect(await work(h)).toMatchObject({ failed: 1, completed: 0 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual([]);
    const source = await sourceOf(h, t, sales.id);
    expect(source.state).toBe("error");
    expect(JSON.stringify(source.lastError)).toContain("User.Read.All");
    const [run] = await h.db.select().from(s.syncRuns);
    expect(run).toMatchObject({ added: 0, removed: 0 });
  });
});
