/**
 * Injected faults and directory mutations, seen through the product's client stack: page errors (once or
 * always), a throttle budget, latency, reset connections, and membership/user/group changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../server";
import { all, app, control, credential, EVENTUAL, graphError, graphFor, mutate, newTenant, requests, start, type Manifest } from "./helpers";

let sb: Sandbox;
beforeAll(async () => {
  sb = await start();
});
afterAll(() => sb.close());

const group = (m: Manifest, name: string) => m.groups.find((g) => g.displayName === name)!;
const usersOf = (id: string) => `/groups/${id}/transitiveMembers/microsoft.graph.user?$count=true&$top=100&$select=id,mail,accountEnabled`;

async function bearer(m: Manifest): Promise<string> {
  const a = app(m);
  return (await credential(sb, m.tenantId, a.clientId, a.secret).getToken(m.scope))!.token;
}

describe("faults", () => {
  it("a 503 once on page 2 is retried by the Graph client; a 500 always fails the enumeration at page 2", async () => {
    const m = await newTenant(sb);
    const g = group(m, "All-Staff");
    await control(sb, `/tenants/${m.tenantId}/faults`, "POST", { pageErrors: [{ groupId: g.id, page: 2, status: 503, mode: "once", retryAfterSeconds: 0 }] });
    const { items } = await all(graphFor(sb, m), usersOf(g.id), EVENTUAL);
    expect(items).toHaveLength(255);
    expect((await requests(sb, m.tenantId)).filter((r) => r.kind === "graph").map((r) => r.status)).toEqual([200, 503, 200, 200]);

    await control(sb, `/tenants/${m.tenantId}/faults`, "POST", { pageErrors: [{ groupId: g.id, page: 2, status: 500, mode: "always" }] });
    await control(sb, `/tenants/${m.tenantId}/requests`, "DELETE");
    const e = await graphError(all(graphFor(sb, m), usersOf(g.id), EVENTUAL));
    expect(e.statusCode).toBe(500);
    expect(e.code).toBe("Service_InternalServerError");
    const log = await requests(sb, m.tenantId);
    expect(log.filter((r) => r.kind === "graph").map((r) => [r.status, r.fault])).toEqual([[200, null], [500, "pageError"]]);

    // A refusal (403 Authorization_RequestDenied, https://learn.microsoft.com/en-us/graph/errors) is final.
    await control(sb, `/tenants/${m.tenantId}/faults`, "POST", { pageErrors: [{ groupId: g.id, page: 1, status: 403, mode: "always" }] });
    const refused = await graphError(all(graphFor(sb, m), usersOf(g.id), EVENTUAL));
    expect(refused.statusCode).toBe(403);
    expect(refused.code).toBe("Authorization_RequestDenied");
  });

  it("a throttle budget answers 429 past R requests per window, with Graph's throttle headers", async () => {
    const m = await newTenant(sb);
    await control(sb, `/tenants/${m.tenantId}/faults`, "POST", { throttle: { limit: 3, windowSeconds: 10 } });
    const token = await bearer(m);
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let k = 0; k < 5; k++) {
      last = await fetch(`${sb.url}/v1.0/groups?$select=id`, { headers: { authorization: `Bearer ${token}` } });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const retryAfter = Number(last!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(last!.headers.get("x-ms-throttle-information")).toBe("ResourceUnitLimitExceeded");
    expect((await last!.json()).error.code).toBe("TooManyRequests");
    // Budgets are per tenant: another tenant is not throttled.
    const other = await newTenant(sb);
    const ok = await fetch(`${sb.url}/v1.0/groups`, { headers: { authorization: `Bearer ${await bearer(other)}` } });
    expect(ok.status).toBe(200);
  });

  it("counts resource units when asked, like Graph's buckets", async () => {
    const m = await newTenant(sb);
    const g = group(m, "Sales");
    await control(sb, `/tenants/${m.tenantId}/faults`, "POST", { throttle: { limit: 10, unit: "resourceUnits" } });
    const token = await bearer(m);
    const get = (p: string) => fetch(`${sb.url}/v1.0${p}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get(`/groups/${g.id}/transitiveMembers`)).headers.get("x-ms-resource-unit")).toBe("5");
    expect((await get(`/groups/${g.id}/transitiveMembers`)).status).toBe(200); // 10 units used
    expect((await get(`/groups/${g.id}`)).status).toBe(429);
  });

  it("adds latency to every page", async () => {
    const m = await newTenant(sb, { scenario: "northwind", faults: { latencyMs: 120 } });
    const client = graphFor(sb, m);
    await client.api("/groups?$top=1").get(); // token and warm-up
    await client.api("/groups?$top=1").get();
    // The delay itself is timing (npm run bench measures it); here, that the sandbox applied it to the page.
    expect((await requests(sb, m.tenantId)).at(-1)!.fault).toBe("latency");
  });

  it("resets the connection on the nth matching request", async () => {
    const m = await newTenant(sb);
    await control(sb, `/tenants/${m.tenantId}/faults`, "POST", { resetConnection: [{ path: "/v1.0/users", nth: 2 }] });
    const token = await bearer(m);
    const get = () => fetch(`${sb.url}/v1.0/users?$top=1`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get()).status).toBe(200);
    await expect(get()).rejects.toThrow();
    expect((await get()).status).toBe(200);
    expect((await requests(sb, m.tenantId)).filter((r) => r.fault === "resetConnection")).toHaveLength(1);
    // DELETE clears the faults.
    await control(sb, `/tenants/${m.tenantId}/faults`, "DELETE");
    const snap = await control<{ faults: unknown }>(sb, `/tenants/${m.tenantId}/faults`);
    expect(snap.body.faults).toEqual({});
  });

  // https://learn.microsoft.com/en-us/azure/well-architected/reliability/handle-transient-faults
  it("breaks a body mid-page: the head and the first bytes arrive, then the connection is lost", async () => {
    const m = await newTenant(sb);
    const g = group(m, "All-Staff");
    await control(sb, `/tenants/${m.tenantId}/faults`, "POST", { bodyReset: [{ path: "transitiveMembers", nth: 2, afterBytes: 600 }] });
    const token = await bearer(m);
    const get = () => fetch(`${sb.url}/v1.0${usersOf(g.id)}`, { headers: { authorization: `Bearer ${token}`, ConsistencyLevel: "eventual" } });
    expect((await (await get()).json()).value).toHaveLength(100);
    const broken = await get();
    expect(broken.status).toBe(200);
    expect(Number(broken.headers.get("content-length"))).toBeGreaterThan(600);
    await expect(broken.text()).rejects.toThrow();
    expect((await (await get()).json()).value).toHaveLength(100); // once only
    expect((await requests(sb, m.tenantId)).filter((r) => r.kind === "graph").map((r) => r.fault)).toEqual([null, "bodyReset", null]);
  });

  // https://learn.microsoft.com/en-us/azure/well-architected/reliability/handle-transient-faults
  it("stalls a response before its head, or after the head and a few bytes of body", async () => {
    const m = await newTenant(sb);
    await control(sb, `/tenants/${m.tenantId}/faults`, "POST", {
      stall: [
        { path: "/v1.0/users", nth: 1, phase: "headers", ms: 5_000 },
        { path: "/v1.0/groups", nth: 1, phase: "body", afterBytes: 20, ms: 5_000 },
      ],
    });
    const token = await bearer(m);
    const opts = () => ({ headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(300) });
    // No head at all: the client's own timeout is what ends the wait.
    await expect(fetch(`${sb.url}/v1.0/users?$top=1`, opts())).rejects.toMatchObject({ name: "TimeoutError" });
    // A head, then silence: the body never completes.
    const head = await fetch(`${sb.url}/v1.0/groups?$top=5`, opts());
    expect(head.status).toBe(200);
    await expect(head.text()).rejects.toMatchObject({ name: "TimeoutError" });
    expect((await requests(sb, m.tenantId)).filter((r) => r.kind === "graph").map((r) => r.fault)).toEqual(["stall", "stall"]);
    // Only the nth request stalls.
    expect((await fetch(`${sb.url}/v1.0/users?$top=1`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  // https://learn.microsoft.com/en-us/graph/best-practices-concept#handling-expected-errors
  it("answers 200 with a page that is not JSON", async () => {
    const m = await newTenant(sb);
    await control(sb, `/tenants/${m.tenantId}/faults`, "POST", { nonJson: [{ path: "/v1.0/groups", nth: 1 }] });
    const token = await bearer(m);
    const res = await fetch(`${sb.url}/v1.0/groups?$top=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    await expect(res.json()).rejects.toThrow(SyntaxError);
    const ok = await fetch(`${sb.url}/v1.0/groups?$top=1`, { headers: { authorization: `Bearer ${token}` } });
    expect((await ok.json()).value).toHaveLength(1);
  });

  // https://learn.microsoft.com/en-us/graph/throttling-limits#identity-and-access-service-limits
  it("keeps the throttle budget per app and tenant, and warns with x-ms-throttle-limit-percentage from 80 % on", async () => {
    const m = await newTenant(sb);
    await control(sb, `/tenants/${m.tenantId}/faults`, "POST", { throttle: { limit: 5, windowSeconds: 60 } });
    const token = await bearer(m);
    const seen: Array<[number, string | null]> = [];
    for (let k = 0; k < 6; k++) {
      const res = await fetch(`${sb.url}/v1.0/groups?$select=id`, { headers: { authorization: `Bearer ${token}` } });
      seen.push([res.status, res.headers.get("x-ms-throttle-limit-percentage")]);
    }
    expect(seen).toEqual([
      [200, null],
      [200, null],
      [200, null],
      [200, "0.80"],
      [200, "1.00"],
      [429, null],
    ]);
    // Another application of the same tenant has a budget of its own.
    const other = app(m, "Roster Directory Sync (expiring secret)");
    const otherToken = (await credential(sb, m.tenantId, other.clientId, other.secret).getToken(m.scope))!.token;
    const res = await fetch(`${sb.url}/v1.0/groups?$select=id`, { headers: { authorization: `Bearer ${otherToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ms-throttle-limit-percentage")).toBeNull();
  });
});

describe("mutations", () => {
  it("disable, remove, add and delete show up in the next enumeration and in the manifest", async () => {
    const m = await newTenant(sb);
    const client = graphFor(sb, m);
    const sales = group(m, "Sales");
    const before = (await all<{ id: string; accountEnabled: boolean }>(client, usersOf(sales.id), EVENTUAL)).items;
    const victim = before.find((u) => u.accountEnabled)!;
    const leaver = before.find((u) => u.accountEnabled && u.id !== victim.id)!;
    const [, , added] = await mutate(
      sb,
      m.tenantId,
      { op: "disableUser", userId: victim.id },
      { op: "removeMember", groupId: sales.id, memberId: leaver.id },
      { op: "addUser", user: { displayName: "Nina New", mail: "Nina.New@northwind.example" }, groupIds: [sales.id] },
    );
    const after = (await all<{ id: string; accountEnabled: boolean; mail: string }>(client, usersOf(sales.id), EVENTUAL)).items;
    expect(after.find((u) => u.id === victim.id)!.accountEnabled).toBe(false);
    expect(after.some((u) => u.id === leaver.id)).toBe(false);
    expect(after.find((u) => u.id === added.id)!.mail).toBe("Nina.New@northwind.example");
    // The new member reaches All-Staff through the nesting.
    const allStaff = (await all<{ id: string }>(client, usersOf(group(m, "All-Staff").id), EVENTUAL)).items;
    expect(allStaff.some((u) => u.id === added.id)).toBe(true);
    const manifest = (await control<Manifest>(sb, `/tenants/${m.tenantId}`)).body;
    expect(group(manifest, "Sales").transitive).toMatchObject({ users: 40, disabled: 3 });

    await mutate(sb, m.tenantId, { op: "deleteGroup", groupId: sales.id });
    const e = await graphError(client.api(`/groups/${sales.id}/transitiveMembers`).get());
    expect(e.statusCode).toBe(404);
    expect(e.code).toBe("Request_ResourceNotFound");
    const allStaffAfter = (await all<{ id: string }>(client, usersOf(group(m, "All-Staff").id), EVENTUAL)).items;
    expect(allStaffAfter.some((u) => u.id === added.id)).toBe(false);
  });

  it("refuses a username another user has, on a change as on a create; keeping one's own is no change", async () => {
    const m = await newTenant(sb);
    const [a, b] = m.users!;
    const taken = await control<{ error: { index: number; message: string } }>(sb, `/tenants/${m.tenantId}/mutations`, "POST", {
      ops: [{ op: "updateUser", userId: a.id, changes: { userPrincipalName: b.userPrincipalName } }],
    });
    expect(taken.status).toBe(400);
    expect(taken.body.error).toMatchObject({ index: 0, message: "Another object with the same value for property userPrincipalName already exists." });
    await mutate(sb, m.tenantId, { op: "updateUser", userId: a.id, changes: { userPrincipalName: a.userPrincipalName, displayName: "Same UPN" } });
    const manifest = (await control<Manifest>(sb, `/tenants/${m.tenantId}`)).body;
    expect(manifest.users!.find((u) => u.id === a.id)).toMatchObject({ userPrincipalName: a.userPrincipalName });
  });

  it("rejects a bad mutation with the index of the failing op", async () => {
    const m = await newTenant(sb);
    const r = await control<{ error: { index: number; message: string } }>(sb, `/tenants/${m.tenantId}/mutations`, "POST", {
      ops: [{ op: "disableUser", userId: m.users![0].id }, { op: "addMember", groupId: group(m, "HR").id, memberId: "00000000-0000-4000-8000-000000000000" }],
    });
    expect(r.status).toBe(404);
    expect(r.body.error.index).toBe(1);
    const bad = await control(sb, `/tenants/${m.tenantId}/mutations`, "POST", { op: "explode" });
    expect(bad.status).toBe(400);
  });
});
