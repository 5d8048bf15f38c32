import "server-only";
/**
 * The sync engine's verbs in one place, for server actions, route handlers and the CLI. Each verb that takes
 * an actor authorizes itself (editor or admin of the series' organization, connection serving it);
 * runQueuedWork and scheduleDue are the system's own (cron, CLI, `after()`), and take no actor.
 */
export { updateSelection, type SelectionInput } from "./selection";
export { requestSync, requestPreview, confirmReview, applyReviewedSet, syncNow, requestFullReread, type SyncNowResult } from "./requests";
export { sourceStates } from "./states";
export { runQueuedWork, seriesWorkToKick, type RunQueuedWorkOptions, type WorkSummary, type WorkEvent } from "./worker";
export { scheduleDue } from "./schedule";
