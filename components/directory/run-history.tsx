"use client";
import { useState } from "react";
import { describeSkipped } from "@/lib/dialog/labels";
import type { SyncRunSummary } from "@/lib/dialog/types";
import { formatCount, formatTime, plural } from "./format";
import { RunChangesList } from "./run-changes";

const outcomeWords: Record<SyncRunSummary["outcome"], string> = {
  running: "Running",
  synced: "Synced",
  needs_review: "Held for review",
  failed: "Failed",
  interrupted: "Interrupted",
  previewed: "Previewed",
};

const triggerWords: Record<string, string> = {
  selection: "ticked",
  manual: "Sync now",
  reread: "Full re-read",
  schedule: "scheduled",
  confirm: "confirmed",
  operator: "CLI",
};

const kindWords: Record<SyncRunSummary["kind"], string> = { full: "full pass", delta: "delta round" };

/**
 * A group's last runs: what each changed (+added, −removed) and whom it skipped, by reason. A run that synced
 * opens to its change list, address by address (with `seriesId`).
 */
export function RunHistory({ runs, labelledBy, seriesId }: { runs: SyncRunSummary[]; labelledBy: string; seriesId?: string }) {
  const [open, setOpen] = useState<string | null>(null);
  if (runs.length === 0) return <p className="text-sm text-slate-600">No runs yet.</p>;
  return (
    <ol aria-labelledby={labelledBy} className="space-y-1 text-sm">
      {runs.map((run) => (
        <li key={run.id} className="flex flex-wrap gap-x-3 gap-y-0.5">
          <span className="font-medium">{outcomeWords[run.outcome]}</span>
          <span className="text-slate-600">
            {formatTime(run.finishedAt ?? run.startedAt)} ({kindWords[run.kind] ?? "full pass"}, {triggerWords[run.trigger] ?? run.trigger})
          </span>
          {run.outcome === "needs_review" && run.review ? (
            // Nothing was applied (+0 −0 would hide why it stopped): what it would have done.
            <span className="text-orange-900">
              would remove {formatCount(run.review.wouldRemove)} of {formatCount(run.review.current)}
              {run.review.wouldAdd ? ` · would add ${formatCount(run.review.wouldAdd)}` : ""}
            </span>
          ) : (
            <span>
              <span className={run.added ? "text-green-800" : "text-slate-600"}>+{formatCount(run.added)} added</span> ·{" "}
              <span className={run.removed ? "text-red-800" : "text-slate-600"}>−{formatCount(run.removed)} removed</span>
            </span>
          )}
          {run.membersSeen ? <span className="text-slate-600">{plural(run.membersSeen, "member")} read</span> : null}
          {describeSkipped(run.skipped, formatCount) ? <span className="text-slate-600">skipped {describeSkipped(run.skipped, formatCount)}</span> : null}
          {run.error ? <span className="text-red-800">{run.error.title}</span> : null}
          {seriesId && run.outcome === "synced" ? (
            <button
              type="button"
              className="text-blue-700 underline hover:text-blue-900"
              aria-expanded={open === run.id}
              onClick={() => setOpen(open === run.id ? null : run.id)}
            >
              {open === run.id ? "Hide changes" : "Show changes"}
            </button>
          ) : null}
          {seriesId && open === run.id ? (
            <div className="basis-full">
              <RunChangesList seriesId={seriesId} runId={run.id} />
            </div>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
