"use client";
import { useCallback, useEffect, useMemo, useRef, useState, useTransition } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import {
  confirmDirectoryReview,
  previewDirectoryGroup,
  syncDirectoryGroupNow,
  updateAudienceFromDirectory,
} from "@/app/series/[seriesId]/audience/directory-actions";
import { Alert } from "@/components/ui/alert";
import type { ActionResult } from "@/lib/errors";
import type { DirectoryGroupRow, SourceStateView } from "@/lib/directory/types";
import { directoryKeys, useDirectoryOverview, useGroupCatalog } from "./directory-queries";
import { formatCount, plural } from "./format";
import { GroupFilters, type GroupFilterValues } from "./group-filters";
import { GroupList } from "./group-list";
import { describeChanges, usePendingSelection } from "./pending-selection";
import { UpdateFooter } from "./update-footer";
import { useDebounced } from "./use-debounced";
import { finishedNotice, useSyncFinished } from "./use-sync-finished";

type Notice = { tone: "error" | "info" | "success"; text: string } | null;

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
  const [updating, startUpdate] = useTransition();

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

  // When the last queued or running sync finishes: refresh the list (its state filter) and the page behind
  // the dialog (its recipient count and table are server-rendered), and say how it went.
  useSyncFinished(data?.anyActive ?? false, () => {
    void queryClient.invalidateQueries({ queryKey: [...directoryKeys.all(seriesId), "groups"] });
    router.refresh();
    setNotice(finishedNotice([...(data?.sources ?? []), ...(data?.entireDirectory ? [data.entireDirectory] : [])]));
  });

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
      if (result.ok) {
        setNotice({ tone: "info", text: success(result.data) });
        await refreshAll();
        router.refresh();
      } else setNotice({ tone: "error", text: result.error.message });
    } finally {
      setBusyGroupId(null);
    }
  }

  const handlers = {
    onTickedChange: selection.toggle,
    onSyncNow: (source: SourceStateView) =>
      void runRowAction(
        source.groupId ?? source.sourceId,
        () => syncDirectoryGroupNow({ seriesId, sourceId: source.sourceId }),
        () => `“${source.label}” is queued to sync now.`,
      ),
    onConfirmReview: (source: SourceStateView) =>
      void runRowAction(
        source.groupId ?? source.sourceId,
        () => confirmDirectoryReview({ seriesId, sourceId: source.sourceId }),
        () => `Removals confirmed for “${source.label}”: the audience is updated.`,
      ),
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

  function updateAudience() {
    if (!connectionId) return;
    if (!selection.hasChanges) {
      setNotice({ tone: "info", text: "Nothing to update: tick or untick a group first." });
      return;
    }
    const changes = selection.changes;
    startUpdate(async () => {
      const result = await updateAudienceFromDirectory({
        seriesId,
        connectionId,
        groupIds: selection.desiredGroupIds(),
        entireDirectory: selection.entireTicked,
      });
      if (!result.ok) {
        setNotice({ tone: "error", text: result.error.message });
        return;
      }
      selection.reset();
      setNotice({ tone: "info", text: describeChanges(changes, true) });
      await refreshAll();
      router.refresh();
    });
  }

  if (overview.isPending) return <p className="text-sm text-slate-600">Loading the directory…</p>;
  if (overview.isError && !data) return <Alert tone="error">The directory could not be loaded: {overview.error.message}</Alert>;
  if (!data?.connection) {
    return (
      <Alert tone="info">
        No directory is connected to this organization yet. An admin can connect one under Admin → Directory; its groups then appear here.
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
      {connection.health === "failing" ? (
        <Alert tone="warning">
          This directory connection is failing its checks, so syncs will fail until an admin fixes it (Admin → Directory). Groups keep
          their last good members meanwhile.
        </Alert>
      ) : null}
      <GroupFilters value={filters} onChange={setFilters} searchRef={searchRef} />
      <p className="text-sm text-slate-600" aria-live="polite">
        {catalog.isPending || catalog.stale
          ? "Loading groups…"
          : `${plural(catalog.total, "group")}${filtered ? " match" : ""} · ${plural(saved.size, "group")} synced to this audience · audience size ${formatCount(data.recipientCount)}`}
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
      {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
    </div>
  );
}
