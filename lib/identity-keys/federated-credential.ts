import "server-only";
import type { Executor } from "@/db/client";
import type { AssertionCredentialConfig } from "@/lib/directory/types";
import { signClientAssertion } from "./assertion";
import { federationSubject, rosterIssuer } from "./issuer";
import { currentSigningKey } from "./signing-keys";

/**
 * A connection's federated credential: every token request gets a new assertion signed with the key that signs
 * now (a rotation takes effect on the next request, with no restart). Nothing here is stored per connection.
 */
export function federatedCredentialConfig(db: Executor, connectionId: string, issuer = rosterIssuer()): AssertionCredentialConfig {
  const subject = federationSubject(connectionId);
  return {
    kind: "federated",
    issuer,
    subject,
    async getAssertion() {
      const key = await currentSigningKey(db);
      return signClientAssertion({ issuer, subject, kid: key.kid, privateKey: key.privateKey });
    },
  };
}
