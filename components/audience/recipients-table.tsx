import type { RecipientRow, SourceRef } from "@/lib/audience/recipients";
import { RemoveRecipientButton } from "./remove-recipient-button";
import { SourceBadge } from "./source-badge";

/** The same file uploaded three times reads better as one "team.csv ×3" than as three identical badges. */
function groupSources(sources: SourceRef[]): { source: SourceRef; times: number }[] {
  const groups = new Map<string, { source: SourceRef; times: number }>();
  for (const source of sources) {
    const key = `${source.kind}\u0000${source.label}`;
    const group = groups.get(key);
    if (group) group.times++;
    else groups.set(key, { source, times: 1 });
  }
  return [...groups.values()];
}

function Sources({ sources }: { sources: SourceRef[] }) {
  return (
    <div className="flex flex-wrap gap-1">
      {groupSources(sources).map(({ source, times }) => (
        <SourceBadge key={source.id} source={source} times={times} />
      ))}
    </div>
  );
}

/**
 * The audience, one row per address, with every source that holds it. On a phone the name and the sources
 * fold under the address instead of scrolling sideways.
 */
export function RecipientsTable({ seriesId, rows, caption }: { seriesId: string; rows: RecipientRow[]; caption: string }) {
  return (
    <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="w-full table-fixed text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-4 py-2.5 sm:w-[38%]">
              Email
            </th>
            <th scope="col" className="hidden px-4 py-2.5 sm:table-cell sm:w-[24%]">
              Name
            </th>
            <th scope="col" className="hidden px-4 py-2.5 md:table-cell">
              Sources
            </th>
            <th scope="col" className="w-24 px-2 py-2.5 text-right sm:w-28 sm:px-4">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id} className="align-top md:align-middle">
              <td className="py-3 pl-4 pr-2 sm:px-4">
                <div className="truncate font-medium text-slate-900" title={r.email}>
                  {r.email}
                </div>
                {r.name && <div className="truncate text-slate-600 sm:hidden">{r.name}</div>}
                <div className="mt-1.5 md:hidden">
                  <Sources sources={r.sources} />
                </div>
              </td>
              <td className="hidden truncate px-4 py-3 text-slate-700 sm:table-cell">{r.name ?? <span className="text-slate-400">—</span>}</td>
              <td className="hidden px-4 py-3 md:table-cell">
                <Sources sources={r.sources} />
              </td>
              <td className="px-2 py-3 text-right sm:px-4">
                {r.sources.some((s) => s.kind === "manual") && <RemoveRecipientButton seriesId={seriesId} email={r.email} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
