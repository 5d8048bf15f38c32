import { describe, expect, test } from "vitest";
import { openGraph } from "@/lib/directory/entra/client";
import { GraphRequestError } from "@/lib/directory/entra/errors";
import { getGroup, iterateGroups } from "@/lib/directory/entra/groups";
import { tenantInFlight } from "@/lib/directory/entra/in-flight";
import { mainApp, startSandboxForFile, type TenantManifest } from "./graph-sandbox";

const sandbox = startSandboxForFile();

async function session(t: TenantManifest, opts?: Parameters<typeof openGraph>[1]) {
  const app = mainApp(t);
  return openGraph({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" }, opts);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("Graph client against the sandbox tenant", () => {
  test("iterates every group across pages, selecting only the needed attributes", async () => {
    const t = await sandbox.createTenant();
    const graph = await session(t);
    const groups = await collect(iterateGroups(graph, 5));
    expect(groups.map((g) => g.id).sort()).toEqual(t.groups.map((g: { id: string }) => g.id).sort());
    expect(graph.stats.requests).toBe(Math.ceil(t.groups.length / 5));
    expect(Object.keys(groups[0]).sort()).toEqual(
      ["id", "displayName", "description", "mail", "visibility", "groupTypes", "mailEnabled", "securityEnabled"].sort(),
    );
  });

  test("a session asks Entra for one token and reuses it across requests", async () => {
    const t = await sandbox.createTenant();
    const graph = await session(t);
    await collect(iterateGroups(graph, 2));
    expect(graph.stats.requests).toBeGreaterThan(3);
    const log = await sandbox.control("GET", `/tenants/${t.tenantId}/requests`);
    const entries: { kind: string; authorization: boolean }[] = Array.isArray(log) ? log : log.requests ?? log.entries;
    expect(entries.filter((r) => r.kind === "token")).toHaveLength(1);
    expect(entries.filter((r) => r.kind === "graph").every((r) => r.authorization)).toBe(true);
  });

  test("a deleted group reads as null", async () => {
    const t = await sandbox.createTenant();
    const graph = await session(t);
    await sandbox.mutate(t.tenantId, [{ op: "deleteGroup", groupId: t.groups[2].id }]);
    expect(await getGroup(graph, t.groups[2].id)).toBeNull();
    expect((await getGroup(graph, t.groups[1].id))?.displayName).toBe(t.groups[1].displayName);
  });

  test("429 with Retry-After is waited out and counted; one retry layer", async () => {
    const t = await sandbox.createTenant();
    await sandbox.faults(t.tenantId, { retryAfter: [{ path: "/v1.0/users", nth: 1, times: 2, seconds: 1, status: 429 }] });
    const graph = await session(t);
    await graph.get("/users?$top=1&$select=id");
    expect(graph.stats).toMatchObject({ requests: 3, retries: 2 });
    expect(graph.stats.throttleWaitMs).toBeGreaterThanOrEqual(2000);
    const log = await sandbox.control("GET", `/tenants/${t.tenantId}/requests`);
    const userCalls = log.requests.filter((r: { path?: string; url?: string }) => String(r.path ?? r.url).includes("/v1.0/users"));
    expect(userCalls.length).toBe(3);
  });

  test("a caller that gives up stops its request's retries: an abort during Retry-After ends the wait and asks for nothing more", async () => {
    const t = await sandbox.createTenant();
    await sandbox.faults(t.tenantId, { retryAfter: [{ path: "/v1.0/users", nth: 1, times: 1, seconds: 60, status: 503 }] });
    const graph = await session(t);
    await graph.get("/groups?$top=1&$select=id"); // the token first
    await sandbox.control("DELETE", `/tenants/${t.tenantId}/requests`);
    const controller = new AbortController();
    const read = await graph.getListPage("/users?$top=2&$select=id", { signal: controller.signal });
    const userCalls = async () => {
      const { requests } = await sandbox.control("GET", `/tenants/${t.tenantId}/requests`);
      return (requests as { kind: string; url: string; status: number }[]).filter((r) => r.kind === "graph" && r.url.includes("/users"));
    };
    // Until the 503 has been answered (the client then waits out its Retry-After of a minute).
    while (!(await userCalls()).some((r) => r.status === 503)) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("the reader stopped"));
    await expect(read.page).rejects.toThrow("the reader stopped");
    await expect(read.nextLink).rejects.toThrow("the reader stopped");
    expect((await userCalls()).map((r) => r.status)).toEqual([503]);
    // An aborted signal asks for nothing at all.
    await expect(graph.get("/users?$top=1&$select=id", { signal: controller.signal })).rejects.toThrow("the reader stopped");
    expect(await userCalls()).toHaveLength(1);
  });

  test("attempts are bounded: a persistent 503 ends in a GraphRequestError", async () => {
    const t = await sandbox.createTenant();
    await sandbox.faults(t.tenantId, { retryAfter: [{ path: "/v1.0/groups", nth: 1, times: 50, seconds: 0, status: 503 }] });
    const graph = await session(t, { retryPolicy: { maxAttempts: 3 } });
    const error = await graph.get("/groups?$top=1").catch((e) => e);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).toMatchObject({ status: 503 });
    expect(graph.stats).toMatchObject({ requests: 3, retries: 2 });
  });

  test("requests in flight per tenant stay under the cap, across sessions", async () => {
    const t = await sandbox.createTenant();
    await sandbox.faults(t.tenantId, { latencyMs: 150 });
    const a = await session(t, { maxInFlight: 2 });
    const b = await session(t, { maxInFlight: 2 });
    await a.get("/groups?$top=1&$select=id"); // token first, so the timing below is Graph's
    await b.get("/groups?$top=1&$select=id");
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, tenantInFlight(t.tenantId))), 5);
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).get("/groups?$top=1&$select=id")));
    clearInterval(timer);
    expect(peak).toBe(2);
  });

  test("tokenRoles reads the roles claim", async () => {
    const t = await sandbox.createTenant();
    const graph = await session(t);
    expect((await graph.tokenRoles()).sort()).toEqual(["Group.Read.All", "GroupMember.Read.All", "OrgContact.Read.All", "User.Read.All"]);
  });
});
