import type { RetryPolicy } from "@/lib/directory/types";
import type { GraphRequestError } from "./errors";

/**
 * Roster's one retry policy for Graph (the SDK's own RetryHandler is left out of the middleware chain so that
 * retries never multiply). Throttling answers (429/503/504) wait what Retry-After asks; other transient
 * failures (500/502, no response, a body that broke off, stalled or is not JSON) back off exponentially with
 * full jitter; attempts are bounded.
 */
export type { RetryPolicy } from "@/lib/directory/types";

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 400,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 120_000,
};

const THROTTLING = new Set([429, 503, 504]);
const TRANSIENT = new Set([0, 500, 502]);
/**
 * A 2xx whose body broke off, stalled or was not JSON: the same page is asked for again, within the same
 * budget as a failed status (readListPage and the session's idle timer raise these).
 */
const BROKEN_BODY = new Set(["network_error", "timeout", "invalid_response"]);

/** Whether the policy retries this failure at all (attempts and Retry-After aside). */
export function isTransient(error: GraphRequestError): boolean {
  return THROTTLING.has(error.status) || TRANSIENT.has(error.status) || BROKEN_BODY.has(error.code);
}

export function isThrottling(status: number): boolean {
  return THROTTLING.has(status);
}

/**
 * How long to wait before attempt `attempt + 1`, or null when the failure is final (not retryable, attempts
 * used up, or a Retry-After beyond what this process should sleep through).
 */
export function retryDelayMs(error: GraphRequestError, attempt: number, policy: RetryPolicy = defaultRetryPolicy, random = Math.random): number | null {
  if (attempt >= policy.maxAttempts) return null;
  if (!isTransient(error)) return null;
  if (THROTTLING.has(error.status) && error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= policy.maxRetryAfterMs ? error.retryAfterMs : null;
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Full jitter: concurrent workers that failed together do not retry together.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
