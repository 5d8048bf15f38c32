import "server-only";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { directoryDeltaStates } from "@/db/schema";
import type { DeltaCursor } from "@/lib/directory/types";
import { MembershipGraph, type GraphOptions } from "@/lib/directory/membership-graph";
import { logError } from "@/lib/log";

/**
 * A connection's incremental-sync state in the database: its membership graph (a deflated snapshot) and the
 * delta links its next round starts from. Saved by the caller inside the transaction that applies the round's
 * audience changes, so a round that fails leaves the previous state (and token) in place.
 */
export interface DeltaState {
  graph: MembershipGraph;
  cursor: DeltaCursor;
  lastDeltaAt: Date | null;
  lastFullAt: Date;
  lastFullDrift: number | null;
  graphBytes: number;
}

export async function loadDeltaState(db: Executor, connectionId: string, options: GraphOptions): Promise<DeltaState | null> {
  const [row] = await db.select().from(directoryDeltaStates).where(eq(directoryDeltaStates.connectionId, connectionId));
  if (!row) return null;
  let graph: MembershipGraph;
  try {
    graph = MembershipGraph.fromSnapshot(row.graph, options);
  } catch (error) {
    // A snapshot this version cannot read (an older format, or damaged): as if there were none, so the caller
    // runs the full pass that seeds the graph and a new cursor, instead of failing every round.
    logError("delta state unreadable; the next full pass seeds it again", error);
    return null;
  }
  return {
    graph,
    cursor: row.cursor as DeltaCursor,
    lastDeltaAt: row.lastDeltaAt,
    lastFullAt: row.lastFullAt,
    lastFullDrift: row.lastFullDrift,
    graphBytes: row.graphBytes,
  };
}

/** After a delta round (`kind: "delta"`) or a full pass that seeded the graph again (`"full"`, with its drift). */
export async function saveDeltaState(
  db: Executor,
  connectionId: string,
  input: { graph: MembershipGraph; cursor: DeltaCursor; kind: "delta" | "full"; drift?: number; at?: Date },
): Promise<{ graphBytes: number }> {
  const at = input.at ?? new Date();
  const graph = input.graph.toSnapshot();
  const common = { cursor: input.cursor, graph, graphBytes: graph.length, updatedAt: at };
  const byKind = input.kind === "full" ? { lastFullAt: at, lastFullDrift: input.drift ?? null } : { lastDeltaAt: at };
  await db
    .insert(directoryDeltaStates)
    .values({ connectionId, ...common, lastFullAt: at, ...byKind })
    .onConflictDoUpdate({ target: directoryDeltaStates.connectionId, set: { ...common, ...byKind } });
  return { graphBytes: graph.length };
}

/** Forgets the state (the connection's selection changed shape, or Graph asked for a resync). */
export async function clearDeltaState(db: Executor, connectionId: string): Promise<void> {
  await db.delete(directoryDeltaStates).where(eq(directoryDeltaStates.connectionId, connectionId));
}
