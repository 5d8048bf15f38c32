/**
 * How long a job keeps trying after transient failures, in one place: the engine enforces it, the dialog tells
 * it ("Retrying at 10:42 (attempt 2 of 4)").
 *
 * A job whose directory reads keep failing transiently after the session's own retries goes back to the queue
 * this many times (its cursor and staging kept) before it fails; each wait is longer than the last.
 */
export const MAX_TRANSIENT_REQUEUES = 3;
/** The first requeue's wait; each next one doubles it (30 s, 60 s, 120 s). */
export const REQUEUE_BASE_MS = 30_000;
