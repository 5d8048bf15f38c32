import { openIdConfiguration, rosterIssuer } from "@/lib/identity-keys/issuer";

/**
 * Roster's OIDC discovery document, read by Entra ID for federated credentials. Public by design: it names the
 * issuer and where its public keys are, nothing else.
 */
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json(openIdConfiguration(rosterIssuer()), { headers: { "cache-control": "public, max-age=300" } });
}
