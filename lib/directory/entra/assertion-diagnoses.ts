import type { CredentialContext } from "@/lib/directory/types";
import type { Diagnosis } from "./types";

export type { CredentialContext } from "@/lib/directory/types";

const FIC_PATH = "App registrations → your app → Certificates & secrets → Federated credentials";
const CERT_PATH = "App registrations → your app → Certificates & secrets → Certificates";
const AUDIENCE = "api://AzureADTokenExchange";

function ficValues(c: CredentialContext | undefined): string {
  return c?.issuer && c.subject ? `Issuer ${c.issuer}, Subject identifier ${c.subject}, Audience ${AUDIENCE}` : `the Issuer, Subject identifier and Audience (${AUDIENCE}) Roster shows`;
}

/**
 * Entra's refusals of a client assertion, by AADSTS code (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes;
 * the sandbox's aadsts.ts cites each source). Null for a code that is not about an assertion.
 */
export function assertionDiagnosis(code: string, details: string | undefined, c: CredentialContext | undefined): Diagnosis | null {
  switch (code) {
    case "70021":
      return {
        code: "federation_not_configured",
        title: "The app has no federated credential that trusts Roster",
        fix: `In ${FIC_PATH}, select “Add credential” → “Other issuer” and enter exactly: ${ficValues(c)}. Then verify again.`,
        details,
      };
    case "700211":
      return {
        code: "federation_issuer_mismatch",
        title: "The federated credential names another issuer than Roster",
        fix: `In ${FIC_PATH}, edit the credential so its Issuer is exactly ${c?.issuer ?? "the issuer Roster shows"} (no trailing slash, https). Then verify again.`,
        details,
      };
    case "700213":
      return {
        code: "federation_subject_mismatch",
        title: "The federated credential's subject is not this connection's",
        fix: `In ${FIC_PATH}, edit the credential so its Subject identifier is exactly ${c?.subject ?? "the subject Roster shows"}: each Roster connection has its own. Then verify again.`,
        details,
      };
    case "700212":
      return {
        code: "federation_audience_mismatch",
        title: `The federated credential's audience is not ${AUDIENCE}`,
        fix: `In ${FIC_PATH}, edit the credential so its Audience is ${AUDIENCE} (the default). Then verify again.`,
        details,
      };
    case "50166":
    case "90061":
      return {
        code: "federation_issuer_unreachable",
        title: "Entra ID could not read Roster's issuer documents",
        fix: `Entra ID fetches ${c?.issuer ?? "Roster's URL"}/.well-known/openid-configuration and its keys over HTTPS from the internet. Make Roster reachable there with a valid certificate (set NEXTAUTH_URL, or OIDC_ISSUER_URL, to that https URL), or use a certificate credential instead.`,
        details,
      };
    case "7000272":
      return {
        code: "federation_key_unknown",
        title: "Entra ID does not know the key Roster signed with",
        fix: `Check that ${c?.issuer ?? "Roster's URL"}/.well-known/jwks.json is reachable from the internet and lists Roster's current key. After a key rotation, keep the lead time (\`roster keys rotate-signing-key\`) so Entra sees the new key before Roster uses it.`,
        details,
      };
    case "700024":
      return {
        code: "assertion_time_invalid",
        title: "Entra ID found Roster's sign-in assertion outside its valid time",
        fix: "The clock of the server Roster runs on is off. Synchronize it (NTP), then verify again.",
        details,
      };
    case "700027":
    case "7000216":
      if (c?.kind === "certificate") {
        return /expired/i.test(details ?? "")
          ? { code: "certificate_expired", title: "The certificate registered in Azure has expired", fix: "Create a new certificate in Roster (“Rotate certificate”), upload it in Azure, and verify it.", details }
          : {
              code: "certificate_not_registered",
              title: "The app does not have Roster's certificate",
              fix: `Download the certificate from Roster and upload it in ${CERT_PATH} → “Upload certificate”; check that the thumbprint Azure shows is ${c.thumbprint ?? "the one Roster shows"}. Then verify again.`,
              details,
            };
      }
      if (c?.kind === "federated") {
        return { code: "federation_key_unknown", title: "Entra ID could not verify Roster's signature", fix: `Check that ${c.issuer ?? "Roster's URL"}/.well-known/jwks.json is reachable and current, then verify again.`, details };
      }
      return null;
    default:
      return null;
  }
}
