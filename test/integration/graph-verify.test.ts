import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { openGraph } from "@/lib/directory/entra/client";
import { diagnose } from "@/lib/directory/entra/diagnose";
import { verifyDirectoryAccess, type ChecklistItem } from "@/lib/directory/entra/verify";
import { appNamed, mainApp, startSandboxForFile } from "./graph-sandbox";

const sandbox = startSandboxForFile();
const line = (checklist: ChecklistItem[], id: string) => checklist.find((i) => i.id === id)!;
const opts = (more: Partial<Parameters<typeof verifyDirectoryAccess>[1]> = {}) => ({ groupObjectIds: [], syncContacts: false, ...more });

describe("verification against the sandbox tenant", () => {
  test("a correctly registered app passes every line", async () => {
    const t = await sandbox.createTenant();
    const app = mainApp(t);
    const groupId = t.groups[0].id;
    const r = await verifyDirectoryAccess({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" }, opts({ syncContacts: true, groupObjectIds: [groupId] }));
    expect(r.checklist.filter((i) => !i.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.roles).toEqual(expect.arrayContaining(["Group.Read.All", "GroupMember.Read.All", "User.Read.All", "OrgContact.Read.All"]));
    expect(r.checklist.map((i) => i.id)).toEqual([
      "tenant",
      "token",
      "roles",
      "permission:Group.Read.All",
      "permission:GroupMember.Read.All",
      "permission:User.Read.All",
      "permission:OrgContact.Read.All",
      `group:${groupId}`,
    ]);
    expect(line(r.checklist, `group:${groupId}`).label).toContain(t.groups[0].displayName);
  });

  test.each([
    ["wrong secret", () => ({ clientSecret: "wrong8Q~aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }), "secret_wrong"],
    ["Secret ID pasted as the value", (a: ReturnType<typeof mainApp>) => ({ clientSecret: a.secretId }), "secret_is_secret_id"],
    ["expired secret", (a: ReturnType<typeof mainApp>) => ({ clientSecret: a.expiredSecret }), "secret_expired"],
    ["app not in tenant", () => ({ clientId: randomUUID() }), "app_not_in_tenant"],
  ])("%s fails the sign-in line with its diagnosis", async (_name, patch, code) => {
    const t = await sandbox.createTenant();
    const app = mainApp(t);
    const config = { tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" as const, ...patch(app) };
    const r = await verifyDirectoryAccess(config, opts({ secretExpiresOn: "2026-01-01" }));
    expect(r.ok).toBe(false);
    expect(r.credentialsOk).toBe(false);
    expect(line(r.checklist, "tenant").ok).toBe(true);
    const token = line(r.checklist, "token");
    expect(token).toMatchObject({ ok: false, code });
    expect(token.details).toMatch(/AADSTS\d+/);
    if (code === "secret_expired") expect(token.title).toBe("The client secret expired on 2026-01-01");
    expect(r.diagnosis?.code).toBe(code);
    expect(r.checklist.filter((i) => i.id.startsWith("permission:")).every((i) => i.skipped)).toBe(true);
    expect(JSON.stringify(r)).not.toContain(app.secret);
  });

  test("an unknown tenant is told apart from a network failure", async () => {
    const r = await verifyDirectoryAccess({ tenantId: randomUUID(), clientId: randomUUID(), clientSecret: "x8Q~yyyyyyyyyyyyyyyyyyyyyyyy", cloud: "global" }, opts());
    expect(line(r.checklist, "tenant")).toMatchObject({ ok: false, code: "tenant_not_found" });
    expect(line(r.checklist, "tenant").details).toMatch(/AADSTS90002/);
    expect(line(r.checklist, "token").skipped).toBe(true);
  });

  test("an unreachable authority is a network diagnosis", async () => {
    const saved = process.env.ENTRA_AUTHORITY_HOST;
    process.env.ENTRA_AUTHORITY_HOST = "https://127.0.0.1:9";
    try {
      const r = await verifyDirectoryAccess({ tenantId: randomUUID(), clientId: randomUUID(), clientSecret: "x8Q~yyyyyyyyyyyyyyyyyyyyyyyy", cloud: "global" }, opts());
      expect(line(r.checklist, "tenant")).toMatchObject({ ok: false, code: "network" });
    } finally {
      process.env.ENTRA_AUTHORITY_HOST = saved;
    }
  });

  test("an Azure Government tenant set up as Global asks whether it is Azure Government", async () => {
    const t = await sandbox.createTenant({ scenario: "northwind", cloud: "usgov" });
    const app = mainApp(t);
    const wrong = await verifyDirectoryAccess({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" }, opts());
    expect(line(wrong.checklist, "tenant")).toMatchObject({ ok: false, code: "wrong_cloud" });
    expect(line(wrong.checklist, "tenant").title).toMatch(/is this an Azure Government tenant\?/);
    const right = await verifyDirectoryAccess({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "usgov" }, opts());
    expect(right.checklist.filter((i) => !i.ok)).toEqual([]);
  });

  test("a Global tenant set up as Azure Government is told to untick it", async () => {
    const t = await sandbox.createTenant();
    const app = mainApp(t);
    const r = await verifyDirectoryAccess({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "usgov" }, opts());
    expect(line(r.checklist, "tenant")).toMatchObject({ ok: false, code: "wrong_cloud" });
    expect(line(r.checklist, "tenant").fix).toMatch(/Untick “Azure Government”/);
  });

  test.each(["User.Read.All", "OrgContact.Read.All"])("missing %s fails its own line with the fix", async (permission) => {
    const t = await sandbox.createTenant();
    const app = mainApp(t);
    await sandbox.mutate(t.tenantId, [{ op: "revokePermission", clientId: app.clientId, permission }]);
    const r = await verifyDirectoryAccess({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" }, opts({ syncContacts: true }));
    const failedLines = r.checklist.filter((i) => !i.ok);
    expect(failedLines.map((i) => i.id)).toEqual([`permission:${permission}`]);
    expect(failedLines[0].code).toBe("permission_missing");
    expect(failedLines[0].fix).toContain(`Application permissions → ${permission}`);
    expect(failedLines[0].fix).toMatch(/Grant admin consent/);
    expect(r.credentialsOk).toBe(true);
  });

  // Graph lets either permission through for both reads (group-list and group-list-transitivemembers list the
  // other as an alternative): the real read proves access, the roles claim is advisory, and the line says so.
  test.each([
    ["Group.Read.All", "GroupMember.Read.All"],
    ["GroupMember.Read.All", "Group.Read.All"],
  ])("without %s the line still passes (Graph allows the read through %s) and notes the guide's choice", async (revoked, via) => {
    const t = await sandbox.createTenant();
    const app = mainApp(t);
    await sandbox.mutate(t.tenantId, [{ op: "revokePermission", clientId: app.clientId, permission: revoked }]);
    const r = await verifyDirectoryAccess({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" }, opts({ groupObjectIds: [t.groups[1].id] }));
    expect(r.checklist.filter((i) => !i.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(line(r.checklist, `permission:${revoked}`).note).toBe(`Allowed through ${via}. The guide recommends ${revoked}; no change is needed.`);
  });

  test.each([
    ["(Directory.Read.All)", ["Group.Read.All", "GroupMember.Read.All", "User.Read.All", "OrgContact.Read.All"]],
    ["(Group.Read.All + User.Read.All)", ["GroupMember.Read.All"]],
  ])("an app granted Graph's higher-privileged permissions %s verifies, each noted line naming what allowed it", async (suffix, noted) => {
    const t = await sandbox.createTenant();
    const app = appNamed(t, suffix);
    const r = await verifyDirectoryAccess(
      { tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" },
      opts({ syncContacts: suffix === "(Directory.Read.All)", groupObjectIds: [t.groups[0].id] }),
    );
    expect(r.checklist.filter((i) => !i.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    const withNote = r.checklist.filter((i) => i.note).map((i) => i.id.replace("permission:", ""));
    expect(withNote).toEqual(noted);
  });

  test("a configured group with hidden membership needs Member.Read.Hidden, checked by a real read", async () => {
    const t = await sandbox.createTenant();
    const hidden = t.groups.find((g: { displayName: string }) => g.displayName === "Board Confidential");
    const config = (a: { clientId: string; secret: string }) => ({ tenantId: t.tenantId, clientId: a.clientId, clientSecret: a.secret, cloud: "global" as const });
    const without = await verifyDirectoryAccess(config(mainApp(t)), opts({ groupObjectIds: [hidden.id] }));
    expect(without.ok).toBe(false);
    expect(without.checklist.filter((i) => !i.ok).map((i) => i.id)).toEqual([`group:${hidden.id}`]);
    expect(line(without.checklist, `group:${hidden.id}`)).toMatchObject({ code: "hidden_membership" });
    expect(line(without.checklist, `group:${hidden.id}`).fix).toContain("Member.Read.Hidden");
    const granted = await verifyDirectoryAccess(config(appNamed(t, "(Member.Read.Hidden)")), opts({ groupObjectIds: [hidden.id] }));
    expect(granted.ok).toBe(true);
  });

  test("the whole directory offered: Member.Read.Hidden is checked on the catalog's hidden-membership group, with one read", async () => {
    const t = await sandbox.createTenant();
    const hidden = t.groups.find((g: { displayName: string }) => g.displayName === "Board Confidential");
    const config = (a: { clientId: string; secret: string }) => ({ tenantId: t.tenantId, clientId: a.clientId, clientSecret: a.secret, cloud: "global" as const });
    const without = await verifyDirectoryAccess(config(mainApp(t)), opts({ hiddenMembershipGroupId: hidden.id }));
    // Advisory: the rest of the directory syncs; the line names the permission that hidden groups need.
    expect(without.ok).toBe(true);
    expect(line(without.checklist, "hidden-membership")).toMatchObject({ ok: true, note: expect.stringContaining("Member.Read.Hidden is not granted") });
    const granted = await verifyDirectoryAccess(config(appNamed(t, "(Member.Read.Hidden)")), opts({ hiddenMembershipGroupId: hidden.id }));
    expect(granted.ok).toBe(true);
    expect(line(granted.checklist, "hidden-membership")).toMatchObject({ ok: true, note: expect.stringContaining("is granted") });
    // No hidden group in the catalog: no such line; Group Object IDs listed: their own lines decide.
    expect((await verifyDirectoryAccess(config(mainApp(t)), opts())).checklist.map((i) => i.id)).not.toContain("hidden-membership");
    const sales = t.groups.find((g: { displayName: string }) => g.displayName === "Sales");
    const limited = await verifyDirectoryAccess(config(mainApp(t)), opts({ groupObjectIds: [sales.id], hiddenMembershipGroupId: hidden.id }));
    expect(limited.ok).toBe(true);
  });

  test("contacts off: OrgContact.Read.All is not required", async () => {
    const t = await sandbox.createTenant();
    const app = appNamed(t, "(expiring secret)");
    const off = await verifyDirectoryAccess({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" }, opts());
    expect(off.ok).toBe(true);
    const on = await verifyDirectoryAccess({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" }, opts({ syncContacts: true }));
    expect(on.checklist.filter((i) => !i.ok).map((i) => i.id)).toEqual(["permission:OrgContact.Read.All"]);
  });

  test("a delegated-only app is told to add Application permissions and grant consent", async () => {
    const t = await sandbox.createTenant();
    const app = appNamed(t, "(delegated only)");
    const r = await verifyDirectoryAccess({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" }, opts());
    expect(r.roles).toEqual([]);
    expect(line(r.checklist, "roles")).toMatchObject({ ok: false, code: "delegated_only" });
    for (const p of ["Group.Read.All", "GroupMember.Read.All", "User.Read.All"]) {
      expect(line(r.checklist, `permission:${p}`)).toMatchObject({ ok: false, code: "permission_missing" });
    }
  });

  test("a configured group that does not exist fails its line; one that exists passes", async () => {
    const t = await sandbox.createTenant();
    const app = mainApp(t);
    const missing = randomUUID();
    const r = await verifyDirectoryAccess(
      { tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" },
      opts({ groupObjectIds: [t.groups[1].id, missing] }),
    );
    expect(line(r.checklist, `group:${t.groups[1].id}`).ok).toBe(true);
    expect(line(r.checklist, `group:${missing}`)).toMatchObject({ ok: false, code: "group_not_found" });
  });

  test("consent granted after a failed verification is seen by the next one (fresh credential)", async () => {
    const t = await sandbox.createTenant();
    const app = mainApp(t);
    const config = { tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" as const };
    await sandbox.mutate(t.tenantId, [{ op: "revokePermission", clientId: app.clientId, permission: "User.Read.All" }]);
    expect((await verifyDirectoryAccess(config, opts())).ok).toBe(false);
    await sandbox.mutate(t.tenantId, [{ op: "grantPermission", clientId: app.clientId, permission: "User.Read.All" }]);
    expect((await verifyDirectoryAccess(config, opts())).ok).toBe(true);
  });

  test("the credential's own errors reach diagnose() unflattened", async () => {
    const t = await sandbox.createTenant();
    const app = mainApp(t);
    const graph = openGraph({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: "wrong8Q~aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", cloud: "global" });
    const error = await graph.get("/groups?$top=1").catch((e) => e);
    expect(diagnose(error).code).toBe("secret_wrong");
  });
});
