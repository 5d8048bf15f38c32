import "server-only";
import type { Executor } from "@/db/client";
import type { DirectorySession } from "@/lib/directory/provider";
import type { RetryPolicy } from "@/lib/directory/types";

/**
 * How the worker reaches a connection's tenant. A seam rather than a direct call so the worker can bound how
 * long one Retry-After may make it sleep (its time budget sees every wait) and so tests can count sessions.
 */
export interface OpenGraphInput {
  connectionId: string;
  /** Longest Retry-After this session waits out in-process; longer pauses send the job back to the queue. */
  maxRetryAfterMs?: number;
  /** Work nobody waits for (the weekly refresh): Graph is told it is low priority, so it is throttled first. */
  background?: boolean;
  /** Overrides of the retry policy's backoff (tests shorten it); maxRetryAfterMs above still bounds waits. */
  retryPolicy?: Partial<Omit<RetryPolicy, "maxRetryAfterMs">>;
}

/** Opens a session on a connection's directory, through its provider (lib/directory/provider.ts). */
export type OpenGraphSession = (db: Executor, input: OpenGraphInput) => Promise<DirectorySession>;

export const openConnectionGraph: OpenGraphSession = async (db, input) => {
  const { graphForConnection } = await import("@/lib/connections/graph-access");
  const { graph } = await graphForConnection(db, input.connectionId, ({ defaultRetryPolicy }) => {
    const maxRetryAfterMs = Math.min(defaultRetryPolicy.maxRetryAfterMs, Math.max(0, input.maxRetryAfterMs ?? Infinity));
    return {
      retryPolicy: { ...defaultRetryPolicy, ...input.retryPolicy, maxRetryAfterMs },
      ...(input.background ? { priority: "low" as const } : {}),
    };
  });
  return graph;
};
