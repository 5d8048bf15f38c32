/**
 * The sandbox tenant in-process for Graph/connection integration tests: one server per test file, a tenant
 * per test, and the product pointed at it through ENTRA_AUTHORITY_HOST / GRAPH_BASE_URL (read at call time).
 * Requires NODE_EXTRA_CA_CERTS (npm run test:unit sets it).
 */
import { afterAll, beforeAll } from "vitest";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { callSandbox } from "@/sandbox/control/client";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TenantManifest = any;

export function startSandboxForFile() {
  const state: { sandbox?: Sandbox } = {};
  beforeAll(async () => {
    state.sandbox = await startSandbox({ port: 0, demo: false });
    process.env.ENTRA_AUTHORITY_HOST = state.sandbox.url;
    process.env.GRAPH_BASE_URL = state.sandbox.url;
  });
  afterAll(async () => {
    await state.sandbox?.close();
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const control = (method: string, path: string, body?: unknown) => callSandbox<any>(state.sandbox!.url, method, path, body);
  return {
    get url() {
      return state.sandbox!.url;
    },
    control,
    createTenant: (body: Record<string, unknown> = { scenario: "northwind" }): Promise<TenantManifest> => control("POST", "/tenants", body),
    mutate: (tenantId: string, ops: unknown[]) => control("POST", `/tenants/${tenantId}/mutations`, { ops }),
    faults: (tenantId: string, faults: unknown) => control("POST", `/tenants/${tenantId}/faults`, faults),
  };
}

/** The main app of a Northwind copy: all four permissions, a current secret and an expired one. */
export function mainApp(t: TenantManifest) {
  const app = t.apps.find((a: { name: string }) => a.name === "Roster Directory Sync");
  const current = app.secrets.find((s: { expired: boolean }) => !s.expired);
  const expired = app.secrets.find((s: { expired: boolean }) => s.expired);
  return { clientId: app.clientId as string, secret: current.value as string, secretId: current.secretId as string, expiredSecret: expired.value as string };
}

export function appNamed(t: TenantManifest, suffix: string) {
  const app = t.apps.find((a: { name: string }) => a.name.endsWith(suffix));
  return { clientId: app.clientId as string, secret: app.secrets[0].value as string, secretId: app.secrets[0].secretId as string };
}
