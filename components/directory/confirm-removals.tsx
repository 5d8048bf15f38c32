"use client";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import type { SourceStateView } from "@/lib/dialog/types";
import { useReviewRemovals, useSelectionRemovals } from "./directory-queries";
import { formatCount, plural } from "./format";
import { SkeletonBar } from "./skeletons";

interface Leaving {
  total: number;
  leavingAudience: number;
  first: { email: string; name: string | null }[];
}

/** The body both confirmations share: the count, the first addresses (by address) and how many more. */
function RemovalsDialog({
  title,
  describe,
  listed,
  confirmLabel,
  query: { data, error, isPending },
  onCancel,
  onConfirm,
}: {
  title: string;
  describe(data: Leaving): string;
  listed(data: Leaving): number;
  confirmLabel(data: Leaving): string;
  query: { data?: Leaving; error: Error | null; isPending: boolean };
  onCancel(): void;
  onConfirm(): void;
}) {
  const more = data ? listed(data) - data.first.length : 0;
  return (
    <Dialog open wide onOpenChange={(open) => (open ? undefined : onCancel())} title={title} description={data ? describe(data) : "Reading who would leave…"}>
      {error ? <Alert tone="error">Who would leave could not be read: {error.message}</Alert> : null}
      {isPending ? (
        <div role="status" aria-label="Loading who would leave" className="space-y-2">
          <SkeletonBar className="h-4 w-3/4" />
          <SkeletonBar className="h-4 w-2/3" />
          <SkeletonBar className="h-4 w-1/2" />
        </div>
      ) : null}
      {data && data.first.length > 0 ? (
        <>
          <ul aria-label="Who leaves" className="max-h-72 space-y-0.5 overflow-y-auto rounded border border-slate-200 p-2 text-sm">
            {data.first.map((p) => (
              <li key={p.email} className="truncate">
                {p.email}
                {p.name ? <span className="text-slate-600"> · {p.name}</span> : null}
              </li>
            ))}
          </ul>
          {more > 0 ? <p className="mt-2 text-sm text-slate-700">and {plural(more, "more address", "more addresses")}</p> : null}
        </>
      ) : null}
      <div className="mt-4 flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button onClick={onConfirm} disabled={!data}>
          {data ? confirmLabel(data) : "Confirm removals"}
        </Button>
      </div>
    </Dialog>
  );
}

/**
 * "Confirm removals": before a held mass removal applies, who leaves — the first addresses (by address) and
 * how many in all — so the editor confirms people, not a number.
 */
export function ConfirmRemovals({ seriesId, source, onCancel, onConfirm }: { seriesId: string; source: SourceStateView; onCancel(): void; onConfirm(): void }) {
  const query = useReviewRemovals(seriesId, source.sourceId);
  return (
    <RemovalsDialog
      title={`Confirm removals from “${source.label}”`}
      query={query}
      describe={(d) =>
        `${plural(d.total, "address", "addresses")} would leave this group's part of the audience` +
        (d.leavingAudience !== d.total ? `; ${formatCount(d.leavingAudience)} of them leave the audience (the others stay through another source).` : ".")
      }
      listed={(d) => d.total}
      confirmLabel={(d) => `Remove ${plural(d.total, "address", "addresses")}`}
      onCancel={onCancel}
      onConfirm={onConfirm}
    />
  );
}

/**
 * Before "Update audience" unticks groups (or "Sync entire directory"): how many recipients leave the audience
 * (those no other source holds) and who, so the editor confirms people, not a number.
 */
export function ConfirmUntick({
  seriesId,
  sourceIds,
  labels,
  onCancel,
  onConfirm,
}: {
  seriesId: string;
  sourceIds: string[];
  labels: string[];
  onCancel(): void;
  onConfirm(): void;
}) {
  const query = useSelectionRemovals(seriesId, sourceIds);
  const named = labels.length === 1 ? `“${labels[0]}”` : plural(labels.length, "source");
  return (
    <RemovalsDialog
      title={`Stop syncing ${named}?`}
      query={query}
      describe={(d) =>
        d.leavingAudience === 0
          ? `No one leaves the audience: every address ${labels.length === 1 ? "it holds" : "they hold"} is also held by another source.`
          : `${plural(d.leavingAudience, "recipient")} will leave the audience` +
            (d.leavingAudience !== d.total ? ` (${formatCount(d.total - d.leavingAudience)} of the ${formatCount(d.total)} addresses stay through another source).` : ".")
      }
      listed={(d) => d.leavingAudience}
      confirmLabel={(d) => (d.leavingAudience === 0 ? "Update audience" : `Remove ${plural(d.leavingAudience, "recipient")}`)}
      onCancel={onCancel}
      onConfirm={onConfirm}
    />
  );
}
