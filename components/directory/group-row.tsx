"use client";
import * as Checkbox from "@radix-ui/react-checkbox";
import { kindLabel } from "@/lib/dialog/labels";
import type { DirectoryGroupRow, SourceStateView } from "@/lib/dialog/types";
import { contactsNotSynced, GroupStatus } from "./group-status";
import { isPendingSource } from "./optimistic";
import { PreviewResult } from "./preview-result";
import { RunHistory } from "./run-history";
import { StateBadge } from "./state-badge";

export interface GroupRowProps {
  seriesId: string;
  group: DirectoryGroupRow;
  /** The live state of this group's source in the series, when it has one. */
  source?: SourceStateView;
  /** What the checkbox shows: the saved selection with the editor's unsaved change applied. */
  ticked: boolean;
  /** The editor's unsaved change for this group, if any. */
  pendingTick: boolean | null;
  previewJobId?: string;
  expanded: boolean;
  busy: boolean;
  /** The connection's "Sync contacts": when off, the contacts of a distribution list are left out. */
  syncContacts: boolean;
  onTickedChange(group: DirectoryGroupRow, ticked: boolean): void;
  onSyncNow(source: SourceStateView): void;
  /** The second choice, for support: the group's members listed whole again. */
  onFullReread(source: SourceStateView): void;
  onConfirmReview(source: SourceStateView): void;
  onPreview(group: DirectoryGroupRow): void;
  onToggleExpanded(groupId: string): void;
}

const button =
  "rounded border border-slate-300 bg-white px-2 py-1 text-sm font-medium text-slate-800 hover:bg-slate-50 aria-disabled:cursor-wait aria-disabled:opacity-60";

export function GroupRow(props: GroupRowProps) {
  const { group, source, ticked, pendingTick } = props;
  const nameId = `group-${group.id}-name`;
  const historyId = `group-${group.id}-history`;
  const descriptionId = `group-${group.id}-description`;
  const state = source?.selected ? source.state : group.selected ? group.state : "not_synced";
  const savedSelected = Boolean(source?.selected ?? group.selected);
  // "Sync now" stays while a sync is queued or running (pressing it joins that run), so focus never drops.
  const canSyncNow = savedSelected && pendingTick === null;
  const canPreview = !savedSelected && !group.deleted && state === "not_synced";
  // A group ticked a moment ago has no source on the server yet: its buttons wait for it.
  const busy = props.busy || (source ? isPendingSource(source) : false);
  // The row's error already says the group was deleted (with what to do); say it once.
  const deletedSaidByError = state === "error" && source?.lastError?.code === "group_deleted";
  const contactsNote = state === "synced" && source ? contactsNotSynced(group.kind, props.syncContacts, source.skipped) : null;

  return (
    <div className="flex gap-3 border-b border-slate-200 px-3 py-2" data-group-id={group.id}>
      <div className="pt-0.5">
        <Checkbox.Root
          checked={ticked}
          onCheckedChange={(value) => props.onTickedChange(group, value === true)}
          aria-label={`Sync ${group.displayName} to audience`}
          aria-describedby={descriptionId}
          className="flex size-5 items-center justify-center rounded border border-slate-400 bg-white data-[state=checked]:border-blue-700 data-[state=checked]:bg-blue-700"
        >
          <Checkbox.Indicator className="text-white">
            <svg viewBox="0 0 16 16" className="size-4" aria-hidden>
              <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" strokeWidth="2" />
            </svg>
          </Checkbox.Indicator>
        </Checkbox.Root>
      </div>
      <div className="min-w-0 flex-1 space-y-1">
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <span id={nameId} className="font-medium break-words">
            {group.displayName}
          </span>
          <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-700">{kindLabel[group.kind]}</span>
          <StateBadge state={state} />
        </div>
        <div id={descriptionId} className="space-y-1">
          {group.mail ? <p className="truncate text-sm text-slate-600">{group.mail}</p> : null}
          {group.deleted && !deletedSaidByError ? (
            <p className="text-sm text-red-900">This group was deleted in Azure. Untick it to remove its members.</p>
          ) : null}
          <GroupStatus state={state} source={source} pendingTick={pendingTick} />
          {contactsNote ? <p className="text-sm text-slate-600">{contactsNote}</p> : null}
        </div>
        {props.previewJobId && !savedSelected ? <PreviewResult seriesId={props.seriesId} jobId={props.previewJobId} /> : null}
        {props.expanded && source ? (
          <section className="rounded bg-slate-50 p-2">
            <h4 id={historyId} className="text-sm font-semibold">
              Last runs
            </h4>
            <RunHistory runs={source.lastRuns} labelledBy={historyId} seriesId={props.seriesId} />
          </section>
        ) : null}
      </div>
      <div className="flex shrink-0 flex-col items-stretch gap-1 sm:flex-row sm:items-start">
        {state === "needs_review" && source ? (
          <button type="button" className={button} aria-disabled={busy} aria-describedby={nameId} onClick={() => !busy && props.onConfirmReview(source)}>
            Confirm removals
          </button>
        ) : null}
        {canSyncNow && source ? (
          <button type="button" className={button} aria-disabled={busy} aria-describedby={nameId} onClick={() => !busy && props.onSyncNow(source)}>
            Sync now
          </button>
        ) : null}
        {canSyncNow && source && state === "synced" ? (
          <button type="button" className={button} aria-disabled={busy} aria-describedby={nameId} onClick={() => !busy && props.onFullReread(source)}>
            Full re-read
          </button>
        ) : null}
        {canPreview ? (
          <button type="button" className={button} aria-disabled={busy} aria-describedby={nameId} onClick={() => !busy && props.onPreview(group)}>
            Preview
          </button>
        ) : null}
        {source && source.lastRuns.length > 0 ? (
          <button
            type="button"
            className={button}
            aria-expanded={props.expanded}
            aria-describedby={nameId}
            onClick={() => props.onToggleExpanded(group.id)}
          >
            {props.expanded ? "Hide runs" : "Runs"}
          </button>
        ) : null}
      </div>
    </div>
  );
}
