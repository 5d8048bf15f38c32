/**
 * Transitive flattening: nested groups expanded once each, a nesting cycle survived, the group itself never
 * listed, and the results equal the manifest's predictions (which tests of the product rely on).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../server";
import { all, control, EVENTUAL, graphError, graphFor, mutate, newTenant, start, type Manifest } from "./helpers";

let sb: Sandbox;
let nw: Manifest;
const group = (m: Manifest, name: string) => m.groups.find((g) => g.displayName === name)!;
type Item = { "@odata.type"?: string; id: string; mail?: string | null; userPrincipalName?: string; accountEnabled?: boolean };

beforeAll(async () => {
  sb = await start();
  nw = await newTenant(sb);
});
afterAll(() => sb.close());

describe("transitive members", () => {
  it("flattens a nesting cycle (Platform ↔ Platform On-Call) without repeating or listing the group itself", async () => {
    const client = graphFor(sb, nw);
    const platform = group(nw, "Platform");
    const onCall = group(nw, "Platform On-Call");
    expect(platform.nestedGroupIds).toContain(onCall.id);
    expect(onCall.nestedGroupIds).toContain(platform.id);
    for (const [g, other] of [[platform, onCall], [onCall, platform]]) {
      const { items } = await all<Item>(client, `/groups/${g.id}/transitiveMembers?$top=7`);
      const ids = items.map((x) => x.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).not.toContain(g.id);
      expect(ids).toContain(other.id);
      expect(items.filter((x) => x["@odata.type"] === "#microsoft.graph.user")).toHaveLength(30);
    }
  });

  it("returns users, nested groups and contacts of All-Staff with their types, as the manifest counts", async () => {
    const client = graphFor(sb, nw);
    const g = group(nw, "All-Staff");
    const { items } = await all<Item>(client, `/groups/${g.id}/transitiveMembers?$top=999`);
    const by = (t: string) => items.filter((x) => x["@odata.type"] === t).length;
    expect(by("#microsoft.graph.user")).toBe(255);
    expect(by("#microsoft.graph.group")).toBe(12);
    expect(by("#microsoft.graph.orgContact")).toBe(1);
    expect(g.transitive).toMatchObject({ users: 255, groups: 12, contacts: 1, enabledWithMail: 229, enabledUpnOnly: 12, disabled: 13 });
    // Direct members only: the department groups.
    const direct = await all<Item>(client, `/groups/${g.id}/members`);
    expect(direct.items.map((x) => x["@odata.type"])).toEqual(Array(8).fill("#microsoft.graph.group"));
  });

  it("yields exactly the expected recipients for each Northwind group", async () => {
    const main = graphFor(sb, nw);
    // Board Confidential hides its membership: only an app with Member.Read.Hidden lists it.
    const hiddenReader = graphFor(sb, nw, "Roster Directory Sync (Member.Read.Hidden)");
    for (const g of nw.groups) {
      const client = g.displayName === "Board Confidential" ? hiddenReader : main;
      const detail = (await control<{ recipients: { mail: string[]; upnFallback: string[] } }>(sb, `/tenants/${nw.tenantId}/groups/${g.id}`)).body;
      const { items } = await all<Item>(client, `/groups/${g.id}/transitiveMembers/microsoft.graph.user?$count=true&$top=999&$select=id,mail,userPrincipalName,accountEnabled`, EVENTUAL);
      const mail = [...new Set(items.filter((u) => u.accountEnabled && u.mail).map((u) => u.mail!.toLowerCase()))].sort();
      expect(mail, g.displayName).toEqual(detail.recipients.mail);
      expect(mail.length).toBe(g.addresses!.mail);
    }
  });

  it("requires the advanced query parameters for a cast on transitiveMembers, not on members", async () => {
    const client = graphFor(sb, nw);
    const g = group(nw, "Engineering");
    const e = await graphError(client.api(`/groups/${g.id}/transitiveMembers/microsoft.graph.user`).get());
    expect(e.statusCode).toBe(400);
    expect(e.code).toBe("Request_UnsupportedQuery");
    expect(e.message).toContain("ConsistencyLevel:eventual");
    const direct = await client.api(`/groups/${g.id}/members/microsoft.graph.user`).get();
    expect(direct.value).toHaveLength(g.direct.users);
    expect(direct["@odata.context"]).toMatch(/\$metadata#users$/);
    const count = await client.api(`/groups/${g.id}/transitiveMembers/microsoft.graph.user/$count`).headers(EVENTUAL).get();
    expect(Number(count)).toBe(g.transitive.users);
  });

  it("survives cycles in generated directories and a cycle added at run time", async () => {
    const gen = await newTenant(sb, { generate: { users: 3000, groups: 20, depth: 4, cycles: 3, seed: 11 } });
    const client = graphFor(sb, gen);
    // The generator really made cycles: some group reaches itself through its nested groups.
    const nested = new Map(gen.groups.map((g) => [g.id, g.nestedGroupIds]));
    const reachesItself = (start: string) => {
      const seen = new Set<string>();
      const stack = [...nested.get(start)!];
      while (stack.length) {
        const x = stack.pop()!;
        if (x === start) return true;
        if (seen.has(x)) continue;
        seen.add(x);
        stack.push(...nested.get(x)!);
      }
      return false;
    };
    expect(gen.groups.filter((g) => reachesItself(g.id)).length).toBeGreaterThan(1);
    for (const g of gen.groups.slice(0, 6)) {
      const { items } = await all<Item>(client, `/groups/${g.id}/transitiveMembers/microsoft.graph.user?$count=true&$top=999&$select=id`, EVENTUAL);
      expect(items.length, g.displayName).toBe(g.transitive.users);
      expect(new Set(items.map((x) => x.id)).size).toBe(items.length);
    }
    // Make the root a member of a leaf: every group now reaches the whole directory.
    const root = gen.groups[0];
    const leaf = gen.groups.find((g) => g.direct.groups === 0 && g.kind !== "microsoft365")!;
    await mutate(sb, gen.tenantId, { op: "addMember", groupId: leaf.id, memberId: root.id });
    const { items } = await all<Item>(client, `/groups/${leaf.id}/transitiveMembers/microsoft.graph.user?$count=true&$top=999&$select=id`, EVENTUAL);
    expect(items).toHaveLength(3000);
  });
});
