import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";
import { inputClasses } from "@/components/ui/field";
import type { SourceSummary } from "@/lib/audience/recipients";
import { sourceKindWord } from "./source-badge";

/** Several uploads of "team.csv" are told apart by when they happened. UTC, so server and browser agree. */
const formatWhen = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/**
 * "Outreach (directory group, 52)"; the kind is left out when the label already says it ("Entire
 * directory (279)", not "Entire directory (entire directory, 279)").
 */
export function sourceOptionLabel(s: SourceSummary): string {
  const count = s.holdings.toLocaleString("en-US");
  const kind = s.kind === "csv" ? `uploaded ${formatWhen(s.createdAt)}` : sourceKindWord(s.kind).toLowerCase();
  return kind === s.label.trim().toLowerCase() ? `${s.label} (${count})` : `${s.label} (${kind}, ${count})`;
}

/** Search and source filter as a plain GET form: works before JavaScript loads, and the URL can be shared. */
export function RecipientFilters({
  action,
  q,
  sourceId,
  sources,
  show = "recipients",
  excludedCount = 0,
}: {
  action: string;
  q: string;
  sourceId: string;
  sources: SourceSummary[];
  /** "excluded" lists the series' excluded addresses instead of its recipients. */
  show?: "recipients" | "excluded";
  excludedCount?: number;
}) {
  return (
    <form action={action} method="get" role="search" className="flex flex-col gap-3 sm:flex-row sm:items-end">
      <div className="flex-1 space-y-1.5">
        <label htmlFor="recipient-search" className="block text-sm font-medium text-slate-800">
          Search recipients
        </label>
        <input id="recipient-search" name="q" type="search" defaultValue={q} placeholder="Email or name" className={inputClasses} />
      </div>
      <div className="space-y-1.5 sm:w-44">
        <label htmlFor="recipient-show" className="block text-sm font-medium text-slate-800">
          Show
        </label>
        <select id="recipient-show" name="show" defaultValue={show} className={inputClasses}>
          <option value="recipients">Recipients</option>
          <option value="excluded">Excluded ({excludedCount.toLocaleString("en-US")})</option>
        </select>
      </div>
      <div className="space-y-1.5 sm:w-64">
        <label htmlFor="recipient-source" className="block text-sm font-medium text-slate-800">
          Source
        </label>
        <select id="recipient-source" name="source" defaultValue={sourceId} className={inputClasses}>
          <option value="">All sources</option>
          {sources.map((s) => (
            <option key={s.id} value={s.id}>
              {sourceOptionLabel(s)}
            </option>
          ))}
        </select>
      </div>
      <div className="flex gap-2">
        <button type="submit" className={buttonClasses("secondary")}>
          Search
        </button>
        {(q || sourceId || show === "excluded") && (
          <Link href={action} className={buttonClasses("ghost")}>
            Clear
          </Link>
        )}
      </div>
    </form>
  );
}
