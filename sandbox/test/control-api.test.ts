/**
 * The control API: tenants are created, described and deleted independently; each has its own faults and
 * request log; group details give the exact expected recipients.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../server";
import { NORTHWIND } from "../scenarios/northwind";
import { app, control, credential, graphFor, newTenant, requests, start, type Manifest } from "./helpers";

let sb: Sandbox;
beforeAll(async () => {
  sb = await start();
});
afterAll(() => sb.close());

describe("control API", () => {
  it("hosts the demo tenant with Northwind's documented ids", async () => {
    expect(sb.demoTenantId).toBe(NORTHWIND.tenantId);
    const m = (await control<Manifest>(sb, `/tenants/${NORTHWIND.tenantId}`)).body;
    expect(m.apps[0]).toMatchObject({ clientId: NORTHWIND.app.clientId });
    expect(m.apps[0].secrets[0]).toMatchObject({ secretId: NORTHWIND.app.secretId, value: NORTHWIND.app.secretValue, expired: false });
    expect(m.groups.find((g) => g.id === NORTHWIND.groups.allStaff)!.displayName).toBe("All-Staff");
    const token = await credential(sb, NORTHWIND.tenantId, NORTHWIND.app.clientId, NORTHWIND.app.secretValue).getToken("https://graph.microsoft.com/.default");
    expect(token.token.split(".")).toHaveLength(3);
    const health = await control<{ ok: boolean }>(sb, "/health");
    expect(health.body.ok).toBe(true);
  });

  it("creates isolated tenants: own ids, own faults, own logs; deleting one makes it unknown", async () => {
    const a = await newTenant(sb);
    const b = await newTenant(sb);
    expect(new Set([a.tenantId, b.tenantId, NORTHWIND.tenantId]).size).toBe(3);
    expect(app(a).clientId).not.toBe(app(b).clientId);
    expect(a.groups.map((g) => g.id)).toEqual(b.groups.map((g) => g.id)); // object ids are per tenant

    await control(sb, `/tenants/${a.tenantId}/faults`, "POST", { throttle: { limit: 1 } });
    const ca = graphFor(sb, a);
    const cb = graphFor(sb, b);
    await cb.api("/groups?$top=1").get();
    await cb.api("/groups?$top=1").get();
    await ca.api("/groups?$top=1").get();
    const la = await requests(sb, a.tenantId);
    const lb = await requests(sb, b.tenantId);
    expect(la.filter((r) => r.kind === "graph")).toHaveLength(1);
    expect(lb.filter((r) => r.kind === "graph")).toHaveLength(2);
    await control(sb, `/tenants/${b.tenantId}/requests`, "DELETE");
    expect(await requests(sb, b.tenantId)).toEqual([]);

    expect((await control(sb, `/tenants/${a.tenantId}`, "DELETE")).status).toBe(200);
    expect((await control(sb, `/tenants/${a.tenantId}`)).status).toBe(404);
    const res = await fetch(`${sb.url}/${a.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(400);
  });

  it("gives a group's expected recipients and skipped members by reason", async () => {
    const m = await newTenant(sb);
    const ops = m.groups.find((g) => g.displayName === "Operations")!;
    const d = (await control<{
      recipients: { mail: string[]; upnFallback: string[]; contacts: string[] };
      skipped: { disabled: string[]; upnOnly: string[]; noAddress: string[] };
    }>(sb, `/tenants/${m.tenantId}/groups/${ops.id}`)).body;
    expect(d.recipients.mail).toHaveLength(ops.transitive.enabledWithMail);
    expect(d.recipients.upnFallback).toHaveLength(9);
    expect(d.skipped.upnOnly).toHaveLength(9);
    expect(d.skipped.disabled).toHaveLength(2);
    expect(d.recipients.mail.every((x) => x === x.toLowerCase())).toBe(true);
  });

  it("validates requests", async () => {
    expect((await control(sb, "/tenants", "POST", { scenario: "atlantis" })).status).toBe(400);
    expect((await control(sb, "/tenants", "POST", { generate: { users: -1 } })).status).toBe(400);
    expect((await control(sb, "/tenants", "POST", { scenario: "northwind", tenantId: NORTHWIND.tenantId })).status).toBe(409);
    const m = await newTenant(sb, { scenario: "empty" });
    expect((await control(sb, `/tenants/${m.tenantId}/faults`, "POST", { latencyMs: "slow" })).status).toBe(400);
    expect(m.groups).toEqual([]);
  });
});
