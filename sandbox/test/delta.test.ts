/**
 * Delta queries (sandbox/graph/delta.ts) through the real credential and Graph client: members@delta split over
 * pages, tracked rounds with @removed, replays, sync from now, page size, the id filter's limit, token expiry
 * (400 syncStateNotFound) and a synchronization reset (410 resyncRequired with Location), users and contacts.
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../server";
import { all, graphError, graphFor, mutate, newTenant, start, type Manifest } from "./helpers";

let sb: Sandbox;
beforeAll(async () => {
  sb = await start();
});
afterAll(() => sb.close());

type Link = { "@odata.type": string; id: string; "@removed"?: { reason: string } };
type Item = { id: string; "members@delta"?: Link[]; "@removed"?: { reason: string }; [k: string]: unknown };
type Page = { value: Item[]; "@odata.nextLink"?: string; "@odata.deltaLink"?: string };

/** One round: follows nextLink to the deltaLink; returns the items, the page count and the deltaLink. */
async function round(client: Client, url: string, headers: Record<string, string> = {}) {
  const items: Item[] = [];
  let pages = 0;
  let next: string | undefined = url;
  for (;;) {
    const res: Page = await client.api(next!).headers(headers).get();
    pages++;
    items.push(...res.value);
    expect(!!res["@odata.nextLink"] && !!res["@odata.deltaLink"]).toBe(false);
    if (res["@odata.deltaLink"]) return { items, pages, deltaLink: res["@odata.deltaLink"] };
    next = res["@odata.nextLink"];
    expect(next).toMatch(/\/v1\.0\/groups\/delta\?\$skiptoken=|\/v1\.0\/(users|contacts)\/delta\?\$skiptoken=/);
  }
}

/** Merges a round's items into group → member id → present, as a client must (a group may come back on many pages). */
function merge(items: Item[], into = new Map<string, Map<string, boolean>>()) {
  for (const it of items) {
    if (it["@removed"]) {
      into.delete(it.id);
      continue;
    }
    const m = into.get(it.id) ?? new Map<string, boolean>();
    into.set(it.id, m);
    for (const l of it["members@delta"] ?? []) m.set(l.id, !l["@removed"]);
  }
  return into;
}
const present = (m: Map<string, boolean> | undefined) => [...(m ?? [])].filter(([, v]) => v).map(([k]) => k).sort();
const group = (m: Manifest, name: string) => m.groups.find((g) => g.displayName === name)!;
const filterOf = (...ids: string[]) => ids.map((id) => `id eq '${id}'`).join(" or ");

describe("groups/delta", () => {
  it("spreads a group's members over pages, then tracks adds, removals and nested groups with @removed", async () => {
    const nw = await newTenant(sb);
    const client = graphFor(sb, nw);
    const eng = group(nw, "Engineering");
    const platform = group(nw, "Platform");
    const url = `/groups/delta?$filter=${encodeURIComponent(filterOf(eng.id, platform.id))}&$select=members`;
    const first = await round(client, url, { Prefer: "odata.maxpagesize=5" });
    expect(first.pages).toBeGreaterThan(4);
    // The same group comes back on several pages, each with the next part of its members.
    expect(first.items.filter((i) => i.id === eng.id).length).toBeGreaterThan(1);
    expect(first.items.every((i) => (i["members@delta"]?.length ?? 0) <= 5)).toBe(true);
    expect(first.deltaLink).toMatch(/\/v1\.0\/groups\/delta\?\$deltatoken=[^&]+$/);
    const state = merge(first.items);
    for (const g of [eng, platform]) {
      const direct = (await all<{ id: string }>(client, `/groups/${g.id}/members?$select=id&$top=999`)).items.map((x) => x.id).sort();
      expect(present(state.get(g.id)), g.displayName).toEqual(direct);
    }

    // Nothing changed: an empty round.
    const quiet = await round(client, first.deltaLink);
    expect(quiet.items).toEqual([]);
    expect(quiet.pages).toBe(1);

    const sales = group(nw, "Sales");
    const added = await mutate(sb, nw.tenantId, { op: "addUser", user: { displayName: "Delta Newcomer" }, groupIds: [eng.id] });
    const newId = added[0].id as string;
    const leaver = present(state.get(platform.id)).find((id) => id !== group(nw, "Platform On-Call").id)!;
    await mutate(
      sb,
      nw.tenantId,
      { op: "removeMember", groupId: platform.id, memberId: leaver },
      { op: "addMember", groupId: eng.id, memberId: sales.id },
      { op: "removeMember", groupId: eng.id, memberId: platform.id },
    );
    const changes = await round(client, quiet.deltaLink);
    const byGroup = new Map(changes.items.map((i) => [i.id, i["members@delta"] ?? []]));
    expect([...byGroup.keys()].sort()).toEqual([eng.id, platform.id].sort());
    expect(byGroup.get(platform.id)).toEqual([{ "@odata.type": "#microsoft.graph.user", id: leaver, "@removed": { reason: "deleted" } }]);
    expect(byGroup.get(eng.id)).toEqual(
      expect.arrayContaining([
        { "@odata.type": "#microsoft.graph.user", id: newId },
        { "@odata.type": "#microsoft.graph.group", id: sales.id },
        { "@odata.type": "#microsoft.graph.group", id: platform.id, "@removed": { reason: "deleted" } },
      ]),
    );
    expect(byGroup.get(eng.id)).toHaveLength(3);
    // Only the id and the members: $select=members tracks nothing else.
    expect(Object.keys(changes.items[0]).sort()).toEqual(["id", "members@delta"]);

    // A deleted group comes back as @removed.
    await mutate(sb, nw.tenantId, { op: "deleteGroup", groupId: platform.id });
    const gone = await round(client, changes.deltaLink);
    expect(gone.items).toContainEqual({ id: platform.id, "@removed": { reason: "changed" } });
  });

  it("replays the previous round's changes when the tenant replays, and they merge to the same state", async () => {
    const nw = await newTenant(sb);
    const client = graphFor(sb, nw);
    const hr = group(nw, "HR");
    const first = await round(client, `/groups/delta?$filter=${encodeURIComponent(filterOf(hr.id))}&$select=members`);
    const state = merge(first.items);
    const extra = nw.users!.find((u) => !present(state.get(hr.id)).includes(u.id))!;
    await mutate(sb, nw.tenantId, { op: "addMember", groupId: hr.id, memberId: extra.id });
    const second = await round(client, first.deltaLink);
    merge(second.items, state);
    const before = present(state.get(hr.id));
    await mutate(sb, nw.tenantId, { op: "setDeltaReplay", enabled: true });
    const third = await round(client, second.deltaLink);
    expect(third.items).toEqual(second.items);
    merge(third.items, state);
    expect(present(state.get(hr.id))).toEqual(before);
    expect(before).toContain(extra.id);
  });

  it("syncs from now with $deltatoken=latest: no data, then only what changed", async () => {
    const nw = await newTenant(sb);
    const client = graphFor(sb, nw);
    const hr = group(nw, "HR");
    const latest: Page = await client.api(`/groups/delta?$filter=${encodeURIComponent(filterOf(hr.id))}&$select=members&$deltatoken=latest`).get();
    expect(latest.value).toEqual([]);
    expect(latest["@odata.deltaLink"]).toBeDefined();
    const [added] = await mutate(sb, nw.tenantId, { op: "addUser", user: { displayName: "From Now" }, groupIds: [hr.id] });
    const next = await round(client, latest["@odata.deltaLink"]!);
    expect(next.items).toEqual([{ id: hr.id, "members@delta": [{ "@odata.type": "#microsoft.graph.user", id: added.id }] }]);
  });

  it("refuses more than 50 ids in the filter, and $top", async () => {
    const nw = await newTenant(sb);
    const client = graphFor(sb, nw);
    const ids = Array.from({ length: 51 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const tooMany = await graphError(client.api(`/groups/delta?$filter=${encodeURIComponent(filterOf(...ids))}`).get());
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.code).toBe("Request_UnsupportedQuery");
    const fifty = await client.api(`/groups/delta?$filter=${encodeURIComponent(filterOf(...ids.slice(0, 50)))}`).get();
    expect(fifty.value).toEqual([]);
    const top = await graphError(client.api("/groups/delta?$top=5").get());
    expect(top.statusCode).toBe(400);
  });

  it("expires a token after 7 days (400 syncStateNotFound) and answers a reset with 410 resyncRequired and a Location", async () => {
    const nw = await newTenant(sb);
    const client = graphFor(sb, nw);
    const hr = group(nw, "HR");
    const url = `/groups/delta?$filter=${encodeURIComponent(filterOf(hr.id))}&$select=members`;
    const a = await round(client, url);
    await mutate(sb, nw.tenantId, { op: "advanceDeltaClock", days: 6 });
    const b = await round(client, a.deltaLink); // six days old: still valid
    await mutate(sb, nw.tenantId, { op: "advanceDeltaClock", days: 7.01 });
    const old = await graphError(client.api(b.deltaLink).get());
    expect(old.statusCode).toBe(400);
    expect(old.code).toBe("syncStateNotFound");

    const c = await round(client, url);
    await mutate(sb, nw.tenantId, { op: "resetDeltaSync" });
    const reset = await graphError(client.api(c.deltaLink).get());
    expect(reset.statusCode).toBe(410);
    expect(reset.code).toBe("resyncRequired");
    const location = (reset.headers as unknown as { get(n: string): string | null }).get("location")!;
    expect(location).toContain("/v1.0/groups/delta?");
    expect(location).toMatch(/\$deltatoken=$/);
    // The Location starts over: a full round with the original options.
    const again = await round(client, location);
    expect(again.items.map((i) => i.id)).toEqual([hr.id]);
  });
});

describe("users/delta and contacts/delta", () => {
  it("reports disabled, changed and deleted users with the selected properties", async () => {
    const nw = await newTenant(sb);
    const client = graphFor(sb, nw);
    const select = "$select=accountEnabled,mail,userPrincipalName,displayName";
    const first = await round(client, `/users/delta?${select}`);
    expect(first.items).toHaveLength(nw.counts.users);
    expect(first.pages).toBe(Math.ceil(nw.counts.users / 200));
    const [a, b, c] = nw.users!.filter((u) => u.accountEnabled && u.mail);
    await mutate(
      sb,
      nw.tenantId,
      { op: "disableUser", userId: a.id },
      { op: "updateUser", userId: b.id, changes: { mail: "renamed@northwind.example" } },
      { op: "deleteUser", userId: c.id },
    );
    const changes = await round(client, first.deltaLink);
    const byId = new Map(changes.items.map((i) => [i.id, i]));
    expect(changes.items).toHaveLength(3);
    expect(byId.get(a.id)).toMatchObject({ accountEnabled: false, mail: a.mail });
    expect(byId.get(b.id)).toMatchObject({ accountEnabled: true, mail: "renamed@northwind.example" });
    expect(byId.get(c.id)).toEqual({ id: c.id, "@removed": { reason: "changed" } });
    expect(Object.keys(byId.get(a.id)!).sort()).toEqual(["accountEnabled", "displayName", "id", "mail", "userPrincipalName"]);
  });

  it("reports a new org contact, and needs OrgContact.Read.All", async () => {
    const nw = await newTenant(sb);
    const client = graphFor(sb, nw);
    const first = await round(client, "/contacts/delta?$select=displayName,mail");
    expect(first.items).toHaveLength(nw.counts.contacts);
    await mutate(sb, nw.tenantId, { op: "addContact", contact: { displayName: "Delta Partner", mail: "partner@fabrikam.example" } });
    const changes = await round(client, first.deltaLink);
    expect(changes.items).toEqual([expect.objectContaining({ displayName: "Delta Partner", mail: "partner@fabrikam.example" })]);
    const noContacts = graphFor(sb, nw, "Roster Directory Sync (expiring secret)");
    expect((await graphError(noContacts.api("/contacts/delta").get())).statusCode).toBe(403);
  });
});
