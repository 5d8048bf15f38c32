"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import type { DeletionImpact } from "@/lib/connections/delete";
import type { ActionResult } from "@/lib/errors";

/** Delete, after a confirmation that says what happens to the audiences synced from this directory. */
export function DeleteConnection({
  connectionId,
  name,
  impact,
  remove,
}: {
  connectionId: string;
  name: string;
  impact: DeletionImpact;
  remove(input: unknown): Promise<ActionResult<{ recipientsRemoved: number }>>;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setPending(true);
    setError(null);
    try {
      const r = await remove({ connectionId });
      if (!r.ok) {
        setError(r.error.message);
        return;
      }
      setOpen(false);
      router.push("/admin/directory");
      router.refresh();
    } catch {
      setError("Roster could not be reached. Check your connection and try again.");
    } finally {
      setPending(false);
    }
  }

  const consequence =
    impact.series === 0
      ? "No audience uses its groups, so no recipient is removed."
      : `Its groups feed ${impact.series === 1 ? "1 series audience" : `${impact.series.toLocaleString("en-US")} series audiences`}: ${impact.recipientsRemoved.toLocaleString("en-US")} ${
          impact.recipientsRemoved === 1 ? "recipient who is" : "recipients who are"
        } there only because of these groups will be removed. Recipients also added by hand, by CSV or by another connection stay.`;

  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete connection
      </Button>
      <Dialog open={open} onOpenChange={setOpen} title={`Delete “${name}”?`} description="This cannot be undone.">
        <div className="space-y-4 text-sm text-slate-700">
          <p>Roster forgets this directory: its client secret, its group list and every group synced from it.</p>
          <p>{consequence}</p>
          {error && <Alert tone="error">{error}</Alert>}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setOpen(false)} disabled={pending}>
              Cancel
            </Button>
            <Button className="bg-red-600 text-white hover:bg-red-700" onClick={confirm} disabled={pending}>
              {pending ? "Deleting…" : "Delete connection"}
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}
