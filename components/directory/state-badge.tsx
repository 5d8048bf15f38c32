import { stateLabel } from "@/lib/dialog/labels";
import type { SyncState } from "@/lib/dialog/types";

const tone: Record<SyncState, string> = {
  not_synced: "bg-slate-100 text-slate-700 ring-slate-300",
  queued: "bg-amber-50 text-amber-800 ring-amber-300",
  syncing: "bg-blue-50 text-blue-800 ring-blue-300",
  synced: "bg-green-50 text-green-800 ring-green-300",
  needs_review: "bg-orange-50 text-orange-800 ring-orange-400",
  error: "bg-red-50 text-red-800 ring-red-300",
};

/** The group's state in words (never colour alone). */
export function StateBadge({ state }: { state: SyncState }) {
  return (
    <span
      data-sync-state={state}
      className={`inline-flex shrink-0 items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${tone[state]}`}
    >
      {state === "syncing" ? <span aria-hidden className="size-2 animate-pulse rounded-full bg-blue-600" /> : null}
      {stateLabel[state]}
    </span>
  );
}
