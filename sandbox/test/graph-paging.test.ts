/**
 * Paging as Roster uses it, through the real Graph client: default pages of 100, $top up to 999, opaque
 * @odata.nextLink tokens followed to the end, advanced-query headers needed on every page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../server";
import { all, control, EVENTUAL, graphError, graphFor, newTenant, requests, start, type Manifest } from "./helpers";

let sb: Sandbox;
let nw: Manifest;
let gen: Manifest;
const group = (m: Manifest, name: string) => m.groups.find((g) => g.displayName === name)!;

beforeAll(async () => {
  sb = await start();
  nw = await newTenant(sb);
  gen = await newTenant(sb, { generate: { users: 5000, groups: 12, depth: 3, seed: 7 } });
});
afterAll(() => sb.close());

describe("paging", () => {
  it("pages /users 100 at a time by default and the pages add up to the directory", async () => {
    const client = graphFor(sb, nw);
    const first = await client.api("/users").get();
    expect(first.value).toHaveLength(100);
    expect(first["@odata.nextLink"]).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/users\?\$skiptoken=/);
    const { items, pages } = await all<{ id: string }>(client, "/users");
    expect(pages).toBe(3);
    expect(new Set(items.map((u) => u.id)).size).toBe(nw.counts.users);
  });

  it("enumerates transitive users across several pages with $top, $select and the advanced headers", async () => {
    const client = graphFor(sb, nw);
    const allStaff = group(nw, "All-Staff");
    const path = `/groups/${allStaff.id}/transitiveMembers/microsoft.graph.user?$count=true&$top=100&$select=id,mail,userPrincipalName,accountEnabled`;
    const { items, pages, counts } = await all<Record<string, unknown>>(client, path, EVENTUAL);
    expect(pages).toBe(3);
    expect(items).toHaveLength(allStaff.transitive.users);
    expect(new Set(items.map((u) => u.id)).size).toBe(items.length);
    expect(counts).toEqual([255]); // on the first page only
    expect(Object.keys(items[0]).sort()).toEqual(["accountEnabled", "id", "mail", "userPrincipalName"]);
    expect(items.filter((u) => u.accountEnabled && u.mail).length).toBe(allStaff.transitive.enabledWithMail);

    const log = (await requests(sb, nw.tenantId)).filter((r) => r.url.includes(allStaff.id));
    expect(log).toHaveLength(3);
    for (const r of log) {
      expect(r).toMatchObject({ status: 200, consistencyLevel: "eventual", top: 100, select: ["id", "mail", "userPrincipalName", "accountEnabled"] });
      expect(r.resourceUnits).toBe(4); // transitiveMembers costs 5, $select takes 1 off
    }
  });

  it("serves $top=999 and refuses $top=1000", async () => {
    const client = graphFor(sb, gen);
    const root = gen.groups[0];
    const { items, pages } = await all<{ id: string }>(client, `/groups/${root.id}/transitiveMembers/microsoft.graph.user?$count=true&$top=999&$select=id`, EVENTUAL);
    expect(items).toHaveLength(5000);
    expect(pages).toBe(6);
    const e = await graphError(client.api(`/users?$top=1000`).get());
    expect(e.statusCode).toBe(400);
    expect(e.code).toBe("Request_BadRequest");
    expect(e.message).toBe("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
  });

  it("needs ConsistencyLevel on every page: a nextLink followed without it fails", async () => {
    const client = graphFor(sb, nw);
    const allStaff = group(nw, "All-Staff");
    const first = await client.api(`/groups/${allStaff.id}/transitiveMembers/microsoft.graph.user?$count=true&$top=50`).headers(EVENTUAL).get();
    const e = await graphError(client.api(first["@odata.nextLink"]).get());
    expect(e.statusCode).toBe(400);
    expect(e.code).toBe("Request_UnsupportedQuery");
  });

  it("binds page tokens to their list", async () => {
    const client = graphFor(sb, nw);
    const first = await client.api("/users?$top=5").get();
    const token = new URL(first["@odata.nextLink"]).searchParams.get("$skiptoken");
    const e = await graphError(client.api(`/groups?$top=5&$skiptoken=${token}`).get());
    expect(e.statusCode).toBe(400);
    expect(e.code).toBe("Directory_ExpiredPageToken");
  });

  it("keeps the request's options in the next link", async () => {
    const client = graphFor(sb, nw);
    const r = await client.api("/groups?$top=5&$select=id,displayName").get();
    const next = new URL(r["@odata.nextLink"]);
    expect(next.searchParams.get("$top")).toBe("5");
    expect(next.searchParams.get("$select")).toBe("id,displayName");
    expect(r.value[0]).toEqual({ id: expect.any(String), displayName: expect.any(String) });
    expect(r["@odata.context"]).toBe(`${sb.url}/v1.0/$metadata#groups(id,displayName)`);
    const { items } = await all(client, "/groups?$top=5");
    expect(items).toHaveLength(nw.groups.length);
  });

  it("lists every tenant's groups in its manifest with kinds", async () => {
    const kinds = new Set(nw.groups.map((g) => g.kind));
    expect(kinds).toEqual(new Set(["security", "mailEnabledSecurity", "microsoft365", "distribution", "dynamic"]));
    const r = await control<{ groups: unknown[] }>(sb, `/tenants/${gen.tenantId}`);
    expect(r.body.groups).toHaveLength(12);
  });
});
