"use client";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import type { SourceStateView } from "@/lib/dialog/types";
import { useReviewRemovals } from "./directory-queries";
import { formatCount, plural } from "./format";
import { SkeletonBar } from "./skeletons";

/**
 * "Confirm removals": before a held mass removal applies, who leaves — the first addresses (by address) and
 * how many in all — so the editor confirms people, not a number.
 */
export function ConfirmRemovals({
  seriesId,
  source,
  onCancel,
  onConfirm,
}: {
  seriesId: string;
  source: SourceStateView;
  onCancel(): void;
  onConfirm(): void;
}) {
  const { data, error, isPending } = useReviewRemovals(seriesId, source.sourceId);
  const more = data ? data.total - data.first.length : 0;
  return (
    <Dialog
      open
      wide
      onOpenChange={(open) => (open ? undefined : onCancel())}
      title={`Confirm removals from “${source.label}”`}
      description={
        data
          ? `${plural(data.total, "address", "addresses")} would leave this group's part of the audience` +
            (data.leavingAudience !== data.total ? `; ${formatCount(data.leavingAudience)} of them leave the audience (the others stay through another source).` : ".")
          : "Reading who would leave…"
      }
    >
      {error ? <Alert tone="error">Who would leave could not be read: {error.message}</Alert> : null}
      {isPending ? (
        <div role="status" aria-label="Loading who would leave" className="space-y-2">
          <SkeletonBar className="h-4 w-3/4" />
          <SkeletonBar className="h-4 w-2/3" />
          <SkeletonBar className="h-4 w-1/2" />
        </div>
      ) : null}
      {data ? (
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
          {data ? `Remove ${plural(data.total, "address", "addresses")}` : "Confirm removals"}
        </Button>
      </div>
    </Dialog>
  );
}
