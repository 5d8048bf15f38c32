import "server-only";
import type { Executor } from "@/db/client";
import type { PersonLookup } from "@/lib/why/audience";
import { graphForConnection } from "@/lib/connections/graph-for-connection";
import { diagnose } from "@/lib/directory/entra/diagnose";
import { findDirectoryPerson } from "@/lib/directory/entra/person";

/** The live directory lookup behind "why is or isn't this person here?", through the connection's Graph session. */
export const personLookupThroughConnections: PersonLookup = {
  async findPerson(db: Executor, connectionId: string, email: string) {
    const { graph } = await graphForConnection(db, connectionId);
    return findDirectoryPerson(graph, email);
  },
  describeError(error: unknown) {
    const d = diagnose(error);
    return d.fix ? `${d.title}. ${d.fix}` : d.title;
  },
};
