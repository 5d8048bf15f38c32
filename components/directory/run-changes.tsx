"use client";
import { useQuery, keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { inputClasses } from "@/components/ui/field";
import { formatCount } from "./format";
import { useDebounced } from "./use-debounced";

interface RunChanges {
  total: number;
  added: number;
  removed: number;
  rows: { email: string; change: "added" | "removed"; reason: string | null; createdAt: string }[];
}

/** One run's change list: who entered and who left, with why; searchable, and exportable as CSV. */
export function RunChangesList({ seriesId, runId }: { seriesId: string; runId: string }) {
  const [q, setQ] = useState("");
  const search = useDebounced(q, 250);
  const url = `/api/series/${encodeURIComponent(seriesId)}/runs/${encodeURIComponent(runId)}/changes`;
  const { data, error, isPending } = useQuery({
    queryKey: ["run-changes", seriesId, runId, search],
    queryFn: async () => {
      const res = await fetch(`${url}?q=${encodeURIComponent(search)}`, { cache: "no-store" });
      const body = await res.json().catch(() => null);
      if (!res.ok) throw new Error(body?.error?.message ?? `The server answered ${res.status}.`);
      return body as RunChanges;
    },
    placeholderData: keepPreviousData,
  });
  return (
    <div className="mt-1 space-y-2 rounded border border-slate-200 bg-white p-2" data-testid="run-changes">
      <div className="flex flex-wrap items-end gap-2">
        <label className="flex-1 text-xs font-medium text-slate-700">
          Search this run&apos;s changes
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Email" className={`${inputClasses} mt-1`} />
        </label>
        <a href={`${url}?format=csv`} download className="text-sm font-medium text-blue-700 underline hover:text-blue-900">
          Export CSV
        </a>
      </div>
      {error ? <p className="text-sm text-red-800">The changes could not be read: {error.message}</p> : null}
      {isPending ? <p className="text-sm text-slate-600">Reading the changes…</p> : null}
      {data ? (
        <>
          <p className="text-sm text-slate-700">
            {formatCount(data.added)} entered the audience · {formatCount(data.removed)} left it
          </p>
          {data.rows.length === 0 ? (
            <p className="text-sm text-slate-600">{search ? "No change matches this search." : "This run changed nobody's place in the audience."}</p>
          ) : (
            <ul aria-label="Changes of this run" className="max-h-56 space-y-0.5 overflow-y-auto text-sm">
              {data.rows.map((r, i) => (
                <li key={`${r.email}-${r.change}-${i}`} className="flex gap-2">
                  <span className={r.change === "added" ? "text-green-800" : "text-red-800"}>{r.change === "added" ? "+" : "−"}</span>
                  <span className="truncate">{r.email}</span>
                  {r.reason ? <span className="text-slate-600">({r.reason})</span> : null}
                </li>
              ))}
            </ul>
          )}
          {data.total > data.rows.length ? <p className="text-xs text-slate-600">The first {formatCount(data.rows.length)} of {formatCount(data.total)} are listed; export the CSV for all.</p> : null}
        </>
      ) : null}
    </div>
  );
}
