import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { auditEvents, audienceSources, connectionOrganizations, directoryConnections, directoryGroups, recipients } from "@/db/schema";
import { addHoldings } from "@/lib/audience/holdings";
import { createConnection, verifyConnectionDraft } from "@/lib/connections/create";
import { connectionDeletionImpact, deleteConnection } from "@/lib/connections/delete";
import { graphForConnection } from "@/lib/connections/graph-access";
import { updateConnectionOptions } from "@/lib/connections/options";
import { connectionsForSeries, getConnection, listConnections, refreshConnectionGroups, secretExpiryAlerts } from "@/lib/connections/queries";
import { rotateSecret } from "@/lib/connections/rotate";
import { verifyConnection } from "@/lib/connections/verify";
import { RosterError } from "@/lib/errors";
import { dbKinds, createTestDb, type TestDb } from "@/test/support/db";
import { inAYear, makeActor, makeOrg, makeSeries, wizardForm } from "./connection-fixtures";
import { mainApp, startSandboxForFile } from "./graph-sandbox";

const sandbox = startSandboxForFile();
beforeAll(() => {
  process.env.ENCRYPTION_KEY = randomBytes(32).toString("base64");
  delete process.env.ENCRYPTION_KEY_PREVIOUS;
});

async function rejection(p: Promise<unknown>): Promise<RosterError> {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  expect(e).toBeInstanceOf(RosterError);
  return e as RosterError;
}

describe.each(dbKinds)("directory connections on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  async function setup() {
    const org = await makeOrg(h.db);
    const admin = await makeActor(h.db, [{ orgId: org.id, role: "admin" }]);
    const t = await sandbox.createTenant();
    return { org, admin, t };
  }

  test("the wizard saves a verified connection as active, sealed, audited, with its catalog", async () => {
    const { org, admin, t } = await setup();
    const form = wizardForm(t, [org.id]);
    const result = await createConnection(h.db, admin, form);
    expect(result).toMatchObject({ saved: true, status: "active" });
    if (!result.saved) return;
    const [row] = await h.db.select().from(directoryConnections).where(eq(directoryConnections.id, result.connectionId));
    expect(row).toMatchObject({ status: "active", health: "healthy", tenantId: t.tenantId, secretId: form.secretId, secretHint: `${form.secretValue.slice(0, 3)}•••••` });
    expect(row.secretSealed).not.toContain(form.secretValue);
    expect(row.grantedRoles).toContain("User.Read.All");
    expect(row.lastVerifiedAt).not.toBeNull();
    const groups = await h.db.select().from(directoryGroups).where(eq(directoryGroups.connectionId, row.id));
    expect(groups.length).toBe(t.groups.length);
    expect(row.groupsRefreshedAt).not.toBeNull();
    const audit = await h.db.select().from(auditEvents).where(eq(auditEvents.targetId, row.id));
    expect(audit.map((a) => a.action)).toEqual(["connection.create"]);
    expect(audit[0]).toMatchObject({ actorUserId: admin.userId, organizationId: org.id });
    expect(JSON.stringify(audit)).not.toContain(form.secretValue);
    const { graph } = await graphForConnection(h.db, row.id);
    expect((await graph.grantedPermissions()).length).toBeGreaterThan(0);
  });

  test("a connection that fails verification is saved only as a draft, when asked", async () => {
    const { org, admin, t } = await setup();
    await sandbox.mutate(t.tenantId, [{ op: "revokePermission", clientId: mainApp(t).clientId, permission: "User.Read.All" }]);
    const refused = await createConnection(h.db, admin, wizardForm(t, [org.id]));
    expect(refused.saved).toBe(false);
    expect(refused.verification.ok).toBe(false);
    expect(await h.db.select().from(directoryConnections)).toHaveLength(0);
    const draft = await createConnection(h.db, admin, { ...wizardForm(t, [org.id]), saveAsDraft: true });
    expect(draft).toMatchObject({ saved: true, status: "draft" });
    const [row] = await h.db.select().from(directoryConnections);
    expect(row).toMatchObject({ status: "draft", health: "degraded" });
    expect((row.lastError as { code: string }).code).toBe("permission_missing");
    // Consent granted: verifying the draft makes it active.
    await sandbox.mutate(t.tenantId, [{ op: "grantPermission", clientId: mainApp(t).clientId, permission: "User.Read.All" }]);
    const verified = await verifyConnection(h.db, admin, row.id);
    expect(verified).toMatchObject({ health: "healthy", status: "active" });
  });

  test("field errors are specific, and nothing is saved from a rejected form", async () => {
    const { org, admin, t } = await setup();
    const form = wizardForm(t, [org.id]);
    const e = await rejection(
      createConnection(h.db, admin, { ...form, clientId: "nope", secretValue: form.secretId, groupObjectIds: "x", secretExpiresOn: "2000-01-01" }),
    );
    expect(e.code).toBe("invalid_input");
    expect(e.fields).toMatchObject({
      clientId: expect.stringMatching(/Not a GUID/),
      secretValue: "This is the Secret ID; paste the secret's Value.",
      groupObjectIds: expect.stringMatching(/Not a GUID/),
      secretExpiresOn: expect.stringMatching(/in the past/),
    });
    expect(JSON.stringify(e.fields)).not.toContain(form.secretValue);
    expect(await h.db.select().from(directoryConnections)).toHaveLength(0);
    expect(await h.db.select().from(auditEvents)).toHaveLength(0);
  });

  test("a wrong secret's fix lands on the secret field", async () => {
    const { org, admin, t } = await setup();
    const summary = await verifyConnectionDraft(h.db, admin, wizardForm(t, [org.id], { secretValue: "wrongQ8~aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }));
    expect(summary.ok).toBe(false);
    expect(summary.fields.secretValue).toMatch(/rejected the client secret.*paste the Value/);
  });

  test("editors and other organizations' admins are refused", async () => {
    const { org, admin, t } = await setup();
    const editor = await makeActor(h.db, [{ orgId: org.id, role: "editor" }]);
    const other = await makeOrg(h.db);
    const stranger = await makeActor(h.db, [{ orgId: other.id, role: "admin" }]);
    expect((await rejection(createConnection(h.db, editor, wizardForm(t, [org.id])))).code).toBe("forbidden");
    expect((await rejection(verifyConnectionDraft(h.db, editor, wizardForm(t, [org.id])))).code).toBe("forbidden");
    expect((await rejection(createConnection(h.db, stranger, wizardForm(t, [org.id])))).code).toBe("not_found");
    expect((await rejection(createConnection(h.db, null, wizardForm(t, [org.id])))).code).toBe("unauthenticated");
    const created = await createConnection(h.db, admin, wizardForm(t, [org.id]));
    if (!created.saved) throw new Error("expected a saved connection");
    const id = created.connectionId;
    for (const call of [
      () => getConnection(h.db, editor, id),
      () => verifyConnection(h.db, editor, id),
      () => rotateSecret(h.db, editor, { connectionId: id }),
      () => deleteConnection(h.db, editor, { connectionId: id }),
      () => updateConnectionOptions(h.db, editor, { connectionId: id }),
      () => refreshConnectionGroups(h.db, editor, id),
    ]) {
      expect((await rejection(call())).code).toBe("forbidden");
    }
    expect((await rejection(getConnection(h.db, stranger, id))).code).toBe("not_found");
    expect((await rejection(deleteConnection(h.db, stranger, { connectionId: id }))).code).toBe("not_found");
    expect((await rejection(listConnections(h.db, editor))).code).toBe("forbidden");
    expect(await listConnections(h.db, stranger)).toEqual([]);
    expect((await listConnections(h.db, admin)).map((c) => c.id)).toEqual([id]);
    const view = await getConnection(h.db, admin, id);
    expect(JSON.stringify(view)).not.toMatch(/secretSealed|secretKeyId/);
    expect(JSON.stringify(view)).not.toContain(mainApp(t).secret);
    // Editors see active connections of their series' organization.
    const s = await makeSeries(h.db, org.id);
    expect((await connectionsForSeries(h.db, editor, s.id)).map((c) => c.id)).toEqual([id]);
    expect((await rejection(connectionsForSeries(h.db, stranger, s.id))).code).toBe("not_found");
  });

  test("rotating: a wrong new secret keeps the old one; a good one replaces it", async () => {
    const { org, admin, t } = await setup();
    const created = await createConnection(h.db, admin, wizardForm(t, [org.id]));
    if (!created.saved) throw new Error("expected a saved connection");
    const [before] = await h.db.select().from(directoryConnections);
    const bad = await rotateSecret(h.db, admin, { connectionId: before.id, secretId: randomUUID(), secretValue: "wrongQ8~bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", secretExpiresOn: inAYear() });
    expect(bad.rotated).toBe(false);
    expect(bad.verification.fields.secretValue).toMatch(/client secret/);
    const [unchanged] = await h.db.select().from(directoryConnections);
    expect(unchanged.secretSealed).toBe(before.secretSealed);

    const fresh = await sandbox.mutate(t.tenantId, [{ op: "rotateSecret", clientId: mainApp(t).clientId, expiresInDays: 300 }]);
    const { secretId, value } = fresh.results[0];
    const good = await rotateSecret(h.db, admin, { connectionId: before.id, secretId, secretValue: value, secretExpiresOn: inAYear() });
    expect(good.rotated).toBe(true);
    const [after] = await h.db.select().from(directoryConnections);
    expect(after.secretId).toBe(secretId);
    expect(after.secretSealed).not.toBe(before.secretSealed);
    // The old secret is removed in Azure: the connection keeps working on the new one.
    await sandbox.mutate(t.tenantId, [{ op: "removeSecret", clientId: mainApp(t).clientId, secretId: mainApp(t).secretId }]);
    expect((await verifyConnection(h.db, admin, before.id)).health).toBe("healthy");
    const audit = await h.db.select().from(auditEvents);
    expect(audit.map((a) => a.action)).toEqual(["connection.create", "connection.rotate_secret", "connection.verify"]);
    expect(JSON.stringify(audit)).not.toContain(value);
  });

  test("verify records failures as health with the diagnosis (expired secret)", async () => {
    const { org, admin, t } = await setup();
    const created = await createConnection(h.db, admin, wizardForm(t, [org.id]));
    if (!created.saved) throw new Error("expected a saved connection");
    await sandbox.mutate(t.tenantId, [{ op: "expireSecret", clientId: mainApp(t).clientId }]);
    const result = await verifyConnection(h.db, admin, created.connectionId);
    expect(result.health).toBe("failing");
    const [row] = await h.db.select().from(directoryConnections);
    expect(row.lastError).toMatchObject({ code: "secret_expired" });
    expect((row.lastError as { fix: string }).fix).toMatch(/Rotate secret/);
  });

  test("editing options verifies contacts before saving, saves on confirmation, and audits what changed", async () => {
    const { org, admin, t } = await setup();
    await sandbox.mutate(t.tenantId, [{ op: "revokePermission", clientId: mainApp(t).clientId, permission: "OrgContact.Read.All" }]);
    const created = await createConnection(h.db, admin, wizardForm(t, [org.id]));
    if (!created.saved) throw new Error("expected a saved connection");
    const groupId = t.groups[0].id;
    const change = {
      connectionId: created.connectionId,
      organizationIds: [org.id],
      name: "Northwind",
      ownerName: "Ada Admin",
      ownerEmail: "ada@example.com",
      groupObjectIds: groupId,
      syncContacts: true,
      useUsernameFallback: true,
    };
    // Contacts without OrgContact.Read.All fail verification: nothing is written until the admin confirms.
    const refused = await updateConnectionOptions(h.db, admin, change);
    expect(refused).toMatchObject({ saved: false, consequence: { confirmLabel: "Save anyway: needs attention" } });
    const [untouched] = await h.db.select().from(directoryConnections).where(eq(directoryConnections.id, created.connectionId));
    expect(untouched).toMatchObject({ syncContacts: false, health: "healthy", groupObjectIds: [] });
    const r = await updateConnectionOptions(h.db, admin, { ...change, confirm: true });
    expect(r.saved).toBe(true);
    expect(r.changed.sort()).toEqual(["groupObjectIds", "syncContacts", "useUsernameFallback"]);
    expect(r.verification?.health).toBe("degraded");
    expect(r.verification?.verification.checklist.find((i) => !i.ok)?.id).toBe("permission:OrgContact.Read.All");
    // Degraded by the contacts permission only: the group list still follows the new Group Object IDs.
    const offered = (await h.db.select().from(directoryGroups).where(eq(directoryGroups.connectionId, created.connectionId))).filter((g) => !g.deletedAt);
    expect(offered.map((g) => g.objectId)).toEqual([groupId]);
    const e = await rejection(updateConnectionOptions(h.db, admin, { connectionId: created.connectionId, organizationIds: [org.id], ownerName: "A", ownerEmail: "a@example.com", groupObjectIds: `${groupId} ${groupId}` }));
    expect(e.fields?.groupObjectIds).toMatch(/listed twice/);
    const audit = await h.db.select().from(auditEvents).where(eq(auditEvents.action, "connection.update"));
    expect(audit[0].details).toMatchObject({ syncContacts: { from: false, to: true } });
  });

  test("organizations served: only ones the admin administers can be added", async () => {
    const { org, admin, t } = await setup();
    const second = await makeOrg(h.db);
    const foreign = await makeOrg(h.db);
    const both = await makeActor(h.db, [
      { orgId: org.id, role: "admin" },
      { orgId: second.id, role: "admin" },
    ]);
    const created = await createConnection(h.db, admin, wizardForm(t, [org.id]));
    if (!created.saved) throw new Error("expected a saved connection");
    const base = { connectionId: created.connectionId, name: "Northwind", ownerName: "Ada", ownerEmail: "ada@example.com" };
    expect((await rejection(updateConnectionOptions(h.db, admin, { ...base, organizationIds: [org.id, foreign.id] }))).code).toBe("not_found");
    await updateConnectionOptions(h.db, both, { ...base, organizationIds: [org.id, second.id] });
    const served = await h.db.select().from(connectionOrganizations).where(eq(connectionOrganizations.connectionId, created.connectionId));
    expect(served.map((s) => s.organizationId).sort()).toEqual([org.id, second.id].sort());
  });

  test("secret expiry alerts: within 14 days and after expiry, for the connection's admins only", async () => {
    const { org, admin, t } = await setup();
    const created = await createConnection(h.db, admin, wizardForm(t, [org.id]));
    if (!created.saved) throw new Error("expected a saved connection");
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const setExpiry = (d: string) => h.db.update(directoryConnections).set({ secretExpiresOn: d }).where(eq(directoryConnections.id, created.connectionId));
    await setExpiry(inDays(20));
    expect(await secretExpiryAlerts(h.db, admin)).toEqual([]);
    expect((await getConnection(h.db, admin, created.connectionId)).secretExpiry?.level).toBe("soon");
    await setExpiry(inDays(10));
    expect((await secretExpiryAlerts(h.db, admin)).map((a) => a.id)).toEqual([created.connectionId]);
    await setExpiry(inDays(-3));
    expect((await secretExpiryAlerts(h.db, admin))[0].expiry.status.level).toBe("expired");
    const editor = await makeActor(h.db, [{ orgId: org.id, role: "editor" }]);
    expect(await secretExpiryAlerts(h.db, editor)).toEqual([]);
    expect(await secretExpiryAlerts(h.db, null)).toEqual([]);
  });

  test("delete removes synced recipients unless another source holds them", async () => {
    const { org, admin, t } = await setup();
    const created = await createConnection(h.db, admin, wizardForm(t, [org.id]));
    if (!created.saved) throw new Error("expected a saved connection");
    const s = await makeSeries(h.db, org.id);
    const [group] = await h.db.select().from(directoryGroups).limit(1);
    const [manual] = await h.db.insert(audienceSources).values({ seriesId: s.id, kind: "manual", label: "Manual" }).returning();
    const [synced] = await h.db
      .insert(audienceSources)
      .values({ seriesId: s.id, kind: "directory_group", label: group.displayName, connectionId: created.connectionId, directoryGroupId: group.id })
      .returning();
    await h.db.transaction(async (tx) => {
      await addHoldings(tx, { seriesId: s.id, sourceId: manual.id, rows: [{ email: "both@example.com" }] });
      await addHoldings(tx, { seriesId: s.id, sourceId: synced.id, rows: [{ email: "both@example.com" }, { email: "only-synced@example.com" }] });
    });
    expect(await connectionDeletionImpact(h.db, admin, created.connectionId)).toEqual({ series: 1, recipientsRemoved: 1 });
    const r = await deleteConnection(h.db, admin, { connectionId: created.connectionId });
    expect(r.recipientsRemoved).toBe(1);
    expect((await h.db.select().from(recipients)).map((x) => x.emailNormalized)).toEqual(["both@example.com"]);
    expect(await h.db.select().from(directoryConnections)).toHaveLength(0);
    expect(await h.db.select().from(directoryGroups)).toHaveLength(0);
    const audit = await h.db.select().from(auditEvents).where(eq(auditEvents.action, "connection.delete"));
    expect(audit[0].details).toMatchObject({ recipientsRemoved: 1 });
  });
});
