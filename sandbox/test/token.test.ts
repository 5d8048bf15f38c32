/**
 * The token side through Roster's real ClientSecretCredential: each Entra failure reaches the product with
 * its AADSTS code, and a good token carries tid, appid, aud and the granted roles.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../server";
import { NORTHWIND } from "../scenarios/northwind";
import { app, credential, mutate, newTenant, requests, start, type Manifest } from "./helpers";

let sb: Sandbox;
let nw: Manifest;
beforeAll(async () => {
  sb = await start();
  nw = await newTenant(sb);
});
afterAll(() => sb.close());

const GRAPH = "https://graph.microsoft.com/.default";
const NORTHWIND_DOMAIN = "northwindtraders.onmicrosoft.com";
const decode = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected getToken to fail");
}

describe("token endpoint through ClientSecretCredential", () => {
  it("issues a JWT with tid, appid, aud, roles, iat and exp for the main app", async () => {
    const a = app(nw);
    const t = await credential(sb, nw.tenantId, a.clientId, a.secret).getToken(GRAPH);
    const c = decode(t.token);
    expect(c).toMatchObject({ tid: nw.tenantId, appid: a.clientId, aud: "https://graph.microsoft.com", idtyp: "app" });
    expect(c.roles).toEqual(["Group.Read.All", "GroupMember.Read.All", "User.Read.All", "OrgContact.Read.All"]);
    expect(c.exp - c.iat).toBe(3599);
    expect(t.expiresOnTimestamp - Date.now()).toBeGreaterThan(3500_000);
  });

  it("omits the roles claim for an app with delegated permissions only", async () => {
    const a = app(nw, "Roster Directory Sync (delegated only)");
    const c = decode((await credential(sb, nw.tenantId, a.clientId, a.secret).getToken(GRAPH)).token);
    expect(c).not.toHaveProperty("roles");
    expect(c.appid).toBe(a.clientId);
  });

  it("AADSTS7000215 for a wrong secret, including the Secret ID pasted as the value", async () => {
    const a = app(nw);
    for (const secret of ["not-the-secret", a.app.secrets[0].secretId]) {
      const e = await failure(credential(sb, nw.tenantId, a.clientId, secret).getToken(GRAPH));
      expect(e.message).toMatch(/invalid_client.*AADSTS7000215: Invalid client secret provided/s);
    }
  });

  it("AADSTS7000222 for an expired secret, and after expireSecret", async () => {
    const a = app(nw);
    const old = a.app.secrets.find((s) => s.expired)!;
    let e = await failure(credential(sb, nw.tenantId, a.clientId, old.value).getToken(GRAPH));
    expect(e.message).toMatch(/AADSTS7000222: The provided client secret keys for app '.*' are expired/);

    const m = await newTenant(sb);
    const b = app(m, "Roster Directory Sync (expiring secret)");
    expect(new Date(b.app.secrets[0].expiresAt).getTime() - Date.now()).toBeLessThan(14 * 86_400_000);
    await credential(sb, m.tenantId, b.clientId, b.secret).getToken(GRAPH);
    await mutate(sb, m.tenantId, { op: "expireSecret", clientId: b.clientId });
    e = await failure(credential(sb, m.tenantId, b.clientId, b.secret).getToken(GRAPH));
    expect(e.message).toContain("AADSTS7000222");
  });

  it("rotateSecret gives a working secret; the old one keeps working until removed", async () => {
    const m = await newTenant(sb);
    const a = app(m);
    const [rot] = await mutate(sb, m.tenantId, { op: "rotateSecret", clientId: a.clientId, expiresInDays: 30 });
    await credential(sb, m.tenantId, a.clientId, rot.value as string).getToken(GRAPH);
    await credential(sb, m.tenantId, a.clientId, a.secret).getToken(GRAPH);
    await mutate(sb, m.tenantId, { op: "removeSecret", clientId: a.clientId, secretId: a.app.secrets[0].secretId });
    const e = await failure(credential(sb, m.tenantId, a.clientId, a.secret).getToken(GRAPH));
    expect(e.message).toContain("AADSTS7000215");
  });

  it("AADSTS700016 for an app that is not in the tenant", async () => {
    // The demo tenant's client id does not exist in a fresh copy of Northwind.
    const e = await failure(credential(sb, nw.tenantId, NORTHWIND.app.clientId, NORTHWIND.app.secretValue).getToken(GRAPH));
    expect(e.message).toMatch(/unauthorized_client.*AADSTS700016: Application with identifier '.*' was not found in the directory 'Northwind Traders'/s);
  });

  it("AADSTS90002 for an unknown tenant, from the discovery document and the token endpoint", async () => {
    const unknown = "0a0b0c0d-1111-4222-8333-444455556666";
    for (const [method, path] of [["GET", `/${unknown}/v2.0/.well-known/openid-configuration`], ["POST", `/${unknown}/oauth2/v2.0/token`]]) {
      const res = await fetch(`${sb.url}${path}`, {
        method,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: method === "POST" ? `client_id=x&client_secret=y&scope=${encodeURIComponent(GRAPH)}&grant_type=client_credentials` : undefined,
      });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body).toMatchObject({ error: "invalid_tenant", error_codes: [90002] });
      expect(body.error_description).toMatch(/^AADSTS90002: Tenant '0a0b0c0d-1111-4222-8333-444455556666' not found\./);
      for (const k of ["timestamp", "trace_id", "correlation_id"]) expect(body).toHaveProperty(k);
    }
    // MSAL reads the discovery document first for a non-Microsoft authority host, so the credential reports
    // the failed discovery (real login.microsoftonline.com is built into MSAL and answers 90002 at the token call).
    const e = await failure(credential(sb, unknown, NORTHWIND.app.clientId, NORTHWIND.app.secretValue).getToken(GRAPH));
    expect(e.message).toContain("endpoints_resolution_error");
  });

  it("AADSTS500011 when the scope names another cloud's Graph", async () => {
    const gov = await newTenant(sb, { scenario: "northwind", cloud: "usgov" });
    expect(gov.scope).toBe("https://graph.microsoft.us/.default");
    const a = app(gov);
    const e = await failure(credential(sb, gov.tenantId, a.clientId, a.secret).getToken(GRAPH));
    expect(e.message).toMatch(/invalid_resource.*AADSTS500011: The resource principal named https:\/\/graph\.microsoft\.com was not found/s);
    const t = await credential(sb, gov.tenantId, a.clientId, a.secret).getToken(gov.scope);
    expect(decode(t.token).aud).toBe("https://graph.microsoft.us");
  });

  it("serves Entra's openid-configuration with cloud hints for each cloud", async () => {
    const gov = await newTenant(sb, { scenario: "empty", cloud: "usgov" });
    const g = await (await fetch(`${sb.url}/${nw.tenantId}/v2.0/.well-known/openid-configuration`)).json();
    expect(g).toMatchObject({ cloud_instance_name: "microsoftonline.com", msgraph_host: "graph.microsoft.com", tenant_region_scope: "NA" });
    expect(g.token_endpoint).toBe(`${sb.url}/${nw.tenantId}/oauth2/v2.0/token`);
    const u = await (await fetch(`${sb.url}/${gov.tenantId}/v2.0/.well-known/openid-configuration`)).json();
    expect(u).toMatchObject({ cloud_instance_name: "microsoftonline.us", msgraph_host: "graph.microsoft.us", tenant_region_scope: "USGov" });
    // A tenant's domain names work as {tenant} too (copies of Northwind share its domains: the demo tenant answers).
    const byDomain = await fetch(`${sb.url}/${NORTHWIND_DOMAIN}/v2.0/.well-known/openid-configuration`);
    expect((await byDomain.json()).issuer).toBe(`${sb.url}/${NORTHWIND.tenantId}/v2.0`);
  });

  it("logs token requests with the AADSTS code and no secret", async () => {
    const log = (await requests(sb, nw.tenantId)).filter((r) => r.kind === "token");
    expect(log.some((r) => r.error === "AADSTS7000215")).toBe(true);
    expect(log.some((r) => r.status === 200 && r.error === null)).toBe(true);
    expect(JSON.stringify(log)).not.toContain(app(nw).secret);
  });
});
