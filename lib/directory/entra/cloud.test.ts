import { describe, expect, test } from "vitest";
import { allowedGraphHost, cloudEndpoints, GraphHostRefusedError } from "./cloud";
import { diagnose } from "./diagnose";
import { TenantDiscoveryError } from "./discovery";

const env = (vars: Record<string, string> = {}) => vars as unknown as NodeJS.ProcessEnv;

describe("cloud endpoints from the tenant's msgraph_host", () => {
  test("without a saved host, the cloud flag decides (connections verified before the host was saved)", () => {
    expect(cloudEndpoints("global", env())).toMatchObject({ graphBaseUrl: "https://graph.microsoft.com", scope: "https://graph.microsoft.com/.default", authorityHost: "https://login.microsoftonline.com" });
    expect(cloudEndpoints("usgov", env())).toMatchObject({ graphBaseUrl: "https://graph.microsoft.us", scope: "https://graph.microsoft.us/.default", authorityHost: "https://login.microsoftonline.us" });
  });

  test("US Government L5 (DoD): Graph and scope at dod-graph.microsoft.us, sign-in at login.microsoftonline.us", () => {
    expect(cloudEndpoints("usgov", env(), "dod-graph.microsoft.us")).toMatchObject({
      graphBaseUrl: "https://dod-graph.microsoft.us",
      scope: "https://dod-graph.microsoft.us/.default",
      authorityHost: "https://login.microsoftonline.us",
      customHosts: new Set(),
    });
  });

  test("overrides move requests, never the scope", () => {
    const vars = { GRAPH_BASE_URL: "https://127.0.0.1:4443", ENTRA_AUTHORITY_HOST: "https://127.0.0.1:4443" };
    expect(cloudEndpoints("usgov", env(vars), "dod-graph.microsoft.us")).toMatchObject({
      graphBaseUrl: "https://127.0.0.1:4443",
      authorityHost: "https://127.0.0.1:4443",
      scope: "https://dod-graph.microsoft.us/.default",
      customHosts: new Set(["127.0.0.1"]),
    });
    expect(cloudEndpoints("usgov", env({ ...vars, ENTRA_AUTHORITY_HOST_USGOV: "https://127.0.0.1:5443" })).authorityHost).toBe("https://127.0.0.1:5443");
    expect(cloudEndpoints("global", env({ ...vars, ENTRA_AUTHORITY_HOST_USGOV: "https://127.0.0.1:5443" })).authorityHost).toBe("https://127.0.0.1:4443");
  });

  test.each([
    ["graph.microsoft.com", "global"],
    ["GRAPH.microsoft.us", "usgov"],
    ["dod-graph.microsoft.us", "usgov"],
  ] as const)("allows %s for %s", (host, cloud) => {
    expect(allowedGraphHost(host, cloud)).toBe(host.toLowerCase());
  });

  test.each([
    ["microsoftgraph.chinacloudapi.cn", "global", /not one Roster supports/],
    ["graph.microsoft.com.evil.example", "global", /not one Roster supports/],
    ["graph.microsoft.us", "global", /belongs to Azure Government/],
    ["graph.microsoft.com", "usgov", /belongs to Azure Global/],
  ] as const)("refuses %s for %s", (host, cloud, message) => {
    expect(() => allowedGraphHost(host, cloud)).toThrow(GraphHostRefusedError);
    expect(() => allowedGraphHost(host, cloud)).toThrow(message);
    expect(() => cloudEndpoints(cloud, env(), host)).toThrow(GraphHostRefusedError);
  });

  test("a refused host at discovery gets its own diagnosis", () => {
    const d = diagnose(new TenantDiscoveryError({ reason: "graph_host_refused", host: "login.microsoftonline.com", message: "Microsoft Graph host x is not one Roster supports" }));
    expect(d).toMatchObject({ code: "graph_host_refused", title: expect.stringMatching(/cloud Roster does not support/), fix: expect.stringMatching(/dod-graph\.microsoft\.us/) });
  });
});
