"use client";
import { useTransition } from "react";
import { liftExclusionAction } from "@/app/series/[seriesId]/audience/exclusion-actions";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

export interface ExclusionView {
  email: string;
  reason: string | null;
  excludedBy: string;
  /** ISO time. */
  createdAt: string;
  held: boolean;
}

function LiftButton({ seriesId, email }: { seriesId: string; email: string }) {
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  return (
    <Button
      variant="secondary"
      className="-my-1 px-2 py-1"
      disabled={pending}
      aria-label={`Lift the exclusion of ${email}`}
      onClick={() =>
        startTransition(async () => {
          const result = await liftExclusionAction({ seriesId, email });
          if (!result.ok) toast(result.error.message, "error");
          else if (result.data.restored) toast(`${result.data.email} is back in the audience.`);
          else toast(`Lifted the exclusion of ${result.data.email}; no source holds it, so it is not in the audience.`, "info");
        })
      }
    >
      {pending ? "Lifting…" : "Lift"}
    </Button>
  );
}

/** Excluded addresses, with who excluded them, when and why, and whether a source would otherwise bring them. */
export function ExclusionsTable({ seriesId, rows, caption }: { seriesId: string; rows: ExclusionView[]; caption: string }) {
  return (
    <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="w-full table-fixed text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-4 py-2.5 sm:w-[34%]">Email</th>
            <th scope="col" className="hidden px-4 py-2.5 sm:table-cell">Excluded</th>
            <th scope="col" className="hidden px-4 py-2.5 md:table-cell">Held by a source</th>
            <th scope="col" className="w-24 px-2 py-2.5 text-right sm:px-4"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.email}>
              <td className="truncate px-4 py-3 font-medium text-slate-900" title={r.email}>{r.email}</td>
              <td className="hidden px-4 py-3 text-slate-700 sm:table-cell">
                by {r.excludedBy} on {r.createdAt.slice(0, 10)}
                {r.reason ? `: ${r.reason}` : ""}
              </td>
              <td className="hidden px-4 py-3 text-slate-700 md:table-cell">{r.held ? "yes (would be a recipient)" : "no"}</td>
              <td className="px-2 py-3 text-right sm:px-4"><LiftButton seriesId={seriesId} email={r.email} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
