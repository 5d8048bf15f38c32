"use client";
import { buttonClasses } from "@/components/ui/button";
import type { ConnectionSummary, SourceStateView } from "@/lib/dialog/types";
import { EntireDirectory } from "./entire-directory";
import { describeChanges, type usePendingSelection } from "./pending-selection";

/**
 * "Sync entire directory" and "Update audience" with a summary of what it will apply. The button stays
 * focusable when there is nothing to apply (aria-disabled) so that focus is not lost after an update.
 */
export function UpdateFooter({
  connection,
  entireDirectory,
  selection,
  updating,
  onUpdate,
  onSyncNow,
  onConfirmReview,
}: {
  connection: ConnectionSummary;
  entireDirectory: SourceStateView | null;
  selection: ReturnType<typeof usePendingSelection>;
  updating: boolean;
  onUpdate(): void;
  onSyncNow(source: SourceStateView): void;
  onConfirmReview(source: SourceStateView): void;
}) {
  return (
    <div className="flex flex-col gap-3 border-t border-slate-200 pt-3 sm:flex-row sm:items-end sm:justify-between">
      <EntireDirectory
        connection={connection}
        source={entireDirectory}
        ticked={selection.entireTicked}
        pendingTick={selection.changes.entire}
        onChange={selection.setEntire}
        onSyncNow={onSyncNow}
        onConfirmReview={onConfirmReview}
      />
      <div className="flex flex-col items-stretch gap-2 sm:items-end">
        <p className="text-sm text-slate-700" aria-live="polite">
          {selection.hasChanges ? describeChanges(selection.changes) : "No unsaved changes"}
        </p>
        <button
          type="button"
          className={buttonClasses("primary")}
          aria-disabled={!selection.hasChanges || updating}
          onClick={() => (updating ? undefined : onUpdate())}
        >
          {updating ? "Updating…" : "Update audience"}
        </button>
      </div>
    </div>
  );
}
