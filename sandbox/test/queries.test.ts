/**
 * Query rules as Graph documents them for directory objects: the $filter subset that works by default, what
 * needs ConsistencyLevel: eventual + $count=true, $search and $count semantics, $select validation, ids.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../server";
import { all, EVENTUAL, graphError, graphFor, newTenant, start, type Manifest } from "./helpers";
import type { Client } from "@microsoft/microsoft-graph-client";

let sb: Sandbox;
let nw: Manifest;
let client: Client;
const group = (name: string) => nw.groups.find((g) => g.displayName === name)!;

beforeAll(async () => {
  sb = await start();
  nw = await newTenant(sb);
  client = graphFor(sb, nw);
});
afterAll(() => sb.close());

describe("$filter", () => {
  it("supports accountEnabled eq, startswith, id in, groupTypes/any by default", async () => {
    const disabled = await all<{ accountEnabled: boolean }>(client, "/users?$filter=accountEnabled eq false&$select=id,accountEnabled");
    expect(disabled.items).toHaveLength(nw.counts.disabledUsers);
    const maria = await client.api("/users?$filter=startswith(displayName,'maria a')").get();
    expect(maria.value.map((u: { displayName: string }) => u.displayName)).toEqual(["Maria Anders"]);
    const [a, b] = nw.users!;
    const byIds = await client.api(`/users?$filter=id in ('${a.id}','${b.id}')&$select=id`).get();
    expect(byIds.value.map((u: { id: string }) => u.id).sort()).toEqual([a.id, b.id].sort());
    const unified = await client.api("/groups?$filter=groupTypes/any(c:c eq 'Unified')&$select=displayName").get();
    expect(unified.value).toEqual([{ displayName: "Outreach" }, { displayName: "Leadership Circle" }, { displayName: "Board Confidential" }]);
    const mailEnabled = await client.api("/groups?$filter=mailEnabled eq true and securityEnabled eq false").get();
    expect(mailEnabled.value.map((g: { displayName: string }) => g.displayName).sort()).toEqual(["Board Confidential", "Leadership Circle", "Outreach", "Partners Newsletter"]);
  });

  it("answers 400 Request_UnsupportedQuery for the rest", async () => {
    for (const f of ["createdDateTime ge 2020-01-01", "contains(displayName,'a')", "mail eq null"]) {
      const e = await graphError(client.api(`/users?$filter=${encodeURIComponent(f)}`).get());
      expect(e.statusCode, f).toBe(400);
      expect(e.code, f).toBe("Request_UnsupportedQuery");
    }
    const e = await graphError(client.api("/users?$filter=createdDateTime ge 2020-01-01").get());
    expect(e.message).toBe("Unsupported or invalid query filter clause specified for property 'createdDateTime' of resource 'User'.");
  });

  it("needs the advanced parameters for ne/endswith and for any filter on member lists", async () => {
    const e = await graphError(client.api("/users?$filter=endswith(mail,'@northwind.example')").get());
    expect(e.code).toBe("Request_UnsupportedQuery");
    expect(e.message).toContain("Try adding $count=true query parameter and ConsistencyLevel:eventual header");
    const ok = await client.api("/users?$filter=endswith(mail,'@northwind.example')&$count=true&$top=1").headers(EVENTUAL).get();
    expect(ok["@odata.count"]).toBe(nw.counts.users - nw.counts.usersWithoutMail - 9); // guests' mail is elsewhere

    const g = group("Support");
    const path = `/groups/${g.id}/transitiveMembers/microsoft.graph.user?$filter=accountEnabled eq true`;
    expect((await graphError(client.api(path).get())).code).toBe("Request_UnsupportedQuery");
    const enabled = await all(client, `${path}&$count=true`, EVENTUAL);
    expect(enabled.items).toHaveLength(g.transitive.enabled);
    expect(enabled.counts[0]).toBe(g.transitive.enabled);
  });
});

describe("$search, $count, $select and ids", () => {
  it("$search needs ConsistencyLevel: eventual", async () => {
    const e = await graphError(client.api(`/users?$search="displayName:maria"`).get());
    expect(e.code).toBe("Request_UnsupportedQuery");
    expect(e.message).toBe("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");
    const r = await client.api(`/users?$search="displayName:anders"`).headers(EVENTUAL).get();
    expect(r.value.some((u: { displayName: string }) => u.displayName === "Maria Anders")).toBe(true);
  });

  it("$count=true is ignored without the header; the /$count segment fails without it", async () => {
    expect(await client.api("/users?$count=true&$top=1").get()).not.toHaveProperty("@odata.count");
    expect((await client.api("/users?$count=true&$top=1").headers(EVENTUAL).get())["@odata.count"]).toBe(nw.counts.users);
    const e = await graphError(client.api("/users/$count").get());
    expect(e.code).toBe("Request_BadRequest");
    expect(e.message).toBe("$count is not currently supported.");
    expect(Number(await client.api("/users/$count").headers(EVENTUAL).get())).toBe(nw.counts.users);
  });

  it("$select returns only what was asked, case-insensitively, and rejects unknown properties", async () => {
    const r = await client.api("/users?$select=ID,Mail,accountenabled&$top=1").get();
    expect(Object.keys(r.value[0])).toEqual(["id", "mail", "accountEnabled"]);
    const e = await graphError(client.api("/users?$select=id,favouriteColour").get());
    expect(e.statusCode).toBe(400);
    expect(e.message).toContain("Could not find a property named 'favouriteColour'");
  });

  it("finds users by id or userPrincipalName; rejects malformed ids; 404 for unknown ones", async () => {
    const u = nw.users!.find((x) => x.displayName === "Maria Anders")!;
    expect((await client.api(`/users/${u.id}`).get()).mail).toBe("Maria.Anders@northwind.example");
    expect((await client.api(`/users/${encodeURIComponent(u.userPrincipalName)}?$select=id`).get()).id).toBe(u.id);
    expect((await graphError(client.api("/groups/not-a-guid").get())).message).toBe("Invalid object identifier 'not-a-guid'.");
    const e = await graphError(client.api("/groups/00000000-0000-4000-8000-000000000000").get());
    expect([e.statusCode, e.code]).toEqual([404, "Request_ResourceNotFound"]);
  });

  it("lists org contacts and describes groups as Graph does", async () => {
    const contacts = await client.api("/contacts").get();
    expect(contacts.value).toHaveLength(nw.counts.contacts);
    const g = await client.api(`/groups/${group("Engineers").id}`).get();
    expect(g).toMatchObject({ groupTypes: ["DynamicMembership"], membershipRule: '(user.department -eq "Engineering")', membershipRuleProcessingState: "On", securityEnabled: true, mailEnabled: false });
    expect(g.securityIdentifier).toMatch(/^S-1-12-1-\d+-\d+-\d+-\d+$/);
  });
});
