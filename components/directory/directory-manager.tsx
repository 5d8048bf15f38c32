"use client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import {
  confirmDirectoryReview,
  previewDirectoryGroup,
  rereadDirectoryGroup,
  syncDirectoryGroupNow,
  updateAudienceFromDirectory,
} from "@/app/series/[seriesId]/audience/directory-actions";
import { Alert } from "@/components/ui/alert";
import type { ActionResult } from "@/lib/errors";
import type { DirectoryGroupRow, DirectoryOverview, SourceStateView } from "@/lib/dialog/types";
import { ConfirmRemovals, ConfirmUntick } from "./confirm-removals";
import { directoryKeys, useDirectoryOverview, useGroupCatalog } from "./directory-queries";
import { DirectorySkeleton, SkeletonBar } from "./skeletons";
import { applyQueued, applySelection, isPendingSource } from "./optimistic";
import { formatCount, plural } from "./format";
import { freshnessLine, syncNowNotice } from "@/lib/dialog/freshness";
import { GroupFilters, type GroupFilterValues } from "./group-filters";
import { GroupList } from "./group-list";
import { describeChanges, usePendingSelection } from "./pending-selection";
import { UpdateFooter } from "./update-footer";
import { useDebounced } from "./use-debounced";
import { finishedNotice, useSyncFinished } from "./use-sync-finished";

/** `whileActive`: the notice is about queued work and goes once that work has finished. */
type Notice = { tone: "error" | "info" | "success"; text: string; whileActive?: boolean } | null;

/** A server action's refusal, carried through react-query's error path. */
class ActionRefused extends Error {}

async function accepted<T>(result: Promise<ActionResult<T>>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new ActionRefused(r.error.message);
  return r.data;
}

/** Every source the dialog shows: the ticked groups and the entire directory. */
function allSources(data: DirectoryOverview | undefined): SourceStateView[] {
  return [...(data?.sources ?? []), ...(data?.entireDirectory ? [data.entireDirectory] : [])];
}

/** The dialog's body: directory picker, filters, the virtualized group list and the "Update audience" footer. */
export function DirectoryManager({ seriesId, searchRef }: { seriesId: string; searchRef: React.RefObject<HTMLInputElement | null> }) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const [chosenConnection, setChosenConnection] = useState<string | null>(null);
  const [filters, setFilters] = useState<GroupFilterValues>({ search: "", kind: "", state: "" });
  const search = useDebounced(filters.search.trim(), 250);
  const [previews, setPreviews] = useState<Map<string, string>>(new Map());
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [busyGroupId, setBusyGroupId] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [reviewing, setReviewing] = useState<SourceStateView | null>(null);
  /** Unticked sources waiting for the editor to see who leaves, and the selection to apply once confirmed. */
  const [unticking, setUnticking] = useState<{ sourceIds: string[]; labels: string[]; apply(): void } | null>(null);
  const [names, setNames] = useState<Map<string, string>>(new Map());

  const overview = useDirectoryOverview(seriesId, chosenConnection);
  const data = overview.data;
  const connectionId = chosenConnection ?? data?.connection?.id ?? null;
  const catalog = useGroupCatalog(seriesId, connectionId, { search, kind: filters.kind, state: filters.state });

  const sourcesByGroup = useMemo(() => {
    const map = new Map<string, SourceStateView>();
    for (const s of data?.sources ?? []) if (s.groupId) map.set(s.groupId, s);
    return map;
  }, [data?.sources]);
  const saved = useMemo(() => new Set(data?.selectedGroupIds ?? []), [data?.selectedGroupIds]);
  const selection = usePendingSelection(saved, data?.entireDirectory?.selected ?? false);

  const refreshAll = useCallback(() => queryClient.invalidateQueries({ queryKey: directoryKeys.all(seriesId) }), [queryClient, seriesId]);
  const overviewKey = directoryKeys.overview(seriesId, chosenConnection);

  /**
   * Each write shows its outcome at once (onMutate writes the overview as it will be), rolls back if the
   * server refuses, and reads the truth again when it settles. The button's "Updating…" lasts as long as the
   * request, not the syncs it queues.
   */
  function useDirectoryWrite<V, T>(write: (v: V) => Promise<ActionResult<T>>, optimistic: (o: DirectoryOverview, v: V) => DirectoryOverview) {
    return useMutation({
      mutationKey: directoryKeys.all(seriesId),
      mutationFn: (v: V) => accepted(write(v)),
      onMutate: async (v: V) => {
        await queryClient.cancelQueries({ queryKey: overviewKey });
        const previous = queryClient.getQueryData<DirectoryOverview>(overviewKey);
        if (previous) queryClient.setQueryData<DirectoryOverview>(overviewKey, optimistic(previous, v));
        return { previous };
      },
      onError: (error, _v, context) => {
        if (context?.previous) queryClient.setQueryData(overviewKey, context.previous);
        setNotice({ tone: "error", text: error instanceof ActionRefused ? error.message : "The request did not reach Roster. Please try again." });
      },
      onSettled: () => {
        void refreshAll();
        router.refresh();
      },
    });
  }

  const selectionWrite = useDirectoryWrite(
    (v: { groupIds: string[]; entireDirectory: boolean; connectionId: string }) => updateAudienceFromDirectory({ seriesId, ...v }),
    (o, v) => applySelection(o, { ...v, labelOf: (id) => names.get(id) ?? "" }),
  );
  const syncNowWrite = useDirectoryWrite((v: { sourceId: string }) => syncDirectoryGroupNow({ seriesId, ...v }), (o, v) => applyQueued(o, v.sourceId));
  const rereadWrite = useDirectoryWrite((v: { sourceId: string }) => rereadDirectoryGroup({ seriesId, ...v }), (o, v) => applyQueued(o, v.sourceId));
  const confirmWrite = useDirectoryWrite((v: { sourceId: string }) => confirmDirectoryReview({ seriesId, ...v }), (o, v) => applyQueued(o, v.sourceId));
  const updating = selectionWrite.isPending;

  // When the last queued or running sync finishes: refresh the list (its state filter) and the page behind
  // the dialog (its recipient count and table are server-rendered), and say how it went. The notices about
  // queued work give way to that.
  useSyncFinished(data?.anyActive ?? false, () => {
    void queryClient.invalidateQueries({ queryKey: [...directoryKeys.all(seriesId), "groups"] });
    router.refresh();
    setNotice(finishedNotice(allSources(data)));
  });
  // A notice about queued work also gives way to how it went when the server reports nothing active any more,
  // even if the dialog never saw the work running (it may have finished between two answers, or a poll read
  // before the write committed may have ended the "active" the dialog was showing).
  const idle = !overview.isFetching && !updating && data?.anyActive === false;
  const shownNotice = notice?.whileActive && idle ? finishedNotice(allSources(data)) : notice;

  // Once the search box exists, it takes the focus the dialog held while loading (not if the editor moved on).
  const searchFocused = useRef(false);
  const hasConnection = Boolean(data?.connection);
  useEffect(() => {
    if (searchFocused.current || !hasConnection) return;
    searchFocused.current = true;
    const active = document.activeElement;
    if (!active || active === document.body || active.getAttribute("role") === "dialog") searchRef.current?.focus();
  }, [hasConnection, searchRef]);

  async function runRowAction<T>(groupId: string, action: () => Promise<ActionResult<T>>, success: (data: T) => string) {
    setBusyGroupId(groupId);
    try {
      const result = await action();
      if (result.ok) setNotice({ tone: "info", text: success(result.data) });
      else setNotice({ tone: "error", text: result.error.message });
    } finally {
      setBusyGroupId(null);
    }
  }

  const handlers = {
    onTickedChange: (group: DirectoryGroupRow, ticked: boolean) => {
      setNames((prev) => (prev.get(group.id) === group.displayName ? prev : new Map(prev).set(group.id, group.displayName)));
      selection.toggle(group.id, ticked);
    },
    onSyncNow: (source: SourceStateView) => {
      if (isPendingSource(source)) return;
      syncNowWrite.mutate(
        { sourceId: source.sourceId },
        {
          onSuccess: (result) =>
            setNotice(
              result.kind === "queued"
                ? { tone: "info", text: `“${source.label}” is queued to sync now.`, whileActive: true }
                : { tone: result.outcome === "needs_review" ? "info" : "success", text: syncNowNotice(source.label, result) },
            ),
        },
      );
    },
    onFullReread: (source: SourceStateView) => {
      if (isPendingSource(source)) return;
      rereadWrite.mutate(
        { sourceId: source.sourceId },
        { onSuccess: () => setNotice({ tone: "info", text: `“${source.label}” is queued for a full re-read.`, whileActive: true }) },
      );
    },
    onConfirmReview: (source: SourceStateView) => {
      if (!isPendingSource(source)) setReviewing(source);
    },
    onPreview: (group: DirectoryGroupRow) =>
      void runRowAction(
        group.id,
        () => previewDirectoryGroup({ seriesId, groupId: group.id }),
        (d) => {
          setPreviews((prev) => new Map(prev).set(group.id, d.jobId));
          return `Previewing “${group.displayName}”; the audience does not change.`;
        },
      ),
    onToggleExpanded: (groupId: string) =>
      setExpanded((prev) => {
        const next = new Set(prev);
        if (!next.delete(groupId)) next.add(groupId);
        return next;
      }),
  };

  function confirmRemovals(source: SourceStateView) {
    setReviewing(null);
    confirmWrite.mutate(
      { sourceId: source.sourceId },
      { onSuccess: () => setNotice({ tone: "info", text: `Removals confirmed for “${source.label}”: the audience is updated.` }) },
    );
  }

  function updateAudience() {
    if (!connectionId) return;
    if (!selection.hasChanges) {
      setNotice({ tone: "info", text: "Nothing to update: tick or untick a group first." });
      return;
    }
    const changes = selection.changes;
    const pending = selection.snapshot();
    const input = { connectionId, groupIds: selection.desiredGroupIds(), entireDirectory: selection.entireTicked };
    const apply = () => {
      // The ticks become the saved selection at once (the optimistic overview carries them); a refusal puts
      // them back as unsaved changes.
      selection.reset();
      selectionWrite.mutate(input, {
        onSuccess: () => setNotice({ tone: "info", text: describeChanges(changes, true), whileActive: changes.toAdd > 0 || changes.entire === true }),
        onError: () => selection.restore(pending),
      });
    };
    // Unticking removes recipients: the editor sees how many and who before it applies.
    const leaving = [
      ...selection.untickedGroupIds().flatMap((id) => {
        const source = sourcesByGroup.get(id);
        return source ? [source] : [];
      }),
      ...(changes.entire === false && data?.entireDirectory ? [data.entireDirectory] : []),
    ];
    if (leaving.length === 0) apply();
    else setUnticking({ sourceIds: leaving.map((s) => s.sourceId), labels: leaving.map((s) => s.label), apply });
  }

  if (overview.isPending) return <DirectorySkeleton />;
  if (overview.isError && !data) return <Alert tone="error">The directory could not be loaded: {overview.error.message}</Alert>;
  if (!data?.connection) {
    return (
      <Alert tone="info">
        No directory is connected to this organization yet. An admin can connect one under Directory; its groups then appear here.
      </Alert>
    );
  }
  const connection = data.connection;
  const filtered = Boolean(filters.search || filters.kind || filters.state);

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-3">
      {data.connections.length > 1 ? (
        <div className="flex flex-col text-sm font-medium sm:flex-row sm:items-center sm:gap-2">
          <label htmlFor="directory-connection">Directory</label>
          <select
            id="directory-connection"
            className="rounded border border-slate-300 bg-white px-2 py-1.5 text-sm"
            value={connection.id}
            onChange={(e) => {
              setChosenConnection(e.target.value);
              selection.reset();
              setPreviews(new Map());
            }}
          >
            {data.connections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <p className="text-sm text-slate-700">
          Directory: <span className="font-medium">{connection.name}</span>
          <span className="text-slate-500"> · synced groups refresh {connection.cadence === "daily" ? "daily" : "weekly, on Mondays"} (UTC)</span>
        </p>
      )}
      {connection.freshness ? <p className="text-sm text-slate-600">{freshnessLine(connection.freshness, new Date())}</p> : null}
      {connection.health === "failing" ? (
        <Alert tone="warning">
          This directory connection is failing its checks, so syncs will fail until an admin fixes it (under Directory). Groups keep
          their last good members meanwhile.
        </Alert>
      ) : null}
      <GroupFilters value={filters} onChange={setFilters} searchRef={searchRef} />
      <p className="text-sm text-slate-600" aria-live="polite">
        {catalog.isPending || catalog.stale ? (
          <>
            <span className="sr-only">Loading groups…</span>
            <SkeletonBar className="h-4 w-72 max-w-full" />
          </>
        ) : ( `${plural(catalog.total, "group")}${filtered ? (catalog.total === 1 ? " matches" : " match") : ""} · ${plural(saved.size, "group")} synced to this audience · audience size ${formatCount(data.recipientCount)}`
        )}
      </p>
      {catalog.error ? <Alert tone="error">The groups could not be loaded: {catalog.error.message}</Alert> : null}
      {!catalog.isPending && catalog.total === 0 ? (
        <p className="rounded border border-dashed border-slate-300 p-4 text-sm text-slate-600">
          {connection.catalogSize === 0
            ? "This directory's group list has not been loaded yet. An admin can refresh it from the connection's page."
            : "No group matches. Try another name or mail, or clear the filters."}
        </p>
      ) : (
        <GroupList
          seriesId={seriesId}
          total={catalog.total}
          stale={catalog.stale || search !== filters.search.trim()}
          rowAt={catalog.rowAt}
          onRangeChange={catalog.need}
          sourcesByGroup={sourcesByGroup}
          isTicked={selection.isTicked}
          pendingTick={selection.pendingTick}
          previews={previews}
          expanded={expanded}
          busyGroupId={busyGroupId}
          syncContacts={connection.syncContacts}
          handlers={handlers}
        />
      )}
      <UpdateFooter
        connection={connection}
        entireDirectory={data.entireDirectory}
        selection={selection}
        updating={updating}
        onUpdate={updateAudience}
        onSyncNow={handlers.onSyncNow}
        onConfirmReview={handlers.onConfirmReview}
      />
      {shownNotice ? <Alert tone={shownNotice.tone}>{shownNotice.text}</Alert> : null}
      {unticking ? (
        <ConfirmUntick
          seriesId={seriesId}
          sourceIds={unticking.sourceIds}
          labels={unticking.labels}
          onCancel={() => setUnticking(null)}
          onConfirm={() => {
            setUnticking(null);
            unticking.apply();
          }}
        />
      ) : null}
      {reviewing ? (
        <ConfirmRemovals seriesId={seriesId} source={reviewing} onCancel={() => setReviewing(null)} onConfirm={() => confirmRemovals(reviewing)} />
      ) : null}
    </div>
  );
}
