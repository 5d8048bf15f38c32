import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { sandboxPreset } from "@/lib/connections/sandbox-preset";
import { validateSecret } from "@/lib/connections/validation";
import { verifyDirectoryAccess } from "@/lib/directory/entra/verify";
import { startSandbox, type Sandbox } from "@/sandbox/server";

describe("“Use the sandbox tenant” (development only)", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, demo: true });
    process.env.ENTRA_AUTHORITY_HOST = sandbox.url;
    process.env.GRAPH_BASE_URL = sandbox.url;
  });
  afterAll(() => sandbox.close());
  afterEach(() => vi.unstubAllEnvs());

  test("fills in the demo tenant's values, which verify against the demo tenant", async () => {
    vi.stubEnv("NODE_ENV", "development");
    const preset = await sandboxPreset();
    expect(preset.tenantId).toBe(sandbox.demoTenantId);
    expect(validateSecret(preset).ok).toBe(true);
    const r = await verifyDirectoryAccess(
      { tenantId: preset.tenantId, clientId: preset.clientId, clientSecret: preset.secretValue, cloud: "global" },
      { groupObjectIds: [], syncContacts: true },
    );
    expect(r.checklist.filter((i) => !i.ok)).toEqual([]);
  });

  test.each(["production", "test"])("refuses under NODE_ENV=%s", async (env) => {
    vi.stubEnv("NODE_ENV", env);
    await expect(sandboxPreset()).rejects.toMatchObject({ code: "not_found" });
  });
});
