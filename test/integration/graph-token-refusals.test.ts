/**
 * Entra's refusals of the app itself (disabled, never consented in the directory, blocked by Conditional
 * Access, a request sent to the other cloud), through the product's real ClientSecretCredential against the
 * sandbox, each ending in its own diagnosis, in verification as in any token call.
 */
import { describe, expect, test } from "vitest";
import { cloudEndpoints } from "@/lib/directory/entra/cloud";
import { createDirectoryCredential } from "@/lib/directory/entra/credential";
import { diagnose } from "@/lib/directory/entra/diagnose";
import { verifyDirectoryAccess } from "@/lib/directory/entra/verify";
import type { Cloud } from "@/lib/directory/entra/types";
import { mainApp, startSandboxForFile } from "./graph-sandbox";

const sandbox = startSandboxForFile();

async function tokenFailure(tenantId: string, clientId: string, clientSecret: string, cloud: Cloud): Promise<unknown> {
  const endpoints = cloudEndpoints(cloud);
  try {
    await createDirectoryCredential({ tenantId, clientId, clientSecret, cloud }, endpoints).getToken(endpoints.scope);
  } catch (e) {
    return e;
  }
  throw new Error("expected the token request to fail");
}

describe("token refusals of the app", () => {
  test.each([
    ["disabled", { disabled: true }, "global", "app_disabled", /disabled in this directory/, /Enabled for users to sign-in/],
    ["never consented in this directory", { noServicePrincipal: true }, "global", "app_not_consented", /never consented here/, /Grant admin consent/],
    ["blocked by Conditional Access", { blockedByConditionalAccess: true }, "global", "conditional_access_blocked", /Conditional Access policy blocks/, /workload identities/],
    ["sent to the Government cloud for a global tenant (AADSTS90038)", { crossCloud: true }, "global", "wrong_cloud", /is in Azure Government|another cloud/, /Azure Government/],
    ["sent to the global cloud for a Government tenant (AADSTS900382)", { crossCloud: true }, "usgov", "wrong_cloud", /is in Azure Government/, /Tick “Azure Government”/],
  ] as const)("%s", async (_name, flags, tenantCloud, code, title, fix) => {
    const t = await sandbox.createTenant({ scenario: "northwind", cloud: tenantCloud });
    const app = mainApp(t);
    await sandbox.mutate(t.tenantId, [{ op: "setAppFlags", clientId: app.clientId, flags }]);

    const error = await tokenFailure(t.tenantId, app.clientId, app.secret, tenantCloud);
    const d = diagnose(error, { cloud: "global" });
    expect(d).toMatchObject({ code });
    expect(d.title).toMatch(title);
    expect(d.fix).toMatch(fix);
    expect(d.details).toMatch(/AADSTS\d+/);
    expect(JSON.stringify(d)).not.toContain(app.secret);

    if (tenantCloud === "global") {
      const r = await verifyDirectoryAccess({ tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" }, { groupObjectIds: [], syncContacts: false });
      expect(r.ok).toBe(false);
      expect(r.diagnosis?.code).toBe(code);
    }
  });

  test("the cross-cloud diagnosis names the cloud the connection is set to", async () => {
    const t = await sandbox.createTenant({ scenario: "northwind", cloud: "global" });
    const app = mainApp(t);
    await sandbox.mutate(t.tenantId, [{ op: "setAppFlags", clientId: app.clientId, flags: { crossCloud: true } }]);
    const error = await tokenFailure(t.tenantId, app.clientId, app.secret, "global");
    expect(diagnose(error, { cloud: "usgov" })).toMatchObject({ code: "wrong_cloud", title: "This directory is not in Azure Government", fix: expect.stringMatching(/Untick/) });
  });
});
