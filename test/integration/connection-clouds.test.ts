/**
 * Clouds: a connection takes its Graph host and token scope from the tenant's `msgraph_host`, saved at
 * verification, so US Government L5 (DoD, dod-graph.microsoft.us) works; connections saved before keep
 * working from their cloud flag; a tenant not found in one cloud is looked up in the other first.
 */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { directoryConnections } from "@/db/schema";
import { createConnection } from "@/lib/connections/create";
import { graphForConnection } from "@/lib/connections/graph-access";
import { verifyConnection } from "@/lib/connections/verify";
import { verifyDirectoryAccess } from "@/lib/directory/entra/verify";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { callSandbox } from "@/sandbox/control/client";
import { dbKinds, createTestDb, type TestDb } from "@/test/support/db";
import { makeActor, makeOrg, wizardForm } from "./connection-fixtures";
import { mainApp, startSandboxForFile } from "./graph-sandbox";

const sandbox = startSandboxForFile();
beforeAll(() => {
  process.env.ENCRYPTION_KEY = randomBytes(32).toString("base64");
  delete process.env.ENCRYPTION_KEY_PREVIOUS;
});
const opts = { groupObjectIds: [], syncContacts: false };

describe.each(dbKinds)("connections in each cloud on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test("a DoD tenant verifies, saves msgraph_host dod-graph.microsoft.us and reads Graph with its scope", async () => {
    const org = await makeOrg(h.db);
    const admin = await makeActor(h.db, [{ orgId: org.id, role: "admin" }]);
    const t = await sandbox.createTenant({ scenario: "northwind", cloud: "usgovdod" });
    const result = await createConnection(h.db, admin, wizardForm(t, [org.id], { azureGovernment: true }));
    expect(result).toMatchObject({ saved: true, status: "active" });
    if (!result.saved) return;
    const [row] = await h.db.select().from(directoryConnections).where(eq(directoryConnections.id, result.connectionId));
    expect(row).toMatchObject({ cloud: "usgov", msgraphHost: "dod-graph.microsoft.us", health: "healthy" });
    const { graph } = await graphForConnection(h.db, row.id);
    expect(await graph.grantedPermissions()).toContain("User.Read.All");
    const log = (await sandbox.control("GET", `/tenants/${t.tenantId}/requests`)).requests as Array<{ kind: string; status: number }>;
    // Every token the sandbox issued was for dod-graph.microsoft.us: it refuses an L4 (graph.microsoft.us) scope.
    expect(log.filter((r) => r.kind === "token").every((r) => r.status === 200)).toBe(true);
  });

  test("a connection saved before msgraph_host keeps working from its cloud flag, and gets the host at its next verification", async () => {
    const org = await makeOrg(h.db);
    const admin = await makeActor(h.db, [{ orgId: org.id, role: "admin" }]);
    const t = await sandbox.createTenant({ scenario: "northwind", cloud: "usgov" });
    const result = await createConnection(h.db, admin, wizardForm(t, [org.id]));
    if (!result.saved) throw new Error("not saved");
    await h.db.update(directoryConnections).set({ msgraphHost: null }).where(eq(directoryConnections.id, result.connectionId));
    const { graph } = await graphForConnection(h.db, result.connectionId);
    expect((await graph.grantedPermissions()).length).toBeGreaterThan(0);
    await verifyConnection(h.db, admin, result.connectionId);
    const [row] = await h.db.select().from(directoryConnections).where(eq(directoryConnections.id, result.connectionId));
    expect(row.msgraphHost).toBe("graph.microsoft.us");
  });
});

describe("a tenant not found in one cloud is looked up in the other", () => {
  // A second sandbox plays the Azure Government authority (login.microsoftonline.us): each knows only its own tenants.
  let gov: Sandbox;
  beforeAll(async () => {
    gov = await startSandbox({ port: 0, demo: false });
    process.env.ENTRA_AUTHORITY_HOST_USGOV = gov.url;
  });
  afterAll(async () => {
    delete process.env.ENTRA_AUTHORITY_HOST_USGOV;
    await gov.close();
  });

  test("a Government tenant entered as global: “tick Azure Government”", async () => {
    const t = await callSandbox<{ tenantId: string; apps: unknown[] }>(gov.url, "POST", "/tenants", { scenario: "northwind", cloud: "usgov" });
    const app = mainApp(t);
    const r = await verifyDirectoryAccess({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" }, opts);
    const tenant = r.checklist.find((i) => i.id === "tenant")!;
    expect(tenant).toMatchObject({ ok: false, code: "wrong_cloud", fix: "Tick “Azure Government” and verify again." });
    expect(tenant.title).toMatch(/in Azure Government/);
    expect(tenant.details).toMatch(/AADSTS90002[\s\S]*found at 127\.0\.0\.1:\d+ \(cloud instance microsoftonline\.us\)/);
  });

  test("a global tenant entered as Azure Government: “untick Azure Government”", async () => {
    const t = await sandbox.createTenant({ scenario: "northwind", cloud: "global" });
    const app = mainApp(t);
    const r = await verifyDirectoryAccess({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "usgov" }, opts);
    expect(r.checklist.find((i) => i.id === "tenant")).toMatchObject({ ok: false, code: "wrong_cloud", fix: "Untick “Azure Government” and verify again." });
  });

  test("a tenant in neither cloud is not found", async () => {
    const r = await verifyDirectoryAccess({ tenantId: "0b1d2c3e-0000-4000-8000-000000000000", clientId: "0b1d2c3e-0000-4000-8000-000000000001", clientSecret: "x8Q~yyyyyyyyyyyyyyyyyyyyyyyy", cloud: "global" }, opts);
    expect(r.checklist.find((i) => i.id === "tenant")).toMatchObject({ ok: false, code: "tenant_not_found" });
  });
});
