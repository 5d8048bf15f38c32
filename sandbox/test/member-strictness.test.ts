/**
 * Where the sandbox is as strict as Graph on member listings, each behaviour with the Microsoft Learn page it
 * follows (cited where the sandbox implements it): OData casts a group's kind cannot hold, @odata.count on the
 * first page only, hidden membership and Member.Read.Hidden, limited member objects.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../server";
import { all, EVENTUAL, graphError, graphFor, mutate, newTenant, start, type Manifest } from "./helpers";

let sb: Sandbox;
let nw: Manifest;
const group = (name: string) => nw.groups.find((g) => g.displayName === name)!;
type Item = Record<string, unknown> & { "@odata.type"?: string; id: string };

beforeAll(async () => {
  sb = await start();
  nw = await newTenant(sb);
});
afterAll(() => sb.close());

describe("OData casts on a Microsoft 365 group", () => {
  for (const name of ["Outreach", "Leadership Circle"]) {
    it(`${name}: a cast to orgContact or group is 400 Request_UnsupportedQuery; to user it works`, async () => {
      const client = graphFor(sb, nw);
      const g = group(name);
      expect(g.groupTypes).toContain("Unified");
      for (const cast of ["microsoft.graph.orgContact", "microsoft.graph.group", "microsoft.graph.device"]) {
        for (const rel of ["members", "transitiveMembers"]) {
          const e = await graphError(client.api(`/groups/${g.id}/${rel}/${cast}?$count=true`).headers(EVENTUAL).get());
          expect(e.statusCode).toBe(400);
          expect(e.code).toBe("Request_UnsupportedQuery");
        }
      }
      const users = await all<Item>(client, `/groups/${g.id}/transitiveMembers/microsoft.graph.user?$count=true&$select=id`, EVENTUAL);
      expect(users.items).toHaveLength(g.transitive.users);
    });
  }

  it("the same casts on a distribution list answer its contacts, and none (an empty list) on a security group", async () => {
    const client = graphFor(sb, nw);
    const dl = await all<Item>(client, `/groups/${group("Partners Newsletter").id}/transitiveMembers/microsoft.graph.orgContact?$count=true`, EVENTUAL);
    expect(dl.items).toHaveLength(6);
    const none = await all<Item>(client, `/groups/${group("Sales").id}/transitiveMembers/microsoft.graph.orgContact?$count=true`, EVENTUAL);
    expect(none.items).toEqual([]);
  });
});

describe("the uncast listing", () => {
  it("is a standard query: no header needed, each selected property returned for the types that have it", async () => {
    const client = graphFor(sb, nw);
    const { items } = await all<Item>(client, `/groups/${group("Management").id}/transitiveMembers?$select=id,displayName,mail,userPrincipalName,accountEnabled`);
    const user = items.find((x) => x["@odata.type"] === "#microsoft.graph.user")!;
    const contact = items.find((x) => x["@odata.type"] === "#microsoft.graph.orgContact")!;
    expect(Object.keys(user).sort()).toEqual(["@odata.type", "accountEnabled", "displayName", "id", "mail", "userPrincipalName"]);
    expect(Object.keys(contact).sort()).toEqual(["@odata.type", "displayName", "id", "mail"]);
    expect(contact.mail).toBe("helen.okafor@adatum.example");
  });
});

describe("@odata.count", () => {
  it("comes on the first page only, never on a nextLink page", async () => {
    const client = graphFor(sb, nw);
    const g = group("All-Staff");
    const r = await all<Item>(client, `/groups/${g.id}/transitiveMembers/microsoft.graph.user?$count=true&$top=50&$select=id`, EVENTUAL);
    expect(r.pages).toBeGreaterThan(1);
    expect(r.counts).toEqual([g.transitive.users]);
    const users = await all<Item>(client, "/users?$count=true&$top=100&$select=id", EVENTUAL);
    expect(users.pages).toBeGreaterThan(1);
    expect(users.counts).toEqual([nw.counts.users]);
  });
});

describe("hidden membership", () => {
  it("lists a HiddenMembership group's members only to an app granted Member.Read.Hidden", async () => {
    const g = group("Board Confidential");
    const groupRead = await graphFor(sb, nw).api(`/groups/${g.id}?$select=id,visibility`).get();
    expect(groupRead.visibility).toBe("HiddenMembership"); // the group itself is readable: the catalog shows it
    for (const path of [`/groups/${g.id}/members`, `/groups/${g.id}/transitiveMembers?$select=id`]) {
      const e = await graphError(graphFor(sb, nw).api(path).get());
      expect(e.statusCode).toBe(403);
      expect(e.code).toBe("Authorization_RequestDenied");
    }
    const granted = graphFor(sb, nw, "Roster Directory Sync (Member.Read.Hidden)");
    const { items } = await all<Item>(granted, `/groups/${g.id}/transitiveMembers?$select=id,mail`);
    expect(items).toHaveLength(4);
  });
});

describe("limited member objects", () => {
  it("without User.Read.All, users in a member list carry only @odata.type and id (the rest null)", async () => {
    const client = graphFor(sb, nw, "Roster Directory Sync (no User.Read.All)");
    const { items } = await all<Item>(client, `/groups/${group("Sales").id}/transitiveMembers?$select=id,displayName,mail,userPrincipalName,accountEnabled`);
    expect(items.length).toBe(group("Sales").transitive.users);
    for (const x of items) {
      expect(x["@odata.type"]).toBe("#microsoft.graph.user");
      expect(typeof x.id).toBe("string");
      for (const [k, v] of Object.entries(x)) if (k !== "id" && k !== "@odata.type") expect(v).toBeNull();
    }
  });
});

describe("$filter=id in (…) on /groups", () => {
  it("is a standard query for up to 15 ids; a 16th value is refused with 400 Request_UnsupportedQuery", async () => {
    const client = graphFor(sb, nw);
    const ids = nw.groups.map((g) => g.id);
    const q = (n: number) => `/groups?$filter=${encodeURIComponent(`id in (${ids.slice(0, n).map((id) => `'${id}'`).join(",")})`)}&$select=id`;
    const fifteen = await all<Item>(client, q(15));
    expect(fifteen.items.map((g) => g.id).sort()).toEqual(ids.slice(0, 15).sort());
    const e = await graphError(client.api(q(16)).get());
    expect(e.statusCode).toBe(400);
    expect(e.code).toBe("Request_UnsupportedQuery");
  });
});

describe("a group created moments ago (directory replication)", () => {
  it("answers 404 Request_ResourceNotFound on its first N GETs and member listings, then normally", async () => {
    const client = graphFor(sb, nw);
    const alice = nw.users![0].id;
    const [made] = await mutate(sb, nw.tenantId, { op: "addGroup", group: { displayName: "Just Made" }, memberIds: [alice], replicationDelayRequests: 2 });
    const id = made.id as string;
    const first = await graphError(client.api(`/groups/${id}/transitiveMembers?$select=id`).get());
    expect(first.statusCode).toBe(404);
    expect(first.code).toBe("Request_ResourceNotFound");
    const second = await graphError(client.api(`/groups/${id}?$select=id`).get());
    expect(second.statusCode).toBe(404);
    const { items } = await all<Item>(client, `/groups/${id}/transitiveMembers?$select=id`);
    expect(items.map((x) => x.id)).toEqual([alice]);
    expect((await client.api(`/groups/${id}?$select=id`).get()).id).toBe(id);
  });

  it("without the option, a new group answers at once", async () => {
    const [made] = await mutate(sb, nw.tenantId, { op: "addGroup", group: { displayName: "Made Earlier" } });
    expect((await graphFor(sb, nw).api(`/groups/${made.id}?$select=id`).get()).id).toBe(made.id);
  });
});
