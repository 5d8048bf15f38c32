"use client";
import { useEffect, useRef } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { DirectoryGroupRow, SourceStateView } from "@/lib/dialog/types";
import { GroupRow, type GroupRowProps } from "./group-row";
import { GroupRowSkeleton } from "./skeletons";

export interface GroupListProps {
  seriesId: string;
  /** Rows matching the search and filters; only the pages in view are loaded. */
  total: number;
  rowAt(index: number): DirectoryGroupRow | undefined;
  /** The rows are the previous search's while the new one loads (or the search box is still settling). */
  stale: boolean;
  /** Rows start..end are in view (with a margin): load their pages. */
  onRangeChange(start: number, end: number): void;
  sourcesByGroup: Map<string, SourceStateView>;
  isTicked(groupId: string): boolean;
  pendingTick(groupId: string): boolean | null;
  previews: Map<string, string>;
  expanded: Set<string>;
  busyGroupId: string | null;
  syncContacts: boolean;
  handlers: Pick<GroupRowProps, "onTickedChange" | "onSyncNow" | "onFullReread" | "onConfirmReview" | "onPreview" | "onToggleExpanded">;
}

/**
 * The catalog, virtualized: only the rows in view (plus a margin) are in the DOM, so thousands of groups
 * scroll smoothly; rows measure themselves because status lines wrap on narrow screens. Tabbing past the
 * last rendered row scrolls it into view and the list renders the next ones.
 */
export function GroupList(props: GroupListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const { total, rowAt, onRangeChange } = props;
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's functions are read during render only
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 64,
    overscan: 10,
    getItemKey: (index) => rowAt(index)?.id ?? `row-${index}`,
  });
  const items = virtualizer.getVirtualItems();
  const first = items.length > 0 ? items[0].index : 0;
  const last = items.length > 0 ? items[items.length - 1].index : 0;

  useEffect(() => {
    if (total > 0) onRangeChange(first, last);
  }, [first, last, total, onRangeChange]);

  return (
    <div ref={scrollRef} className="min-h-0 flex-1 overflow-auto rounded border border-slate-200" data-testid="group-list-scroll">
      <div
        role="list"
        aria-label="Directory groups"
        aria-busy={props.stale || undefined}
        className={`relative w-full transition-opacity ${props.stale ? "opacity-60" : ""}`}
        style={{ height: virtualizer.getTotalSize() }}
      >
        {items.map((item) => {
          const group = rowAt(item.index);
          return (
            <div
              key={item.key}
              role="listitem"
              aria-setsize={total}
              aria-posinset={item.index + 1}
              aria-busy={group ? undefined : true}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className="absolute left-0 top-0 w-full"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              {group ? (
                <GroupRow
                  seriesId={props.seriesId}
                  group={group}
                  source={props.sourcesByGroup.get(group.id)}
                  ticked={props.isTicked(group.id)}
                  pendingTick={props.pendingTick(group.id)}
                  previewJobId={props.previews.get(group.id)}
                  expanded={props.expanded.has(group.id)}
                  busy={props.busyGroupId === group.id}
                  syncContacts={props.syncContacts}
                  {...props.handlers}
                />
              ) : (
                <GroupRowSkeleton />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
