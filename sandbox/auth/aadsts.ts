/**
 * Entra ID's token-endpoint errors, in its JSON shape: `error`, `error_description` starting with the
 * AADSTS code and ending with trace/correlation ids and a timestamp, `error_codes`, `timestamp`, `trace_id`,
 * `correlation_id`, `error_uri`. MSAL puts `error: error_description` into the message products see.
 */
import { randomUUID } from "node:crypto";

export interface AadstsError {
  status: number;
  body: Record<string, unknown>;
}

function stamp(d = new Date()): string {
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

export function aadsts(status: number, error: string, code: number, text: string, correlationId?: string): AadstsError {
  const traceId = randomUUID();
  const corr = correlationId ?? randomUUID();
  const ts = stamp();
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${corr}\r\nTimestamp: ${ts}`,
      error_codes: [code],
      timestamp: ts,
      trace_id: traceId,
      correlation_id: corr,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

export const tenantNotFound = (tenant: string, corr?: string) =>
  aadsts(400, "invalid_tenant", 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`, corr);

export const missingParameter = (name: string, corr?: string) =>
  aadsts(400, "invalid_request", 900144, `The request body must contain the following parameter: '${name}'.`, corr);

export const unsupportedGrant = (grant: string, corr?: string) =>
  aadsts(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grant}'.`, corr);

export const invalidScope = (scope: string, corr?: string) =>
  aadsts(400, "invalid_scope", 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`, corr);

export const appNotInTenant = (clientId: string, tenantName: string, corr?: string) =>
  aadsts(400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`, corr);

export const missingSecret = (corr?: string) =>
  aadsts(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", corr);

export const wrongSecret = (clientId: string, corr?: string) =>
  aadsts(401, "invalid_client", 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`, corr);

export const expiredSecret = (clientId: string, corr?: string) =>
  aadsts(401, "invalid_client", 7000222, `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`, corr);

export const resourceNotFound = (resource: string, tenantName: string, corr?: string) =>
  aadsts(400, "invalid_resource", 500011, `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`, corr);

// Error texts follow https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes (the
// codes' names and descriptions) and the answers Entra is documented or reported to give; what could not be
// confirmed on Microsoft Learn is marked so.

/**
 * AADSTS7000112 UnauthorizedClientApplicationDisabled: "The application is disabled." (reference-error-codes;
 * https://learn.microsoft.com/en-us/troubleshoot/entra/entra-id/app-integration/error-code-aadsts7000112-application-is-disabled:
 * the enterprise application's "Enabled for users to sign-in" is No). The `error` value, unauthorized_client, is
 * not stated on Learn (not confirmed).
 */
export const appDisabled = (clientId: string, appName: string, corr?: string) =>
  aadsts(400, "unauthorized_client", 7000112, `Application '${clientId}'(${appName}) is disabled.`, corr);

/**
 * AADSTS7000229: the app has no service principal in the tenant, so it was never consented there. Shape and
 * text as Microsoft shows it (401 invalid_client) on
 * https://learn.microsoft.com/en-us/microsoftteams/platform/teams-sdk/teams/app-authentication/troubleshooting
 * (the code is not in the reference-error-codes table).
 */
export const missingServicePrincipal = (clientId: string, tenantId: string, corr?: string) =>
  aadsts(401, "invalid_client", 7000229, `The client application ${clientId} is missing service principal in the tenant ${tenantId}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`, corr);

/**
 * AADSTS53003 BlockedByConditionalAccess: "Access has been blocked by Conditional Access policies. The access
 * policy does not allow token issuance." (reference-error-codes). For a service principal this is Conditional
 * Access for workload identities (https://learn.microsoft.com/en-us/entra/identity/conditional-access/workload-identity),
 * evaluated after the client's credentials are checked. `invalid_grant` is what client-credential callers
 * report; Learn does not state the value for this flow (not confirmed).
 */
export const blockedByConditionalAccess = (corr?: string) =>
  aadsts(400, "invalid_grant", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", corr);

/**
 * AADSTS900382: "Confidential Client isn't supported in Cross Cloud request." (reference-error-codes): a
 * client-credentials request for an Azure Government tenant sent to the global authority. `invalid_request`
 * is reported by callers, not stated on Learn (not confirmed).
 */
export const crossCloudConfidentialClient = (corr?: string) =>
  aadsts(400, "invalid_request", 900382, "Confidential Client is not supported in Cross Cloud request.", corr);

/**
 * AADSTS90038 NationalCloudTenantRedirection: "The specified tenant 'Y' belongs to the National Cloud 'X'.
 * Current cloud instance 'Z' does not federate with X." (reference-error-codes): a request for a global tenant
 * sent to a national cloud's authority.
 */
export const nationalCloudRedirection = (tenant: string, tenantCloud: string, currentCloud: string, corr?: string) =>
  aadsts(400, "invalid_request", 90038, `The specified tenant '${tenant}' belongs to the National Cloud '${tenantCloud}'. Current cloud instance '${currentCloud}' does not federate with ${tenantCloud}.`, corr);

// ── Client assertions (certificates and federated identity credentials) ─────────────────────────────────────
// Codes and names from https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes and the
// ClientCertificateCredential / ClientAssertionCredential tables of
// https://learn.microsoft.com/en-us/azure/developer/java/sdk/troubleshooting-authentication-service-principal.
// The `error` values and the bracketed reasons follow answers Entra is reported to give (not confirmed on Learn).

/** A client_assertion without a client_assertion_type, or with another type than jwt-bearer. */
export const invalidAssertionType = (corr?: string) =>
  aadsts(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_assertion_type'.", corr);

/** AADSTS50027 InvalidJwtToken: the assertion is not a JWT Entra can read (not three parts, not JSON). */
export const malformedAssertion = (corr?: string) =>
  aadsts(400, "invalid_request", 50027, "JWT token is invalid or malformed.", corr);

/** AADSTS700021: "Client assertion application identifier doesn't match 'client_id' parameter." (Java troubleshooting table). */
export const assertionClientMismatch = (corr?: string) =>
  aadsts(400, "invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .", corr);

/** AADSTS700023: "Client assertion audience claim does not match Realm issuer." (Java troubleshooting table). */
export const assertionAudienceMismatch = (audience: string, corr?: string) =>
  aadsts(400, "invalid_client", 700023, `Client assertion audience claim does not match Realm issuer. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials . Audience: '${audience}'.`, corr);

/**
 * AADSTS700024 "Client assertion is not within its valid time range." (reference-error-codes; the Azure
 * DevOps workload-identity table gives the same text).
 */
export const assertionOutsideValidTime = (now: Date, nbf: Date | null, exp: Date | null, corr?: string) =>
  aadsts(400, "invalid_client", 700024, `Client assertion is not within its valid time range. Current time: ${now.toISOString()}, assertion valid from ${nbf?.toISOString() ?? "-"}, expiry time of assertion ${exp?.toISOString() ?? "-"}. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .`, corr);

/**
 * AADSTS700027 "Client assertion failed signature validation." / "contains an invalid signature" (reference-error-codes;
 * the Java table: "Ensure that the specified certificate has been uploaded to the Microsoft Entra application
 * registration"). The reason says which: no registered key with that thumbprint, an expired key, or a bad signature.
 */
export const assertionInvalidSignature = (reason: "The key was not found." | "The key used is expired." | "The signature is invalid.", clientId: string, thumbprint: string | null, corr?: string) =>
  aadsts(401, "invalid_client", 700027, `Client assertion contains an invalid signature. [Reason - ${reason}${thumbprint ? `, Thumbprint of key used by client: '${thumbprint}'` : ""}, Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments if you are using a National Cloud.]`, corr);

/**
 * AADSTS70021 "No matching federated identity record found for presented assertion." with the assertion's
 * issuer, subject and audience (reference-error-codes; the text as azure-workload-identity's troubleshooting
 * guide quotes it). Answered when the app has no federated credential at all.
 */
export const noMatchingFederatedRecord = (iss: string, sub: string, aud: string, corr?: string) =>
  aadsts(400, "invalid_request", 70021, `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${aud}'.`, corr);

/**
 * The AADSTS70021x family, naming the one field that matched no federated credential: 700211 issuer, 700212
 * audience, 700213 subject (reference-error-codes lists them as "No matching federated identity record found
 * for presented assertion issuer / audience / subject").
 */
export const federatedFieldMismatch = (field: "issuer" | "audience" | "subject", value: string, corr?: string) =>
  aadsts(400, "invalid_request", field === "issuer" ? 700211 : field === "audience" ? 700212 : 700213, `No matching federated identity record found for presented assertion ${field} '${value}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`, corr);

/**
 * AADSTS50166 "Request to External OIDC endpoint failed." Entra could not fetch the issuer's discovery document
 * or JWKS (reported by azure-workload-identity issues #642 and #1130; the same text also appears as 90061;
 * not in the Learn table, so not confirmed there).
 */
export const externalOidcEndpointFailed = (corr?: string) =>
  aadsts(400, "invalid_request", 50166, "Request to External OIDC endpoint failed.", corr);

/**
 * AADSTS7000272: the `kid` that signed the federated token is not in the issuer's JWKS (as reported in
 * azure-workload-identity issue #1232; not in the Learn table, not confirmed there).
 */
export const federatedKeyNotFound = (kid: string, issuer: string, corr?: string) =>
  aadsts(401, "invalid_client", 7000272, `The certificate with identifier ${kid} used to sign the federated credential could not be found in the metadata of identity provider ${issuer}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.`, corr);
