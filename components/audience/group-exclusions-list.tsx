"use client";
import { useTransition } from "react";
import { liftGroupExclusionAction } from "@/app/series/[seriesId]/audience/exclusion-actions";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

export interface GroupExclusionItem {
  id: string;
  label: string;
  reason: string | null;
  excludedBy: string;
  /** ISO times. */
  createdAt: string;
  refreshedAt: string | null;
  memberCount: number;
}

const day = (iso: string) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

function LiftGroup({ seriesId, item }: { seriesId: string; item: GroupExclusionItem }) {
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  return (
    <Button
      variant="secondary"
      className="-my-1 px-2 py-1"
      disabled={pending}
      aria-label={`Lift the exclusion of members of ${item.label}`}
      onClick={() =>
        startTransition(async () => {
          const result = await liftGroupExclusionAction({ seriesId, exclusionId: item.id });
          if (!result.ok) toast(result.error.message, "error");
          else toast(`Lifted the exclusion of ${result.data.label}: ${result.data.restored.toLocaleString("en-US")} back in the audience.`);
        })
      }
    >
      {pending ? "Lifting…" : "Lift"}
    </Button>
  );
}

/** The groups whose members this audience excludes, with who, when, why and how many members they have. */
export function GroupExclusionsList({ seriesId, items }: { seriesId: string; items: GroupExclusionItem[] }) {
  return (
    <ul aria-label="Excluded groups" className="mb-4 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
      {items.map((g) => (
        <li key={g.id} className="flex items-center justify-between gap-3 px-4 py-2">
          <div>
            <p className="font-medium text-slate-900">Members of {g.label}</p>
            <p className="text-slate-600">
              Excluded by {g.excludedBy} on {day(g.createdAt)}
              {g.reason ? `: ${g.reason}` : ""} ·{" "}
              {g.refreshedAt ? `${g.memberCount.toLocaleString("en-US")} members, read ${day(g.refreshedAt)}` : "being read from the directory"}
            </p>
          </div>
          <LiftGroup seriesId={seriesId} item={g} />
        </li>
      ))}
    </ul>
  );
}
