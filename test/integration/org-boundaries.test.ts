/**
 * Organization boundaries that hold over time (issue 17, item 1), through the product's real Graph client
 * against the sandbox tenant. A connection serving Contoso and Northwind stops serving Contoso: Contoso's
 * series stop syncing from it at once (scheduler, claim, runner), its editors can no longer query that
 * tenant live (the "why" lookup), and what the connection brought stays visible, with its count, until an
 * editor removes it. A Northwind-only admin cannot delete, rotate or re-scope a connection Contoso also uses.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import * as s from "@/db/schema";
import { explainAudienceMember } from "@/lib/why/audience";
import { deleteConnection } from "@/lib/connections/delete";
import { updateConnectionOptions } from "@/lib/connections/options";
import { rotateSecret } from "@/lib/connections/rotate";
import { directoryOverview } from "@/lib/dialog/overview";
import { listDirectoryGroups } from "@/lib/dialog/group-list";
import { personLookupThroughConnections } from "@/lib/why/person-lookup";
import { runCron } from "@/lib/sync/cron";
import { requestPreview, requestSync, runQueuedWork, updateSelection } from "@/lib/sync/verbs";
import type { Sandbox } from "@/sandbox/server";
import { arrangeTenant, audienceOf, control, mutate, requestLog, startTenantServer, type Arranged } from "@/test/reliability/sandbox-harness";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { makeActor, makeOrg } from "./connection-fixtures";

const DIRECTORY = { generate: { users: 80, groups: 3, depth: 1, overlap: 10, seed: 17 } };

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("expected a rejection");
}

/** The options form as the connection's page would send it back unchanged, with these organizations. */
async function sameOptions(h: TestDb, connectionId: string, organizationIds: string[], patch: Record<string, unknown> = {}) {
  const [c] = await h.db.select().from(s.directoryConnections).where(eq(s.directoryConnections.id, connectionId));
  return { connectionId, organizationIds, name: c.name, ownerName: c.ownerName, ownerEmail: c.ownerEmail, groupObjectIds: c.groupObjectIds.join(","), ...patch };
}

const graphCalls = async (t: Arranged) => (await requestLog(sb, t.manifest.tenantId)).filter((r) => r.kind === "graph");

describe.each(dbKinds)("organization boundaries on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test("a connection that stops serving an organization: no sync, no live lookup, the contribution visible and removable", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const northwind = await makeOrg(h.db);
    await h.db.insert(s.connectionOrganizations).values({ connectionId: t.connectionId, organizationId: northwind.id });
    const contosoAdmin = await makeActor(h.db, [{ orgId: t.organizationId, role: "admin" }]);
    const group = t.manifest.groups[0];
    await t.select([group.id]);
    expect(await runQueuedWork(h.db, { budgetMs: 60_000 })).toMatchObject({ completed: 1, failed: 0 });
    const before = await audienceOf(h.db, t.seriesId);
    const [synced] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.seriesId, t.seriesId));
    expect(synced.memberCount).toBe(before.length);
    // A sync queued just before the change.
    await requestSync(h.db, t.actor, { sourceId: synced.id });

    // Contoso's admin takes Contoso off the connection; Northwind keeps it.
    await updateConnectionOptions(h.db, contosoAdmin, await sameOptions(h, t.connectionId, [northwind.id]));
    const [marked] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.id, synced.id));
    expect(marked).toMatchObject({ state: "error", selected: true, memberCount: before.length, lastError: { code: "connection_unserved", title: "No longer available to this organization" } });
    expect(await queryRows(h.db, sql`SELECT 1 FROM sync_jobs WHERE status IN ('queued', 'running')`)).toHaveLength(0);

    // A new hire in the other tenant; a job that slipped in anyway (queued by a racing request).
    const hire = `new.hire.${randomBytes(3).toString("hex")}@example.test`;
    await mutate(sb, t.manifest.tenantId, { op: "addUser", user: { displayName: "New Hire", mail: hire }, groupIds: [group.id] });
    await h.db.execute(
      sql`INSERT INTO sync_jobs (source_id, series_id, connection_id, reason) VALUES (${synced.id}::uuid, ${t.seriesId}::uuid, ${t.connectionId}::uuid, 'schedule')`,
    );
    await control(sb, `/tenants/${t.manifest.tenantId}/requests`, "DELETE");
    const nextWeek = new Date(Date.now() + 7 * 86_400_000);
    const cron = await runCron(h.db, { now: nextWeek, budgetMs: 60_000, checkConnection: async () => true });
    expect(cron).toMatchObject({ due: 0, claimed: 1, failed: 1, completed: 0 });
    expect(await graphCalls(t)).toEqual([]);
    expect(await audienceOf(h.db, t.seriesId)).toEqual(before);
    const [job] = await queryRows<{ error: unknown }>(h.db, sql`SELECT error FROM sync_jobs WHERE reason = 'schedule'`);
    expect(typeof job.error === "string" ? JSON.parse(job.error) : job.error).toMatchObject({ code: "connection_unserved" });

    // Contoso's editors can no longer reach that tenant.
    const why = await explainAudienceMember(h.db, t.actor, { seriesId: t.seriesId, email: hire }, personLookupThroughConnections);
    expect(why.inAudience).toBe(false);
    expect(await graphCalls(t)).toEqual([]);
    expect((await rejection(requestSync(h.db, t.actor, { sourceId: synced.id }))).message).toMatch(/^No longer available to this organization/);
    expect((await rejection(requestPreview(h.db, t.actor, { seriesId: t.seriesId, groupId: t.catalog.get(t.manifest.groups[1].id)! }))).code).toBe("not_found");
    expect(
      (await rejection(updateSelection(h.db, t.actor, { seriesId: t.seriesId, connectionId: t.connectionId, groupIds: [synced.directoryGroupId!, t.catalog.get(t.manifest.groups[1].id)!], entireDirectory: false }))).message,
    ).toMatch(/^No longer available to this organization/);

    // The dialog still offers it, listing only what the series holds from it, with the count.
    const overview = await directoryOverview(h.db, t.actor, { seriesId: t.seriesId });
    expect(overview.connections).toContainEqual({ id: t.connectionId, name: expect.stringMatching(/\(no longer available to this organization\)$/) });
    const chosen = await directoryOverview(h.db, t.actor, { seriesId: t.seriesId, connectionId: t.connectionId });
    expect(chosen.sources).toMatchObject([{ sourceId: synced.id, state: "error", memberCount: before.length, lastError: { title: "No longer available to this organization" } }]);
    const page = await listDirectoryGroups(h.db, t.actor, { seriesId: t.seriesId, connectionId: t.connectionId });
    expect(page.groups.map((g) => g.objectId)).toEqual([group.id]);
    expect(await graphCalls(t)).toEqual([]);

    // "Remove": unticking takes the contribution out.
    expect(await updateSelection(h.db, t.actor, { seriesId: t.seriesId, connectionId: t.connectionId, groupIds: [], entireDirectory: false })).toEqual({ queued: 0, removed: 1 });
    expect(await audienceOf(h.db, t.seriesId)).toEqual([]);
    expect((await rejection(directoryOverview(h.db, t.actor, { seriesId: t.seriesId, connectionId: t.connectionId }))).code).toBe("not_found");
  });

  test("a Northwind-only admin cannot delete, rotate or re-scope a connection Contoso also uses; leaving it stays open", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const [contoso] = await h.db.select().from(s.organizations).where(eq(s.organizations.id, t.organizationId));
    const northwind = await makeOrg(h.db);
    await h.db.insert(s.connectionOrganizations).values({ connectionId: t.connectionId, organizationId: northwind.id });
    const northwindAdmin = await makeActor(h.db, [{ orgId: northwind.id, role: "admin" }]);
    await t.select([t.manifest.groups[0].id]);
    await runQueuedWork(h.db, { budgetMs: 60_000 });
    const before = await audienceOf(h.db, t.seriesId);
    expect(before.length).toBeGreaterThan(0);

    const refusals = [
      await rejection(deleteConnection(h.db, northwindAdmin, { connectionId: t.connectionId })),
      await rejection(rotateSecret(h.db, northwindAdmin, { connectionId: t.connectionId, secretId: randomBytes(16).toString("hex"), secretValue: "x", secretExpiresOn: "2099-01-01" })),
      await rejection(updateConnectionOptions(h.db, northwindAdmin, await sameOptions(h, t.connectionId, [t.organizationId, northwind.id], { groupObjectIds: t.manifest.groups[1].id }))),
      await rejection(updateConnectionOptions(h.db, northwindAdmin, await sameOptions(h, t.connectionId, [t.organizationId, northwind.id], { syncContacts: true }))),
    ];
    for (const r of refusals) {
      expect(r.code).toBe("forbidden");
      expect(r.message).toContain(`This connection also serves “${contoso.name}”, which you do not administer.`);
    }
    expect(await audienceOf(h.db, t.seriesId)).toEqual(before);
    const [c] = await h.db.select().from(s.directoryConnections).where(eq(s.directoryConnections.id, t.connectionId));
    expect(c).toMatchObject({ groupObjectIds: [], syncContacts: false });

    // Northwind's admin may still take Northwind off the connection.
    await updateConnectionOptions(h.db, northwindAdmin, await sameOptions(h, t.connectionId, [t.organizationId]));
    const served = await h.db.select().from(s.connectionOrganizations).where(eq(s.connectionOrganizations.connectionId, t.connectionId));
    expect(served.map((r) => r.organizationId)).toEqual([t.organizationId]);
    expect(await audienceOf(h.db, t.seriesId)).toEqual(before);
  });

  test("the why lookup never names a group the connection does not offer (Group Object IDs)", async () => {
    const t = await arrangeTenant(h.db, sb, DIRECTORY);
    const [offered] = t.manifest.groups;
    await h.db.update(s.directoryConnections).set({ groupObjectIds: [offered.id] }).where(eq(s.directoryConnections.id, t.connectionId));
    // A group outside the connection's list, nested nowhere, holding one person.
    const hidden = { id: randomUUID(), displayName: "Hidden Board" };
    const mail = `only.hidden.${randomBytes(3).toString("hex")}@example.test`;
    await mutate(sb, t.manifest.tenantId, { op: "addGroup", group: hidden });
    await mutate(sb, t.manifest.tenantId, { op: "addUser", user: { displayName: "Hidden Member", mail }, groupIds: [hidden.id] });
    await t.select([offered.id]);
    await runQueuedWork(h.db, { budgetMs: 60_000 });
    const why = await explainAudienceMember(h.db, t.actor, { seriesId: t.seriesId, email: mail }, personLookupThroughConnections);
    const text = why.reasons.map((r) => r.message).join(" ");
    expect(text).not.toContain(hidden.displayName);
    expect(why.reasons.map((r) => r.code)).toEqual(["not_member"]);
  });
});
