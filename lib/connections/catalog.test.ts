import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { directoryConnections, directoryGroups } from "@/db/schema";
import { createConnection } from "@/lib/connections/create";
import { dbKinds, createTestDb, type TestDb } from "@/test/support/db";
import { makeActor, makeOrg, wizardForm } from "@/test/integration/connection-fixtures";
import { startSandboxForFile } from "@/test/integration/graph-sandbox";
import { refreshCatalog } from "./catalog";

const sandbox = startSandboxForFile();
beforeAll(() => {
  process.env.ENCRYPTION_KEY = randomBytes(32).toString("base64");
});

describe.each(dbKinds)("group catalog on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  async function connect(patch: Record<string, unknown> = {}) {
    const org = await makeOrg(h.db);
    const admin = await makeActor(h.db, [{ orgId: org.id, role: "admin" }]);
    const t = await sandbox.createTenant();
    const created = await createConnection(h.db, admin, { ...wizardForm(t, [org.id], patch), saveAsDraft: true });
    if (!created.saved) throw new Error("not saved");
    return { t, connectionId: created.connectionId };
  }
  const catalog = (connectionId: string) => h.db.select().from(directoryGroups).where(eq(directoryGroups.connectionId, connectionId));

  test("the whole directory: every group with its kind; a vanished group is marked deleted, and restored when back", async () => {
    const { t, connectionId } = await connect();
    const first = await catalog(connectionId);
    expect(first.length).toBe(t.groups.length);
    const byName = new Map(first.map((g) => [g.displayName, g]));
    expect(byName.get("Outreach")).toMatchObject({ kind: "microsoft365", visibility: "Private" });
    expect(byName.get("Management")?.kind).toBe("mail_security");
    expect(byName.get("Partners Newsletter")?.kind).toBe("distribution");
    expect(byName.get("Engineers")?.kind).toBe("dynamic");
    expect(byName.get("Platform")?.kind).toBe("security");
    const outreach = t.groups.find((g: { displayName: string }) => g.displayName === "Outreach");
    expect(byName.get("Outreach")?.mail).toBe(outreach.mail);

    const victim = t.groups.find((g: { displayName: string }) => g.displayName === "Sales");
    await sandbox.mutate(t.tenantId, [{ op: "deleteGroup", groupId: victim.id }]);
    const r = await refreshCatalog(h.db, connectionId);
    expect(r).toMatchObject({ seen: t.groups.length - 1, markedDeleted: 1, added: 0 });
    const after = await catalog(connectionId);
    expect(after.length).toBe(t.groups.length); // never dropped
    expect(after.find((g) => g.objectId === victim.id)?.deletedAt).not.toBeNull();
    expect(after.filter((g) => g.deletedAt).length).toBe(1);

    const added = await sandbox.mutate(t.tenantId, [{ op: "addGroup", group: { id: victim.id, displayName: "Sales", kind: "distribution" } }]);
    expect(added.results[0].id).toBe(victim.id);
    const back = await refreshCatalog(h.db, connectionId);
    expect(back).toMatchObject({ restored: 1, markedDeleted: 0 });
    const restored = (await catalog(connectionId)).find((g) => g.objectId === victim.id);
    expect(restored).toMatchObject({ deletedAt: null, kind: "distribution" });
  });

  test("limited to the connection's Group Object IDs, read with one `id in (…)` request; one not returned is deleted", async () => {
    const picked = [0, 3];
    const org = await makeOrg(h.db);
    const admin = await makeActor(h.db, [{ orgId: org.id, role: "admin" }]);
    const t = await sandbox.createTenant();
    const ids = picked.map((i) => t.groups[i].id);
    const created = await createConnection(h.db, admin, wizardForm(t, [org.id], { groupObjectIds: ids.join(",") }));
    if (!created.saved) throw new Error("not saved");
    expect((await catalog(created.connectionId)).map((g) => g.objectId).sort()).toEqual([...ids].sort());
    await sandbox.mutate(t.tenantId, [{ op: "deleteGroup", groupId: ids[1] }]);
    await sandbox.control("DELETE", `/tenants/${t.tenantId}/requests`);
    const r = await refreshCatalog(h.db, created.connectionId);
    expect(r).toMatchObject({ seen: 1, markedDeleted: 1 });
    const log = await sandbox.control("GET", `/tenants/${t.tenantId}/requests`);
    const paths: string[] = log.requests.map((q: { path?: string; url?: string }) => String(q.path ?? q.url));
    const groupReads = paths.filter((p) => /\/v1\.0\/groups/i.test(p));
    expect(groupReads).toHaveLength(1); // one request for both ids, not one GET per id
    expect(decodeURIComponent(groupReads[0])).toContain(`$filter=id in ('${ids[0]}','${ids[1]}')`); // never the whole tenant
    expect((await catalog(created.connectionId)).find((g) => g.objectId === ids[1])?.deletedAt).not.toBeNull();
  });

  test("more Group Object IDs than one `in` takes (15) go in batches: 21 ids, 2 requests", async () => {
    const org = await makeOrg(h.db);
    const admin = await makeActor(h.db, [{ orgId: org.id, role: "admin" }]);
    const t = await sandbox.createTenant();
    const ids: string[] = t.groups.map((g: { id: string }) => g.id);
    expect(ids.length).toBeGreaterThan(15);
    const created = await createConnection(h.db, admin, { ...wizardForm(t, [org.id], { groupObjectIds: ids[0] }), saveAsDraft: true });
    if (!created.saved) throw new Error("not saved");
    // The form takes at most 15; the catalog must still cope with a longer list (set here directly).
    await h.db.update(directoryConnections).set({ groupObjectIds: ids }).where(eq(directoryConnections.id, created.connectionId));
    await sandbox.control("DELETE", `/tenants/${t.tenantId}/requests`);
    const r = await refreshCatalog(h.db, created.connectionId);
    expect(r).toMatchObject({ seen: ids.length, markedDeleted: 0 });
    const log = await sandbox.control("GET", `/tenants/${t.tenantId}/requests`);
    const groupReads = log.requests.filter((q: { url: string }) => /\/v1\.0\/groups/i.test(q.url));
    expect(groupReads.map((q: { status: number }) => q.status)).toEqual([200, 200]);
  });

  test("a failure part-way marks nothing deleted", async () => {
    const { t, connectionId } = await connect();
    await sandbox.mutate(t.tenantId, [{ op: "deleteGroup", groupId: t.groups[5].id }]);
    await sandbox.faults(t.tenantId, { retryAfter: [{ path: "/v1.0/groups", nth: 1, times: 100, seconds: 0, status: 503 }] });
    await expect(refreshCatalog(h.db, connectionId)).rejects.toMatchObject({ status: 503 });
    expect((await catalog(connectionId)).filter((g) => g.deletedAt)).toHaveLength(0);
    const [row] = await h.db.select().from(directoryConnections).where(eq(directoryConnections.id, connectionId));
    expect(row.groupsRefreshedAt).not.toBeNull(); // from the save, not this failed run
  });

  test("an unknown connection id is not found", async () => {
    await expect(refreshCatalog(h.db, randomUUID())).rejects.toMatchObject({ code: "not_found" });
  });
});
