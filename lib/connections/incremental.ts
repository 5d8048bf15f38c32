import "server-only";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { directoryDeltaStates } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { asUser, requireConnectionAdmin } from "./access";

/** What the connection page shows of incremental sync (docs/adr/0012-incremental-sync-membership-graph.md). */
export interface IncrementalSyncView {
  lastDeltaAt: string | null;
  lastFullAt: string;
  /** Addresses the last reconcile found that delta rounds had missed (should be 0); null when it was not one. */
  lastFullDrift: number | null;
}

/** The connection's incremental state, for its admins; null before its first full pass. */
export async function connectionIncrementalSync(db: Executor, actor: Actor | null, connectionId: string): Promise<IncrementalSyncView | null> {
  const { row } = await requireConnectionAdmin(db, asUser(actor), connectionId);
  const [state] = await db
    .select({ lastDeltaAt: directoryDeltaStates.lastDeltaAt, lastFullAt: directoryDeltaStates.lastFullAt, lastFullDrift: directoryDeltaStates.lastFullDrift })
    .from(directoryDeltaStates)
    .where(eq(directoryDeltaStates.connectionId, row.id));
  if (!state) return null;
  return { lastDeltaAt: state.lastDeltaAt?.toISOString() ?? null, lastFullAt: state.lastFullAt.toISOString(), lastFullDrift: state.lastFullDrift };
}
