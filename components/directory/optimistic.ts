/**
 * What the dialog shows the moment an editor acts, before the server has answered: the overview as it will
 * be once the request is accepted. Pure functions over the overview, so they can be tested without a browser;
 * the server's next answer replaces them (the mutation invalidates the overview when it settles).
 */
import type { DirectoryOverview, SourceStateView } from "@/lib/dialog/types";

/** Sources the dialog made up for a group ticked for the first time, until the server names the real one. */
export const PENDING_SOURCE_PREFIX = "pending:";

export const isPendingSource = (source: SourceStateView) => source.sourceId.startsWith(PENDING_SOURCE_PREFIX);

function placeholderSource(kind: SourceStateView["kind"], groupId: string | null, label: string): SourceStateView {
  return {
    sourceId: `${PENDING_SOURCE_PREFIX}${groupId ?? "entire-directory"}`,
    groupId,
    kind,
    label,
    selected: true,
    state: "queued",
    progress: null,
    retry: null,
    memberCount: 0,
    skipped: {},
    lastSyncedAt: null,
    lastGoodSyncAt: null,
    lastError: null,
    review: null,
    lastRuns: [],
  };
}

const queued = (s: SourceStateView): SourceStateView => ({ ...s, selected: true, state: "queued", progress: null, retry: null, review: null });
const unticked = (s: SourceStateView): SourceStateView => ({ ...s, selected: false, state: "not_synced", progress: null, retry: null, review: null });

const isActive = (s: SourceStateView | null) => s?.state === "queued" || s?.state === "syncing";

function withActivity(o: DirectoryOverview): DirectoryOverview {
  return { ...o, anyActive: o.sources.some(isActive) || isActive(o.entireDirectory) };
}

/**
 * "Update audience": every newly ticked group is Queued and ticked, every unticked one Not synced; groups
 * that stay ticked keep their state (the server does not sync them again).
 */
export function applySelection(
  o: DirectoryOverview,
  input: { groupIds: string[]; entireDirectory: boolean; labelOf(groupId: string): string },
): DirectoryOverview {
  const desired = new Set(input.groupIds);
  const before = new Set(o.selectedGroupIds);
  const sources = o.sources.map((s) => {
    if (!s.groupId) return s;
    if (desired.has(s.groupId) && !before.has(s.groupId)) return queued(s);
    if (!desired.has(s.groupId) && s.selected) return unticked(s);
    return s;
  });
  const known = new Set(sources.map((s) => s.groupId));
  for (const id of desired) if (!known.has(id)) sources.push(placeholderSource("directory_group", id, input.labelOf(id)));
  let entire = o.entireDirectory;
  const entireWas = Boolean(entire?.selected);
  if (input.entireDirectory && !entireWas) entire = entire ? queued(entire) : placeholderSource("directory_all", null, "Entire directory");
  if (!input.entireDirectory && entire?.selected) entire = unticked(entire);
  return withActivity({ ...o, sources, entireDirectory: entire, selectedGroupIds: [...desired] });
}

/** "Sync now" (or "Confirm removals"): the source is Queued at once, whatever it showed before (Error included). */
export function applyQueued(o: DirectoryOverview, sourceId: string): DirectoryOverview {
  const sources = o.sources.map((s) => (s.sourceId === sourceId ? queued(s) : s));
  const entire = o.entireDirectory?.sourceId === sourceId ? queued(o.entireDirectory) : o.entireDirectory;
  return withActivity({ ...o, sources, entireDirectory: entire });
}
