/**
 * Authorisation by the token's roles, as Graph does it: 403 Authorization_RequestDenied for a missing
 * permission, id-only members without User.Read.All / OrgContact.Read.All, 401 for bad tokens, and consent
 * changes visible only in tokens issued after them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenSigner } from "../auth/jwt";
import { authenticate } from "../graph/bearer";
import { GraphError } from "../graph/errors";
import type { Sandbox } from "../server";
import { createTenant } from "../tenants/create-tenant";
import { TenantRegistry } from "../tenants/registry";
import { all, app, credential, EVENTUAL, graph, graphError, graphFor, mutate, newTenant, start, type Manifest } from "./helpers";

let sb: Sandbox;
let nw: Manifest;
const group = (m: Manifest, name: string) => m.groups.find((g) => g.displayName === name)!;

beforeAll(async () => {
  sb = await start();
  nw = await newTenant(sb);
});
afterAll(() => sb.close());

describe("permissions", () => {
  it("403 Authorization_RequestDenied for an app with delegated permissions only", async () => {
    const client = graphFor(sb, nw, "Roster Directory Sync (delegated only)");
    for (const path of ["/groups", `/groups/${group(nw, "Sales").id}/members`, "/users"]) {
      const e = await graphError(client.api(path).get());
      expect(e.statusCode, path).toBe(403);
      expect(e.code).toBe("Authorization_RequestDenied");
      expect(e.message).toBe("Insufficient privileges to complete the operation.");
    }
  });

  it("403 on /organization until Organization.Read.All is granted, and then only for new tokens", async () => {
    const m = await newTenant(sb);
    const a = app(m);
    const client = graph(sb, credential(sb, m.tenantId, a.clientId, a.secret));
    expect((await graphError(client.api("/organization").get())).statusCode).toBe(403);
    await mutate(sb, m.tenantId, { op: "grantPermission", clientId: a.clientId, permission: "Organization.Read.All" });
    // The cached token still has the old roles.
    expect((await graphError(client.api("/organization").get())).statusCode).toBe(403);
    const fresh = graph(sb, credential(sb, m.tenantId, a.clientId, a.secret));
    const org = await fresh.api("/organization").get();
    expect(org.value[0]).toMatchObject({ id: m.tenantId, displayName: "Northwind Traders" });
    expect(org.value[0].verifiedDomains.map((d: { name: string }) => d.name)).toContain("northwind.example");
  });

  it("returns members with only id and @odata.type without User.Read.All", async () => {
    const client = graphFor(sb, nw, "Roster Directory Sync (no User.Read.All)");
    const g = group(nw, "Sales");
    const { items } = await all<Record<string, unknown>>(client, `/groups/${g.id}/transitiveMembers/microsoft.graph.user?$count=true&$select=id,mail,accountEnabled`, EVENTUAL);
    expect(items).toHaveLength(40);
    for (const u of items) expect(u).toEqual({ "@odata.type": "#microsoft.graph.user", id: expect.any(String), mail: null, accountEnabled: null });
    expect((await graphError(client.api("/users").get())).statusCode).toBe(403);
    // Groups are still readable with GroupMember.Read.All.
    expect((await client.api(`/groups/${g.id}`).get()).displayName).toBe("Sales");
  });

  it("returns org contacts as bare ids without OrgContact.Read.All, users in full", async () => {
    const client = graphFor(sb, nw, "Roster Directory Sync (expiring secret)");
    const g = group(nw, "Partners Newsletter");
    const { items } = await all<Record<string, unknown>>(client, `/groups/${g.id}/members?$select=id,mail,displayName`);
    const contacts = items.filter((x) => x["@odata.type"] === "#microsoft.graph.orgContact");
    const users = items.filter((x) => x["@odata.type"] === "#microsoft.graph.user");
    expect(contacts).toHaveLength(6);
    for (const c of contacts) expect(c.mail).toBeNull();
    expect(users.filter((u) => typeof u.mail === "string")).toHaveLength(8);
    const full = await all<Record<string, unknown>>(graphFor(sb, nw), `/groups/${g.id}/members?$select=id,mail`);
    expect(full.items.filter((x) => x["@odata.type"] === "#microsoft.graph.orgContact" && x.mail)).toHaveLength(5);
  });

  it("revokePermission takes roles out of new tokens", async () => {
    const m = await newTenant(sb);
    const a = app(m);
    await mutate(sb, m.tenantId, { op: "revokePermission", clientId: a.clientId, permission: "User.Read.All" });
    const client = graph(sb, credential(sb, m.tenantId, a.clientId, a.secret));
    const r = await client.api(`/groups/${group(m, "HR").id}/members`).get();
    expect(r.value[0]).toMatchObject({ "@odata.type": "#microsoft.graph.user", mail: null });
  });

  it("401 InvalidAuthenticationToken without a token or with a forged one", async () => {
    const noToken = await fetch(`${sb.url}/v1.0/groups`);
    expect(noToken.status).toBe(401);
    expect((await noToken.json()).error).toMatchObject({ code: "InvalidAuthenticationToken", message: "Access token is empty." });
    const a = app(nw);
    const token = (await credential(sb, nw.tenantId, a.clientId, a.secret).getToken(nw.scope))!.token;
    const [h, p] = token.split(".");
    const forged = `${h}.${p}.${"A".repeat(43)}`;
    const bad = await fetch(`${sb.url}/v1.0/groups`, { headers: { authorization: `Bearer ${forged}` } });
    expect(bad.status).toBe(401);
    expect((await bad.json()).error.code).toBe("InvalidAuthenticationToken");
  });

  it("refuses a token whose audience is another cloud's Graph, and an expired one", () => {
    const registry = new TenantRegistry();
    const gov = createTenant({ scenario: "empty", cloud: "usgov" });
    registry.add(gov);
    const signer = new TokenSigner();
    const now = Math.floor(Date.now() / 1000);
    const claims = { tid: gov.id, appid: gov.apps[0].clientId, iat: now, nbf: now, exp: now + 600 };
    const ok = signer.sign({ ...claims, aud: "https://graph.microsoft.us" });
    expect(authenticate(`Bearer ${ok}`, registry, signer).tenant).toBe(gov);
    const wrongCloud = signer.sign({ ...claims, aud: "https://graph.microsoft.com" });
    expect(() => authenticate(`Bearer ${wrongCloud}`, registry, signer)).toThrowError(/Invalid audience/);
    const expired = signer.sign({ ...claims, aud: "https://graph.microsoft.us", exp: now - 1 });
    expect(() => authenticate(`Bearer ${expired}`, registry, signer)).toThrowError(GraphError);
  });
});
