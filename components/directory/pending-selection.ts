"use client";
import { useCallback, useState } from "react";
import { plural } from "./format";

export interface SelectionChanges {
  toAdd: number;
  toRemove: number;
  /** The entire directory's box changed: true ticked, false unticked, null unchanged. */
  entire: boolean | null;
}

/** "2 groups to add · 1 group to remove", or with `done`, "2 groups queued to sync; 1 group removed from the audience". */
export function describeChanges(c: SelectionChanges, done = false): string {
  const parts = done
    ? [
        c.toAdd ? `${plural(c.toAdd, "group")} queued to sync` : "",
        c.toRemove ? `${plural(c.toRemove, "group")} removed from the audience` : "",
        c.entire === null ? "" : c.entire ? "entire directory queued to sync" : "entire directory removed",
      ]
    : [
        c.toAdd ? `${plural(c.toAdd, "group")} to add` : "",
        c.toRemove ? `${plural(c.toRemove, "group")} to remove` : "",
        c.entire === null ? "" : c.entire ? "entire directory to add" : "entire directory to remove",
      ];
  const text = parts.filter(Boolean).join(done ? "; " : " · ");
  return done && text ? `${text[0].toUpperCase()}${text.slice(1)}.` : text;
}

/**
 * The editor's unsaved ticks and unticks over the saved selection. Ticking back to the saved value drops the
 * change, so "Update audience" sends only real differences and the summary counts only those.
 */
export function usePendingSelection(saved: Set<string>, savedEntire: boolean) {
  const [pending, setPending] = useState<Map<string, boolean>>(new Map());
  const [entirePending, setEntirePending] = useState<boolean | null>(null);

  const toggle = useCallback(
    (groupId: string, ticked: boolean) =>
      setPending((prev) => {
        const next = new Map(prev);
        if (ticked === saved.has(groupId)) next.delete(groupId);
        else next.set(groupId, ticked);
        return next;
      }),
    [saved],
  );
  const toAdd = [...pending.values()].filter(Boolean).length;
  const entire = entirePending !== null && entirePending !== savedEntire ? entirePending : null;
  const changes: SelectionChanges = { toAdd, toRemove: pending.size - toAdd, entire };

  return {
    changes,
    hasChanges: pending.size > 0 || entire !== null,
    isTicked: (groupId: string) => pending.get(groupId) ?? saved.has(groupId),
    pendingTick: (groupId: string) => pending.get(groupId) ?? null,
    toggle,
    entireTicked: entirePending ?? savedEntire,
    setEntire: (ticked: boolean) => setEntirePending(ticked === savedEntire ? null : ticked),
    /** Every group that should be ticked once the changes apply. */
    desiredGroupIds: () => {
      const desired = new Set(saved);
      for (const [id, on] of pending) {
        if (on) desired.add(id);
        else desired.delete(id);
      }
      return [...desired];
    },
    /** Saved groups the editor unticked: what "Update audience" would release. */
    untickedGroupIds: () => [...pending].filter(([, on]) => !on).map(([id]) => id),
    reset: () => {
      setPending(new Map());
      setEntirePending(null);
    },
    /** The unsaved changes as they are now, to put back with `restore` if applying them fails. */
    snapshot: () => ({ pending: new Map(pending), entire: entirePending }),
    restore: (s: { pending: Map<string, boolean>; entire: boolean | null }) => {
      setPending(s.pending);
      setEntirePending(s.entire);
    },
  };
}
