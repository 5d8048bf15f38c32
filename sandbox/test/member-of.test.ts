/**
 * /users/{id}/memberOf and /transitiveMemberOf: the groups a person is in, directly or through nesting
 * (what a "why is this person in the audience" lookup asks).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Sandbox } from "../server";
import { all, graphError, graphFor, newTenant, start, type Manifest } from "./helpers";

let sb: Sandbox;
let nw: Manifest;
beforeAll(async () => {
  sb = await start();
  nw = await newTenant(sb);
});
afterAll(() => sb.close());

it("lists direct and transitive groups of a user and of a contact", async () => {
  const client = graphFor(sb, nw);
  const maria = nw.users!.find((u) => u.displayName === "Maria Anders")!;
  const direct = await all<{ displayName: string; "@odata.type": string }>(client, `/users/${maria.id}/memberOf?$select=displayName`);
  const group = (displayName: string) => ({ "@odata.type": "#microsoft.graph.group", displayName });
  const seattle = { "@odata.type": "#microsoft.graph.administrativeUnit", displayName: "Seattle Office" };
  expect(direct.items).toEqual([group("Management"), group("Leadership Circle"), group("Board Confidential"), seattle]);
  const nested = await all<{ displayName: string }>(client, `/users/${encodeURIComponent(maria.userPrincipalName)}/transitiveMemberOf?$select=displayName`);
  expect(nested.items.map((g) => g.displayName).sort()).toEqual(["All-Staff", "Board Confidential", "Leadership Circle", "Management", "Seattle Office"]);

  const advisor = nw.contacts!.find((c) => c.displayName === "Helen Okafor")!;
  const viaContact = await all<{ displayName: string }>(client, `/contacts/${advisor.id}/transitiveMemberOf?$select=displayName`);
  expect(viaContact.items.map((g) => g.displayName).sort()).toEqual(["All-Staff", "Management"]);

  const e = await graphError(client.api("/users/00000000-0000-4000-8000-000000000000/memberOf").get());
  expect(e.statusCode).toBe(404);
});

// "Get groups, directory roles, and administrative units that the user is a member of" (the sandbox cites
// https://learn.microsoft.com/en-us/graph/api/user-list-transitivememberof where it serves them).
it("lists directory roles and administrative units too, each typed, so a caller must keep groups by @odata.type", async () => {
  const client = graphFor(sb, nw);
  const cto = nw.users!.filter((u) => u.department === "Executive")[3]; // the CTO, a User Administrator
  const { items } = await all<{ "@odata.type": string; displayName: string; roleTemplateId?: string }>(client, `/users/${cto.id}/transitiveMemberOf`);
  const role = items.find((x) => x["@odata.type"] === "#microsoft.graph.directoryRole");
  expect(role).toMatchObject({ displayName: "User Administrator", roleTemplateId: "fe930be7-5e62-47db-91af-98c3a49a38b1" });
  expect(items.some((x) => x["@odata.type"] === "#microsoft.graph.administrativeUnit")).toBe(true);
  expect(items.filter((x) => x["@odata.type"] === "#microsoft.graph.group").map((g) => g.displayName).sort()).toEqual([
    "All-Staff", "Board Confidential", "Leadership Circle", "Management",
  ]);
});
