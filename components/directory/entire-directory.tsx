"use client";
import * as Checkbox from "@radix-ui/react-checkbox";
import { buttonClasses } from "@/components/ui/button";
import type { ConnectionSummary, SourceStateView } from "@/lib/dialog/types";
import { GroupStatus } from "./group-status";
import { StateBadge } from "./state-badge";

/**
 * "Sync entire directory". Unavailable (and saying why) when an admin limited the connection to selected
 * Group Object IDs: the app then may read only those groups, so "everyone" cannot be enumerated.
 */
export function EntireDirectory({
  connection,
  source,
  ticked,
  pendingTick,
  onChange,
  onSyncNow,
  onConfirmReview,
}: {
  connection: ConnectionSummary;
  source: SourceStateView | null;
  ticked: boolean;
  pendingTick: boolean | null;
  onChange(ticked: boolean): void;
  onSyncNow(source: SourceStateView): void;
  onConfirmReview(source: SourceStateView): void;
}) {
  const unavailable = connection.limitedToSelectedGroups;
  const reasonId = "entire-directory-reason";
  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-center gap-2">
        <Checkbox.Root
          id="sync-entire-directory"
          checked={ticked}
          disabled={unavailable}
          onCheckedChange={(v) => onChange(v === true)}
          aria-describedby={unavailable ? reasonId : undefined}
          className="flex size-5 items-center justify-center rounded border border-slate-400 bg-white disabled:cursor-not-allowed disabled:bg-slate-100 data-[state=checked]:border-blue-700 data-[state=checked]:bg-blue-700"
        >
          <Checkbox.Indicator className="text-white">
            <svg viewBox="0 0 16 16" className="size-4" aria-hidden>
              <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" strokeWidth="2" />
            </svg>
          </Checkbox.Indicator>
        </Checkbox.Root>
        <label htmlFor="sync-entire-directory" className={`text-sm font-medium ${unavailable ? "text-slate-500" : ""}`}>
          Sync entire directory
        </label>
        {source?.selected ? <StateBadge state={source.state} /> : null}
        {source?.selected && pendingTick === null ? (
          <button type="button" className={buttonClasses("secondary", "px-2 py-1")} onClick={() => onSyncNow(source)}>
            Sync now
          </button>
        ) : null}
        {source?.selected && source.state === "needs_review" ? (
          <button type="button" className={buttonClasses("secondary", "px-2 py-1")} onClick={() => onConfirmReview(source)}>
            Confirm removals
          </button>
        ) : null}
      </div>
      {unavailable ? (
        <p id={reasonId} className="text-sm text-slate-600">
          Not available: this connection is limited to selected Group Object IDs, so Roster may read only those groups. Tick the groups
          instead, or ask an admin to remove the limit.
        </p>
      ) : source ? (
        <GroupStatus state={source.selected ? source.state : "not_synced"} source={source} pendingTick={pendingTick} />
      ) : pendingTick ? (
        <GroupStatus state="not_synced" pendingTick={pendingTick} />
      ) : null}
    </div>
  );
}
