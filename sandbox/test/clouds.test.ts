/**
 * US Government L5 (DoD): a tenant whose openid-configuration reports msgraph_host dod-graph.microsoft.us
 * (https://learn.microsoft.com/en-us/graph/deployments), whose tokens are issued for that Graph only, and
 * whose Graph accepts only those.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Sandbox } from "../server";
import { app, credential, graph, newTenant, start } from "./helpers";

let sb: Sandbox;
beforeAll(async () => {
  sb = await start();
});
afterAll(() => sb.close());

const decode = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));

it("a DoD tenant announces dod-graph.microsoft.us, in the US Government instance, sub-scope DOD", async () => {
  const dod = await newTenant(sb, { scenario: "northwind", cloud: "usgovdod" });
  expect(dod.scope).toBe("https://dod-graph.microsoft.us/.default");
  const oidc = await (await fetch(`${sb.url}/${dod.tenantId}/v2.0/.well-known/openid-configuration`)).json();
  expect(oidc).toMatchObject({ msgraph_host: "dod-graph.microsoft.us", cloud_instance_name: "microsoftonline.us", tenant_region_scope: "USGov", tenant_region_sub_scope: "DOD" });
  const gov = await newTenant(sb, { scenario: "empty", cloud: "usgov" });
  const l4 = await (await fetch(`${sb.url}/${gov.tenantId}/v2.0/.well-known/openid-configuration`)).json();
  expect(l4.msgraph_host).toBe("graph.microsoft.us");
  expect(l4).not.toHaveProperty("tenant_region_sub_scope");
});

it("issues DoD tokens for dod-graph.microsoft.us only; its Graph refuses an L4 audience", async () => {
  const dod = await newTenant(sb, { scenario: "northwind", cloud: "usgovdod" });
  const a = app(dod);
  const l4 = await credential(sb, dod.tenantId, a.clientId, a.secret).getToken("https://graph.microsoft.us/.default").catch((e: Error) => e);
  expect((l4 as Error).message).toContain("AADSTS500011");
  const t = await credential(sb, dod.tenantId, a.clientId, a.secret).getToken(dod.scope);
  expect(decode(t.token)).toMatchObject({ aud: "https://dod-graph.microsoft.us", tenant_region_scope: "USGov" });
  const page = await graph(sb, credential(sb, dod.tenantId, a.clientId, a.secret), dod.scope).api("/groups?$top=1&$select=id").get();
  expect(page.value).toHaveLength(1);
});
