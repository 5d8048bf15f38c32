"use client";
/**
 * The dialog's reads, through react-query: the overview polls while anything is queued or syncing and stops
 * when all is idle; the group catalog loads the pages the list shows.
 */
import { useCallback, useState } from "react";
import { keepPreviousData, useIsMutating, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { LIVE_POLL_MS, type DirectoryOverview, type GroupKind, type GroupPage, type PreviewStatus, type ReviewRemovals, type SelectionRemovals, type SyncState } from "@/lib/dialog/types";

export class ReadError extends Error {}

async function readJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { cache: "no-store", headers: { accept: "application/json" }, signal });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ReadError(body?.error?.message ?? `The server answered ${res.status}. Please try again.`);
  return body as T;
}

export const directoryKeys = {
  all: (seriesId: string) => ["directory", seriesId] as const,
  overview: (seriesId: string, connectionId: string | null) => ["directory", seriesId, "overview", connectionId] as const,
  groups: (seriesId: string, connectionId: string, filters: GroupFilters, page: number) =>
    ["directory", seriesId, "groups", connectionId, filters, page] as const,
  preview: (seriesId: string, jobId: string) => ["directory", seriesId, "preview", jobId] as const,
  removals: (seriesId: string, sourceId: string) => ["directory", seriesId, "removals", sourceId] as const,
  untick: (seriesId: string, sourceIds: string[]) => ["directory", seriesId, "untick", sourceIds] as const,
};

const base = (seriesId: string) => `/api/series/${encodeURIComponent(seriesId)}/directory`;

/** The pause between a live poll's answer and the next question: the server does the waiting (`?wait=`). */
const LIVE_POLL_GAP_MS = 100;

/**
 * The overview. While one of the dialog's writes is on its way, polling pauses: an answer read before the
 * write commits would replace what the editor was just shown (Queued) with the state before it. While work is
 * in flight each poll asks the server to wait up to LIVE_POLL_MS for a job of the series to end, so the final
 * state arrives when it commits (app/api/series/[seriesId]/directory/route.ts) rather than at the next poll.
 */
export function useDirectoryOverview(seriesId: string, connectionId: string | null) {
  const writing = useIsMutating({ mutationKey: directoryKeys.all(seriesId) }) > 0;
  const queryClient = useQueryClient();
  const key = directoryKeys.overview(seriesId, connectionId);
  return useQuery({
    queryKey: key,
    queryFn: async ({ signal }) => {
      const live = queryClient.getQueryData<DirectoryOverview>(key)?.anyActive === true;
      const params = new URLSearchParams();
      if (connectionId) params.set("connectionId", connectionId);
      if (live) params.set("wait", String(LIVE_POLL_MS));
      const query = params.size > 0 ? `?${params}` : "";
      const overview = await readJson<DirectoryOverview>(`${base(seriesId)}${query}`, signal);
      // While work is in flight, ask the server to start a worker if a job is due or its lease expired.
      if (overview.anyActive) void fetch(`${base(seriesId)}/work`, { method: "POST" }).catch(() => undefined);
      return overview;
    },
    refetchInterval: (query) => (!writing && query.state.data?.anyActive ? LIVE_POLL_GAP_MS : false),
    refetchOnWindowFocus: !writing,
    placeholderData: keepPreviousData,
  });
}

export interface GroupFilters {
  search: string;
  kind: GroupKind | "";
  state: SyncState | "";
}

export const GROUP_PAGE_SIZE = 200;

/**
 * The catalog as a sparse list of `total` rows, fetched a page at a time for whatever part of the list is in
 * view: the scrollbar spans every matching group from the start, and jumping to the end of 5,000 groups
 * fetches one page, not all the pages before it. Pages already fetched stay until the search or a filter
 * changes.
 */
export function useGroupCatalog(seriesId: string, connectionId: string | null, filters: GroupFilters) {
  const key = JSON.stringify([connectionId, filters]);
  const [wanted, setWanted] = useState<{ key: string; pages: number[] }>({ key, pages: [0] });
  const pages = wanted.key === key ? wanted.pages : [0];
  const results = useQueries({
    queries: pages.map((page) => ({
      queryKey: directoryKeys.groups(seriesId, connectionId ?? "", filters, page),
      enabled: Boolean(connectionId),
      placeholderData: page === 0 ? keepPreviousData : undefined,
      queryFn: () => {
        const params = new URLSearchParams({
          connectionId: connectionId ?? "",
          offset: String(page * GROUP_PAGE_SIZE),
          limit: String(GROUP_PAGE_SIZE),
        });
        if (filters.search) params.set("q", filters.search);
        if (filters.kind) params.set("kind", filters.kind);
        if (filters.state) params.set("state", filters.state);
        return readJson<GroupPage>(`${base(seriesId)}/groups?${params}`);
      },
    })),
  });
  const byPage = new Map(pages.map((page, i) => [page, results[i]?.data]));
  const first = results[0];
  /** Asks for the pages covering rows start..end (inclusive) once they come into view. */
  const need = useCallback(
    (start: number, end: number) => {
      const missing: number[] = [];
      for (let p = Math.floor(start / GROUP_PAGE_SIZE); p <= Math.floor(end / GROUP_PAGE_SIZE); p++) missing.push(p);
      setWanted((prev) => {
        const current = prev.key === key ? prev.pages : [0];
        const added = missing.filter((p) => !current.includes(p));
        return added.length || prev.key !== key ? { key, pages: [...current, ...added] } : prev;
      });
    },
    [key],
  );
  return {
    total: first?.data?.total ?? 0,
    rowAt: (index: number) => byPage.get(Math.floor(index / GROUP_PAGE_SIZE))?.groups[index % GROUP_PAGE_SIZE],
    need,
    isPending: Boolean(connectionId) && (first?.isPending ?? true),
    error: results.find((r) => r.error)?.error ?? null,
    /** The rows shown are the previous search's, kept while this one loads. */
    stale: Boolean(first?.isPlaceholderData),
  };
}

export function usePreviewStatus(seriesId: string, jobId: string | null) {
  return useQuery({
    queryKey: directoryKeys.preview(seriesId, jobId ?? ""),
    enabled: Boolean(jobId),
    queryFn: () => readJson<PreviewStatus>(`${base(seriesId)}/previews/${encodeURIComponent(jobId ?? "")}`),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === "done" || status === "failed" || status === "cancelled" ? false : LIVE_POLL_MS;
    },
  });
}

/** Who leaves if the held removals of a group are confirmed. */
export function useReviewRemovals(seriesId: string, sourceId: string) {
  return useQuery({
    queryKey: directoryKeys.removals(seriesId, sourceId),
    queryFn: () => readJson<ReviewRemovals>(`${base(seriesId)}/sources/${encodeURIComponent(sourceId)}/removals`),
  });
}

/** Who leaves the audience if these ticked sources are unticked; read fresh each time the confirmation opens. */
export function useSelectionRemovals(seriesId: string, sourceIds: string[]) {
  return useQuery({
    queryKey: directoryKeys.untick(seriesId, sourceIds),
    queryFn: () => {
      const params = new URLSearchParams(sourceIds.map((id) => ["source", id]));
      return readJson<SelectionRemovals>(`${base(seriesId)}/removals?${params}`);
    },
    staleTime: 0,
    gcTime: 0,
  });
}
