/**
 * Entra's refusals of an app (not of its secret), each set per app with the `setAppFlags` mutation and seen
 * through Roster's real ClientSecretCredential with its OAuth `error` value and AADSTS code. Answers and their
 * Microsoft Learn sources: sandbox/auth/aadsts.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../server";
import { app, control, credential, mutate, newTenant, requests, start } from "./helpers";

let sb: Sandbox;
beforeAll(async () => {
  sb = await start();
});
afterAll(() => sb.close());

const GRAPH = "https://graph.microsoft.com/.default";
const GRAPH_US = "https://graph.microsoft.us/.default";

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected getToken to fail");
}

describe("app refusals", () => {
  const cases = [
    { flag: "disabled", error: "unauthorized_client", code: 7000112, text: /Application '.*'\(Roster Directory Sync\) is disabled\./ },
    { flag: "noServicePrincipal", error: "invalid_client", code: 7000229, text: /The client application .* is missing service principal in the tenant/ },
    { flag: "blockedByConditionalAccess", error: "invalid_grant", code: 53003, text: /Access has been blocked by Conditional Access policies\. The access policy does not allow token issuance\./ },
    { flag: "crossCloud", error: "invalid_request", code: 90038, text: /The specified tenant '.*' belongs to the National Cloud/ },
  ] as const;

  for (const c of cases) {
    it(`${c.flag} → ${c.error} AADSTS${c.code}, and clearing the flag issues tokens again`, async () => {
      const m = await newTenant(sb);
      const a = app(m);
      await credential(sb, m.tenantId, a.clientId, a.secret).getToken(GRAPH); // works before
      const [set] = await mutate(sb, m.tenantId, { op: "setAppFlags", clientId: a.clientId, flags: { [c.flag]: true } });
      expect(set.flags).toMatchObject({ [c.flag]: true });
      const message = await refusal(credential(sb, m.tenantId, a.clientId, a.secret).getToken(GRAPH));
      expect(message).toContain(`${c.error}: Error(s): ${c.code} - `); // MSAL's "error: codes - description"
      expect(message).toContain(`AADSTS${c.code}: `);
      expect(message).toMatch(c.text);
      const log = (await requests(sb, m.tenantId)).filter((r) => r.kind === "token");
      expect(log.at(-1)).toMatchObject({ error: `AADSTS${c.code}`, appId: a.clientId });
      await mutate(sb, m.tenantId, { op: "setAppFlags", clientId: a.clientId, flags: { [c.flag]: false } });
      expect((await credential(sb, m.tenantId, a.clientId, a.secret).getToken(GRAPH)).token).toBeTruthy();
    });
  }

  it("a cross-cloud request for an Azure Government tenant is AADSTS900382", async () => {
    const gov = await newTenant(sb, { scenario: "northwind", cloud: "usgov" });
    const a = app(gov);
    await mutate(sb, gov.tenantId, { op: "setAppFlags", clientId: a.clientId, flags: { crossCloud: true } });
    const message = await refusal(credential(sb, gov.tenantId, a.clientId, a.secret).getToken(GRAPH_US));
    expect(message).toContain("invalid_request: Error(s): 900382 - ");
    expect(message).toContain("AADSTS900382: Confidential Client is not supported in Cross Cloud request.");
  });

  it("a wrong secret is still reported first for a disabled app (the client authenticates before its state is checked)", async () => {
    const m = await newTenant(sb);
    const a = app(m);
    await mutate(sb, m.tenantId, { op: "setAppFlags", clientId: a.clientId, flags: { disabled: true, blockedByConditionalAccess: true } });
    expect(await refusal(credential(sb, m.tenantId, a.clientId, "wrong").getToken(GRAPH))).toContain("AADSTS7000215");
    expect(await refusal(credential(sb, m.tenantId, a.clientId, a.secret).getToken(GRAPH))).toContain("AADSTS7000112");
  });

  it("refuses unknown flags and unknown apps", async () => {
    const m = await newTenant(sb);
    const bad = await control(sb, `/tenants/${m.tenantId}/mutations`, "POST", { op: "setAppFlags", clientId: app(m).clientId, flags: { sleepy: true } });
    expect(bad.status).toBe(400);
    const none = await control(sb, `/tenants/${m.tenantId}/mutations`, "POST", { op: "setAppFlags", clientId: "00000000-0000-0000-0000-000000000001", flags: { disabled: true } });
    expect(none.status).toBe(404);
  });
});
