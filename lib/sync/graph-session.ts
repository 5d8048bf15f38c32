import "server-only";
import type { Executor } from "@/db/client";
import type { GraphSession } from "@/lib/directory/entra/types";
import { defaultRetryPolicy, type RetryPolicy } from "@/lib/directory/entra/retry";

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

export type OpenGraphSession = (db: Executor, input: OpenGraphInput) => Promise<GraphSession>;

export const openConnectionGraph: OpenGraphSession = async (db, input) => {
  const { graphForConnection } = await import("@/lib/connections/graph-access");
  const maxRetryAfterMs = Math.min(defaultRetryPolicy.maxRetryAfterMs, Math.max(0, input.maxRetryAfterMs ?? Infinity));
  const { graph } = await graphForConnection(db, input.connectionId, {
    retryPolicy: { ...defaultRetryPolicy, ...input.retryPolicy, maxRetryAfterMs },
    ...(input.background ? { priority: "low" as const } : {}),
  });
  return graph;
};
