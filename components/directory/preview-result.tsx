"use client";
import { describeSkipped, totalSkipped } from "@/lib/dialog/labels";
import { usePreviewStatus } from "./directory-queries";
import { formatCount, plural } from "./format";

/** What syncing a group would do, computed without changing the audience. Announced when it arrives. */
export function PreviewResult({ seriesId, jobId }: { seriesId: string; jobId: string }) {
  const { data, error } = usePreviewStatus(seriesId, jobId);
  let body: React.ReactNode;
  if (error) body = <span className="text-red-800">The preview could not be read: {error.message}</span>;
  else if (!data || data.status === "queued" || data.status === "running") {
    body = <span>Previewing… {data?.membersSeen ? `${formatCount(data.membersSeen)} members read so far` : ""}</span>;
  } else if (data.status === "failed" || data.status === "cancelled" || !data.result) {
    body = (
      <span className="text-red-800">
        The preview failed{data.error ? `: ${data.error.title}` : "."} {data.error?.fix ?? ""}
      </span>
    );
  } else {
    const r = data.result;
    const skipped = totalSkipped(r.skipped);
    body = (
      <span data-testid="preview-numbers">
        Preview: would add <strong>{formatCount(r.wouldAdd)}</strong> · already in the audience <strong>{formatCount(r.alreadyPresent)}</strong> ·
        skipped <strong>{formatCount(skipped)}</strong>
        {skipped > 0 ? ` (${describeSkipped(r.skipped, formatCount)})` : ""}
        {data.membersSeen ? ` · ${plural(data.membersSeen, "member")} read from Azure` : ""}. Nothing has changed yet.
      </span>
    );
  }
  return (
    <p role="status" className="rounded bg-slate-100 px-2 py-1 text-sm text-slate-800">
      {body}
    </p>
  );
}
