import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { directoryConnections } from "@/db/schema";
import { createConnection, verifyConnectionDraft } from "@/lib/connections/create";
import { updateConnectionOptions } from "@/lib/connections/options";
import { rotateSecret } from "@/lib/connections/rotate";
import { RosterError } from "@/lib/errors";
import { dbKinds, createTestDb, type TestDb } from "@/test/support/db";
import { inAYear, makeActor, makeOrg, wizardForm } from "./connection-fixtures";
import { mainApp, startSandboxForFile } from "./graph-sandbox";

const sandbox = startSandboxForFile();
beforeAll(() => {
  process.env.ENCRYPTION_KEY = randomBytes(32).toString("base64");
  delete process.env.ENCRYPTION_KEY_PREVIOUS;
});

/** A tenant with a domain of its own (Northwind copies share theirs): a generated directory, seeded at random. */
const tenantWithOwnDomain = () => sandbox.createTenant({ generate: { users: 20, groups: 3, contacts: 0, seed: randomBytes(4).readUInt32BE() } });

describe.each(dbKinds)("connection settings and identity on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  async function healthy() {
    const org = await makeOrg(h.db);
    const admin = await makeActor(h.db, [{ orgId: org.id, role: "admin" }]);
    const t = await sandbox.createTenant();
    const created = await createConnection(h.db, admin, wizardForm(t, [org.id]));
    if (!created.saved) throw new Error("expected a saved connection");
    const base = { connectionId: created.connectionId, organizationIds: [org.id], name: "Northwind", ownerName: "Ada Admin", ownerEmail: "ada@example.com", groupObjectIds: "", azureGovernment: false, useUsernameFallback: false, syncContacts: false };
    const row = async () => (await h.db.select().from(directoryConnections).where(eq(directoryConnections.id, created.connectionId)))[0];
    return { org, admin, t, id: created.connectionId, base, row };
  }

  test("ticking Azure Government wrongly on a healthy connection is refused, with the diagnosis on its field", async () => {
    const { admin, base, row } = await healthy();
    const r = await updateConnectionOptions(h.db, admin, { ...base, azureGovernment: true });
    expect(r.saved).toBe(false);
    expect(r.verification?.verification.fields.azureGovernment).toMatch(/not Azure Government|Untick/);
    expect(r.consequence?.text).toMatch(/breaks this connection/);
    expect(r.consequence?.confirmLabel).toBe("Save anyway and break the connection");
    expect(await row()).toMatchObject({ cloud: "global", health: "healthy" });

    // Confirmed: saved, and the health says what it did.
    const confirmed = await updateConnectionOptions(h.db, admin, { ...base, azureGovernment: true, confirm: true });
    expect(confirmed.saved).toBe(true);
    expect(await row()).toMatchObject({ cloud: "usgov", health: "failing" });
  });

  test("an unknown Group Object ID is refused on its field; a known one is saved at once", async () => {
    const { admin, base, row, t } = await healthy();
    const unknown = randomUUID();
    const r = await updateConnectionOptions(h.db, admin, { ...base, groupObjectIds: unknown });
    expect(r.saved).toBe(false);
    expect(r.verification?.verification.fields.groupObjectIds).toBeTruthy();
    expect(r.verification?.verification.checklist.find((i) => i.id === `group:${unknown}`)).toMatchObject({ ok: false });
    expect((await row()).groupObjectIds).toEqual([]);
    const ok = await updateConnectionOptions(h.db, admin, { ...base, groupObjectIds: t.groups[0].id });
    expect(ok.verification?.verification.checklist.filter((i) => !i.ok)).toEqual([]);
    expect(ok.saved).toBe(true);
    expect(ok.consequence).toBeUndefined();
    expect(await row()).toMatchObject({ groupObjectIds: [t.groups[0].id], health: "healthy" });
  });

  test("a draft's client and tenant IDs can be corrected; an active connection's cannot", async () => {
    const org = await makeOrg(h.db);
    const admin = await makeActor(h.db, [{ orgId: org.id, role: "admin" }]);
    const t = await sandbox.createTenant();
    const other = await sandbox.createTenant();
    // Saved as a draft with the other tenant's id: the app is not in that directory.
    const draft = await createConnection(h.db, admin, { ...wizardForm(t, [org.id]), tenantId: other.tenantId, saveAsDraft: true });
    if (!draft.saved) throw new Error("expected a draft");
    expect(draft.status).toBe("draft");
    const base = { connectionId: draft.connectionId, organizationIds: [org.id], name: "Northwind", ownerName: "Ada Admin", ownerEmail: "ada@example.com", groupObjectIds: "", azureGovernment: false, useUsernameFallback: false, syncContacts: false };
    const fixed = await updateConnectionOptions(h.db, admin, { ...base, tenantId: ` "${t.tenantId.toUpperCase()}" `, clientId: mainApp(t).clientId });
    expect(fixed).toMatchObject({ saved: true, changed: ["tenantId"] });
    const [row] = await h.db.select().from(directoryConnections).where(eq(directoryConnections.id, draft.connectionId));
    expect(row).toMatchObject({ tenantId: t.tenantId, status: "active", health: "healthy" });

    const e = await updateConnectionOptions(h.db, admin, { ...base, tenantId: other.tenantId }).catch((err) => err);
    expect(e).toBeInstanceOf(RosterError);
    expect((e as RosterError).fields?.tenantId).toMatch(/active connection cannot change/);
  });

  test("the tenant may be given as its verified domain: it is resolved and stored as the GUID", async () => {
    const org = await makeOrg(h.db);
    const admin = await makeActor(h.db, [{ orgId: org.id, role: "admin" }]);
    const t = await tenantWithOwnDomain();
    const form = wizardForm(t, [org.id], { tenantId: `  ${t.initialDomain.toUpperCase()}\n` });
    const verified = await verifyConnectionDraft(h.db, admin, form);
    expect(verified).toMatchObject({ ok: true, tenantId: t.tenantId });
    const created = await createConnection(h.db, admin, form);
    expect(created).toMatchObject({ saved: true, status: "active" });
    const [row] = await h.db.select().from(directoryConnections);
    expect(row.tenantId).toBe(t.tenantId);

    const unknown = await verifyConnectionDraft(h.db, admin, { ...form, tenantId: "nobody-here.onmicrosoft.com" }).catch((err) => err);
    expect((unknown as RosterError).fields?.tenantId).toMatch(/No directory answers to nobody-here\.onmicrosoft\.com/);
  });

  test("a second connection to the same tenant and app is refused, naming the existing one", async () => {
    const { org, admin, t, id } = await healthy();
    const again = await createConnection(h.db, admin, { ...wizardForm(t, [org.id]), saveAsDraft: true });
    expect(again).toMatchObject({ saved: false, verification: { existing: { connectionId: id, name: "Northwind" } } });
    if (again.saved) return;
    expect(again.verification.fields.clientId).toMatch(/already connected to this directory as “Northwind”/);
    expect(await h.db.select().from(directoryConnections)).toHaveLength(1);
    // An admin elsewhere learns that it exists, not its name or id.
    const otherOrg = await makeOrg(h.db);
    const stranger = await makeActor(h.db, [{ orgId: otherOrg.id, role: "admin" }]);
    const theirs = await verifyConnectionDraft(h.db, stranger, wizardForm(t, [otherOrg.id]));
    expect(theirs.existing).toEqual({ connectionId: null, name: null });
    expect(JSON.stringify(theirs)).not.toContain(id);
  });

  test("a rotation names the previous Secret ID, the one that can now be deleted in Azure", async () => {
    const { admin, id, t } = await healthy();
    const app = mainApp(t);
    const mutation = await sandbox.mutate(t.tenantId, [{ op: "rotateSecret", clientId: app.clientId }]);
    const added = mutation.results[0];
    const r = await rotateSecret(h.db, admin, { connectionId: id, secretId: added.secretId, secretValue: added.value, secretExpiresOn: inAYear() });
    expect(r).toMatchObject({ rotated: true, secretId: added.secretId.toLowerCase(), previousSecretId: app.secretId.toLowerCase() });
  });
});
