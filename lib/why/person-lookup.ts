import "server-only";
import type { Executor } from "@/db/client";
import type { PersonLookup } from "@/lib/why/audience";
import { graphForConnection } from "@/lib/connections/graph-for-connection";
import { providerForConnection } from "@/lib/directory/registry";
import type { Diagnosis } from "@/lib/directory/types";

/** A failed lookup, diagnosed by the provider of the connection it asked. */
class PersonLookupFailure extends Error {
  constructor(readonly diagnosis: Diagnosis) {
    super(diagnosis.title);
    this.name = "PersonLookupFailure";
  }
}

/** The live directory lookup behind "why is or isn't this person here?", through the connection's session. */
export const personLookupThroughConnections: PersonLookup = {
  async findPerson(db: Executor, connectionId: string, email: string) {
    const { graph, provider } = await graphForConnection(db, connectionId);
    try {
      return await graph.findPerson(email);
    } catch (error) {
      throw new PersonLookupFailure(provider.diagnose(error));
    }
  },
  describeError(error: unknown) {
    // A failure before the directory was asked (the connection could not be opened) has no provider yet.
    const d = error instanceof PersonLookupFailure ? error.diagnosis : providerForConnection(null).diagnose(error);
    return d.fix ? `${d.title}. ${d.fix}` : d.title;
  },
};
