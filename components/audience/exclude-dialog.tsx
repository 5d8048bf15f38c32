"use client";
import { useRouter } from "next/navigation";
import { useId, useState, useTransition, type FormEvent } from "react";
import { excludeAddressAction } from "@/app/series/[seriesId]/audience/exclusion-actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { ExcludeGroupForm } from "./exclude-group-form";
import { useToast } from "@/components/ui/toast";
import type { ExclusionCsvResult } from "@/lib/audience/exclusion-csv";
import type { ActionError, ActionResult } from "@/lib/errors";

const n = (value: number) => value.toLocaleString("en-US");

/**
 * "Exclude addresses": one address with a reason, or a CSV of them. An excluded address never enters this
 * audience, whatever source holds it, until an editor lifts the exclusion.
 */
export function ExcludeDialog({ seriesId, open, onOpenChange }: { seriesId: string; open: boolean; onOpenChange: (open: boolean) => void }) {
  const router = useRouter();
  const fileId = useId();
  const [error, setError] = useState<ActionError | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [csvResult, setCsvResult] = useState<ExclusionCsvResult | null>(null);
  const [pending, startTransition] = useTransition();
  const [uploading, setUploading] = useState(false);
  const toast = useToast();

  function close(next: boolean) {
    if (!next) {
      setError(null);
      setFileError(null);
      setCsvResult(null);
    }
    onOpenChange(next);
  }

  function onExclude(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const reason = String(form.get("reason") ?? "");
    startTransition(async () => {
      const result = await excludeAddressAction({ seriesId, email, reason });
      if (!result.ok) return setError(result.error);
      const r = result.data;
      toast(!r.created ? `${r.email} was already excluded.` : r.leftAudience ? `Excluded ${r.email}; it has left the audience.` : `Excluded ${r.email}.`);
      close(false);
    });
  }

  async function onUpload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const file = form.get("file");
    if (!(file instanceof File) || file.size === 0) return setFileError("Choose a CSV file to upload.");
    setUploading(true);
    setFileError(null);
    setCsvResult(null);
    try {
      const response = await fetch(`/series/${encodeURIComponent(seriesId)}/audience/exclusions/upload`, { method: "POST", body: form });
      const reply = (await response.json()) as ActionResult<ExclusionCsvResult>;
      if (!reply.ok) setFileError(reply.error.message);
      else {
        setCsvResult(reply.data);
        router.refresh();
      }
    } catch {
      setFileError("The upload did not reach Roster. Check your connection and try again.");
    } finally {
      setUploading(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={close} wide title="Exclude addresses" description="An excluded address never enters this audience, whatever source holds it, until the exclusion is lifted.">
      <form onSubmit={onExclude} className="space-y-4" aria-label="Exclude one address">
        {error && !error.fields && <Alert tone="error">{error.message}</Alert>}
        <Field label="Email to exclude" name="email" type="email" required autoComplete="off" placeholder="name@example.com" error={error?.fields?.email} />
        <Field label="Reason" name="reason" autoComplete="off" hint="Optional, e.g. “unsubscribed”. Shown in the why lookup." error={error?.fields?.reason} />
        <div className="flex justify-end">
          <Button type="submit" disabled={pending}>
            {pending ? "Excluding…" : "Exclude"}
          </Button>
        </div>
      </form>
      <hr className="my-5 border-slate-200" />
      <ExcludeGroupForm seriesId={seriesId} onDone={() => close(false)} />
      <hr className="my-5 border-slate-200" />
      <form onSubmit={onUpload} className="space-y-3" aria-label="Exclude addresses from a CSV">
        <div className="space-y-1.5">
          <label htmlFor={fileId} className="block text-sm font-medium text-slate-800">
            CSV of addresses to exclude
          </label>
          <input id={fileId} name="file" type="file" accept=".csv,text/csv,text/plain" className="block w-full text-sm text-slate-700" />
          <p className="text-xs text-slate-500">The recipient format: an email column (or the email first). Up to 50,000 rows and 5 MB.</p>
        </div>
        <Field label="Reason for the file" name="reason" autoComplete="off" hint="Optional; applies to every address in the file." />
        {fileError && <Alert tone="error">{fileError}</Alert>}
        {csvResult && (
          <Alert tone={csvResult.excluded > 0 ? "success" : "warning"}>
            <p className="font-medium">{csvResult.fileName}</p>
            <ul className="mt-1 list-disc pl-5">
              <li>{n(csvResult.excluded)} excluded ({n(csvResult.leftAudience)} left the audience)</li>
              {csvResult.alreadyExcluded > 0 && <li>{n(csvResult.alreadyExcluded)} already excluded</li>}
              <li>{n(csvResult.rejected)} rows rejected</li>
            </ul>
            {csvResult.problems.length > 0 && (
              <ul aria-label="Rows not excluded" className="mt-2 max-h-40 overflow-y-auto text-xs">
                {csvResult.problems.map((p) => (
                  <li key={`${p.line}-${p.reason}`}>
                    Line {p.line}: {p.reason} ({p.detail})
                  </li>
                ))}
              </ul>
            )}
          </Alert>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => close(false)}>
            Done
          </Button>
          <Button type="submit" disabled={uploading}>
            {uploading ? "Uploading…" : "Upload exclusions"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
