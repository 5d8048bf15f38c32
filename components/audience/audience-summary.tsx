import type { AudienceSourceState } from "@/lib/audience/recipients";
import { sourceKindWord } from "./source-badge";

const stateWord: Record<NonNullable<AudienceSourceState["state"]>, string> = {
  queued: "Queued",
  syncing: "Syncing",
  synced: "Synced",
  needs_review: "Needs review",
  error: "Error",
};

const stateTone: Record<NonNullable<AudienceSourceState["state"]>, string> = {
  queued: "text-amber-800",
  syncing: "text-blue-800",
  synced: "text-green-800",
  needs_review: "text-orange-800",
  error: "text-red-800",
};

/**
 * Where the audience comes from, above the table: each source, its state (directory groups) and how many
 * addresses it holds. An address held by two sources counts in both, so the counts may add up to more
 * than the audience.
 */
export function AudienceSummary({ sources }: { sources: AudienceSourceState[] }) {
  if (sources.length === 0) return null;
  return (
    <section aria-labelledby="audience-sources-heading" className="mb-4 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="audience-sources-heading" className="text-sm font-semibold text-slate-900">
        Where this audience comes from
      </h2>
      <ul aria-labelledby="audience-sources-heading" className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2 lg:grid-cols-3">
        {sources.map((s) => (
          <li key={s.id} className="flex min-w-0 items-baseline gap-2">
            <span className="truncate font-medium text-slate-900" title={s.label}>
              {s.label}
            </span>
            <span className="shrink-0 text-slate-600">
              {sourceKindWord(s.kind) === s.label ? "" : `${sourceKindWord(s.kind)} · `}
              {s.state ? <span className={stateTone[s.state]}>{stateWord[s.state]} · </span> : null}
              {s.holdings.toLocaleString("en-US")} {s.holdings === 1 ? "address" : "addresses"}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
