import { describe, expect, test } from "vitest";
import { diagnose, noApplicationRolesDiagnosis } from "./diagnose";
import { TenantDiscoveryError } from "./discovery";
import { GraphRequestError } from "./errors";

const entra = (code: number, text: string, error = "invalid_client") =>
  Object.assign(new Error(`ClientSecretCredential authentication failed: ${error}: AADSTS${code}: ${text}\r\nTrace ID: 1\r\nCorrelation ID: 2`), {
    name: "AuthenticationRequiredError",
  });
// As MSAL words a refusal: "error: Error(s): codes - Timestamp: … - Description: AADSTS…".
const msal = (error: string, code: number, text: string) =>
  Object.assign(new Error(`${error}: Error(s): ${code} - Timestamp: 2026-12-01 22:04:03Z - Description: AADSTS${code}: ${text} - Correlation ID: 2`), {
    name: "AuthenticationRequiredError",
  });
const graph = (status: number, code = "x", retryAfterMs?: number) => new GraphRequestError({ status, code, message: `graph said ${status}`, retryAfterMs });

describe("diagnose", () => {
  test.each([
    ["wrong secret", entra(7000215, "Invalid client secret provided."), {}, "secret_wrong", /rejected the client secret/, /looks like the Secret ID, paste the Value/],
    ["Secret ID pasted", entra(7000215, "Invalid client secret provided."), { secretLooksLikeSecretId: true }, "secret_is_secret_id", /This is the Secret ID; paste the secret's Value/, /Value/],
    ["expired secret with date", entra(7000222, "The provided client secret keys are expired."), { secretExpiresOn: "2026-01-31" }, "secret_expired", /expired on 2026-01-31/, /Rotate secret/],
    ["expired secret without date", entra(7000222, "expired"), {}, "secret_expired", /has expired/, /new client secret/],
    ["app not in tenant", entra(700016, "Application with identifier 'x' was not found"), {}, "app_not_in_tenant", /Application \(client\) ID/, /Re-copy the Application \(client\) ID/],
    ["tenant not found", entra(90002, "Tenant 'x' not found."), {}, "tenant_not_found", /Directory \(tenant\) ID/, /Re-copy the Directory \(tenant\) ID/],
    ["resource of another cloud", entra(500011, "The resource principal named https://graph.microsoft.com was not found"), { cloud: "global" as const }, "wrong_cloud", /Azure Government tenant\?/, /Azure Government/],
    ["other AADSTS, unknown error value", entra(50034, "something", "server_error"), {}, "token_error", /AADSTS50034/, /verify again/],
    ["app disabled", msal("unauthorized_client", 7000112, "Application 'x'(Roster) is disabled."), {}, "app_disabled", /disabled/, /Enabled for users to sign-in/],
    ["no service principal", msal("invalid_client", 7000229, "The client application x is missing service principal in the tenant y."), {}, "app_not_consented", /never consented/, /Grant admin consent/],
    ["Conditional Access", msal("invalid_grant", 53003, "Access has been blocked by Conditional Access policies."), {}, "conditional_access_blocked", /Conditional Access/, /workload identities/],
    ["cross-cloud to the global authority", msal("invalid_request", 900382, "Confidential Client is not supported in Cross Cloud request."), { cloud: "global" as const }, "wrong_cloud", /is in Azure Government/, /Tick “Azure Government”/],
    ["cross-cloud from Government", msal("invalid_request", 90038, "The specified tenant 'x' belongs to the National Cloud 'y'."), { cloud: "usgov" as const }, "wrong_cloud", /not in Azure Government/, /Untick/],
    ["unknown code, invalid_client", msal("invalid_client", 7009999, "new"), {}, "client_credentials_rejected", /credentials \(AADSTS7009999\)/, /client secret/],
    ["unknown code, unauthorized_client", msal("unauthorized_client", 7009998, "new"), {}, "app_not_allowed", /does not allow this app/, /Enterprise applications/],
    ["unknown code, invalid_grant", msal("invalid_grant", 53999, "new"), {}, "token_policy_refused", /policy/, /Conditional Access/],
    ["temporarily_unavailable wins over its code", msal("temporarily_unavailable", 90033, "A transient error has occurred."), {}, "entra_unavailable", /temporarily unavailable/, /few minutes/],
    ["MSAL hides the tenant", new Error("CredentialUnavailableError: endpoints_resolution_error: Error: could not resolve endpoints"), {}, "authority_unreachable", /tenant/, /Directory \(tenant\) ID/],
    ["network in token call", new Error("network_error: Network request failed"), {}, "network", /Could not reach/, /again/],
    ["403 with permission", graph(403, "Authorization_RequestDenied"), { permission: "User.Read.All" }, "permission_missing", /User\.Read\.All/, /Application permissions → User\.Read\.All.*Grant admin consent/],
    ["403 without permission", graph(403), {}, "permission_missing", /permission/, /Grant admin consent/],
    ["401", graph(401, "InvalidAuthenticationToken"), {}, "graph_unauthorized", /token/, /Azure Government/],
    ["404 group", graph(404, "Request_ResourceNotFound"), { groupObjectId: "abc" }, "group_not_found", /abc.*deleted in Azure/, /restore/],
    ["404 bare", graph(404), {}, "group_not_found", /Deleted in Azure/, /restore/],
    ["429", graph(429, "TooManyRequests", 2000), {}, "throttled", /throttling/, /retries/],
    ["503", graph(503), {}, "throttled", /throttling/, /retries/],
    ["500", graph(500), {}, "graph_unavailable", /internal error/, /try again later/],
    ["a page that is not JSON", graph(200, "invalid_response"), {}, "graph_unavailable", /could not read/, /try again later/],
    ["no response", graph(0, "network_error"), {}, "network", /Could not reach/, /again/],
    ["unknown", new Error("boom"), {}, "unknown", /unexpected/, /support/],
  ])("%s", (_name, error, context, code, title, fix) => {
    const d = diagnose(error, context);
    expect(d.code).toBe(code);
    expect(d.title).toMatch(title);
    expect(d.fix).toMatch(fix);
  });

  test.each([
    ["tenant_not_found", "tenant_not_found", undefined, /Directory \(tenant\) ID/],
    ["wrong_cloud", "wrong_cloud", "usgov", /is this an Azure Government tenant\?/],
    ["wrong_cloud", "wrong_cloud", "global", /not Azure Government/],
    ["network", "network", undefined, /Could not reach login\.example/],
    ["unexpected_answer", "authority_unexpected", undefined, /unexpected answer/],
  ] as const)("tenant discovery %s (%s)", (reason, code, tenantCloud, title) => {
    const d = diagnose(new TenantDiscoveryError({ reason, message: "raw entra text", host: "login.example", tenantCloud }));
    expect(d.code).toBe(code);
    expect(d.title).toMatch(title);
    expect(d.details).toContain("raw entra text");
  });

  test("reads the error value from @azure/identity's AuthenticationError too", () => {
    const e = Object.assign(new Error("AADSTS7000229: missing service principal"), { name: "AuthenticationError", errorResponse: { error: "invalid_client", errorDescription: "AADSTS7000229: …" } });
    expect(diagnose(e).code).toBe("app_not_consented");
    const unknown = Object.assign(new Error("AADSTS7009999: new"), { name: "AuthenticationError", errorResponse: { error: "invalid_client" } });
    expect(diagnose(unknown).code).toBe("client_credentials_rejected");
  });

  test("keeps the raw Entra text behind Details, without bearer tokens", () => {
    const d = diagnose(new Error("AADSTS7000215: Invalid client secret. Authorization: Bearer eyJabc.def.ghi"));
    expect(d.details).toContain("AADSTS7000215");
    expect(d.details).not.toContain("eyJabc");
  });

  test("delegated-only apps are told to add Application permissions and consent", () => {
    const d = noApplicationRolesDiagnosis();
    expect(d.title).toMatch(/Delegated/);
    expect(d.fix).toMatch(/Application permissions.*Grant admin consent/);
  });
});

describe("details for Microsoft support", () => {
  test("a Graph error's request-id and date appear in the details admins see", () => {
    const error = new GraphRequestError({
      status: 403,
      code: "Authorization_RequestDenied",
      message: "Insufficient privileges to complete the operation.",
      requestId: "0f5e1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b",
      date: "Tue, 01 Dec 2026 23:30:00 GMT",
    });
    expect(diagnose(error).details).toBe(
      "403 Authorization_RequestDenied: Insufficient privileges to complete the operation.; request-id 0f5e1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b, date Tue, 01 Dec 2026 23:30:00 GMT",
    );
    expect(diagnose(new GraphRequestError({ status: 404, code: "Request_ResourceNotFound", message: "gone", requestId: "abc" })).details).toContain("request-id abc");
  });

  test("without them (no response arrived) the details carry neither", () => {
    const details = diagnose(new GraphRequestError({ status: 500, code: "x", message: "boom" })).details!;
    expect(details).not.toContain("request-id");
    expect(details).not.toContain("date");
  });
});
