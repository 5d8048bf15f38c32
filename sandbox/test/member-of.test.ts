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
  expect(direct.items).toEqual([{ "@odata.type": "#microsoft.graph.group", displayName: "Management" }]);
  const nested = await all<{ displayName: string }>(client, `/users/${encodeURIComponent(maria.userPrincipalName)}/transitiveMemberOf?$select=displayName`);
  expect(nested.items.map((g) => g.displayName).sort()).toEqual(["All-Staff", "Management"]);

  const advisor = nw.contacts!.find((c) => c.displayName === "Helen Okafor")!;
  const viaContact = await all<{ displayName: string }>(client, `/contacts/${advisor.id}/transitiveMemberOf?$select=displayName`);
  expect(viaContact.items.map((g) => g.displayName).sort()).toEqual(["All-Staff", "Management"]);

  const e = await graphError(client.api("/users/00000000-0000-4000-8000-000000000000/memberOf").get());
  expect(e.statusCode).toBe(404);
});
