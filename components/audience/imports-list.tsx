"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { previewImportRemovalAction, removeImportAction } from "@/app/series/[seriesId]/audience/import-actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { useToast } from "@/components/ui/toast";
import type { ImportInfo, RemovalPreview, ReplaceResult } from "@/lib/audience/csv-sources";
import type { ActionResult } from "@/lib/errors";

const n = (v: number) => v.toLocaleString("en-US");

function RemoveImport({ seriesId, source, onDone }: { seriesId: string; source: ImportInfo; onDone(): void }) {
  const [preview, setPreview] = useState<RemovalPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  useEffect(() => {
    let live = true;
    void previewImportRemovalAction({ seriesId, sourceId: source.id }).then((r) => {
      if (!live) return;
      if (r.ok) setPreview(r.data);
      else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [seriesId, source.id]);
  return (
    <Dialog
      open
      wide
      onOpenChange={(open) => (open ? undefined : onDone())}
      title={`Remove the import “${source.label}”`}
      description={preview ? `${n(preview.leaving)} of its ${n(preview.holds)} addresses leave the audience; the others stay through another source.` : "Counting who would leave…"}
    >
      {error ? <Alert tone="error">{error}</Alert> : null}
      {preview && preview.first.length > 0 ? (
        <ul aria-label="Who leaves" className="max-h-64 overflow-y-auto rounded border border-slate-200 p-2 text-sm">
          {preview.first.map((p) => (
            <li key={p.email} className="truncate">{p.email}{p.name ? <span className="text-slate-600"> · {p.name}</span> : null}</li>
          ))}
        </ul>
      ) : null}
      {preview && preview.leaving > preview.first.length ? <p className="mt-2 text-sm">and {n(preview.leaving - preview.first.length)} more</p> : null}
      <div className="mt-4 flex justify-end gap-2">
        <Button variant="secondary" onClick={onDone}>Cancel</Button>
        <Button
          variant="danger"
          disabled={!preview || pending}
          onClick={() =>
            startTransition(async () => {
              const r = await removeImportAction({ seriesId, sourceId: source.id });
              if (!r.ok) return setError(r.error.message);
              toast(`Removed ${r.data.label}; ${n(r.data.removed)} left the audience.`);
              onDone();
            })
          }
        >
          {preview ? `Remove import (${n(preview.leaving)} leave)` : "Remove import"}
        </Button>
      </div>
    </Dialog>
  );
}

function ReplaceImport({ seriesId, source }: { seriesId: string; source: ImportInfo }) {
  const router = useRouter();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  return (
    <label className="cursor-pointer rounded-md border border-slate-300 px-2 py-1 text-sm font-medium text-slate-800 hover:bg-slate-50">
      {busy ? "Replacing…" : "Replace"}
      <input
        type="file"
        accept=".csv,text/csv,text/plain"
        className="sr-only"
        aria-label={`Replace ${source.label} with a new file`}
        disabled={busy}
        onChange={async (e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          setBusy(true);
          try {
            const body = new FormData();
            body.set("file", file);
            const res = await fetch(`/series/${encodeURIComponent(seriesId)}/audience/imports/${encodeURIComponent(source.id)}/replace`, { method: "POST", body });
            const reply = (await res.json()) as ActionResult<ReplaceResult>;
            if (!reply.ok) toast(reply.error.message, "error");
            else if (reply.data.added + reply.data.removed === 0 && reply.data.totalRows > 0 && reply.data.rejected === reply.data.totalRows) toast(`Nothing in ${reply.data.label} was valid; the import is unchanged.`, "error");
            else toast(`Replaced with ${reply.data.label}: ${n(reply.data.added)} entered, ${n(reply.data.removed)} left, ${n(reply.data.rejected)} rows rejected.`);
            router.refresh();
          } catch {
            toast("The upload did not reach Roster. Check your connection and try again.", "error");
          } finally {
            setBusy(false);
            e.target.value = "";
          }
        }}
      />
    </label>
  );
}

/** The series' CSV imports: origin, row count and upload time, each removable (count first) or replaceable. */
export function ImportsList({ seriesId, imports }: { seriesId: string; imports: ImportInfo[] }) {
  const [removing, setRemoving] = useState<ImportInfo | null>(null);
  if (imports.length === 0) return null;
  return (
    <section aria-labelledby="imports-heading" className="mb-4 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="imports-heading" className="text-sm font-semibold text-slate-900">CSV imports</h2>
      <ul aria-labelledby="imports-heading" className="mt-2 divide-y divide-slate-100 text-sm">
        {imports.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1.5">
            <span className="font-medium text-slate-900">{s.label}</span>
            <span className="text-slate-600">
              {n(s.rows)} rows · holds {n(s.holds)} · uploaded {s.uploadedAt.slice(0, 16).replace("T", " ")} UTC{s.uploadedBy ? ` by ${s.uploadedBy}` : ""}
            </span>
            <span className="ml-auto flex gap-2">
              <ReplaceImport seriesId={seriesId} source={s} />
              <Button variant="danger" className="px-2 py-1" aria-label={`Remove the import ${s.label}`} onClick={() => setRemoving(s)}>Remove</Button>
            </span>
          </li>
        ))}
      </ul>
      {removing ? <RemoveImport seriesId={seriesId} source={removing} onDone={() => setRemoving(null)} /> : null}
    </section>
  );
}
