"use client";
import { useRouter } from "next/navigation";
import { useId, useRef, useState, type DragEvent, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import type { ActionResult } from "@/lib/errors";
import type { CsvImportResult } from "@/lib/audience/csv-import";
import { CsvImportSummary } from "./csv-import-summary";

const MAX_BYTES = 5 * 1024 * 1024;

export function UploadCsvDialog({ seriesId, open, onOpenChange }: { seriesId: string; open: boolean; onOpenChange: (open: boolean) => void }) {
  const router = useRouter();
  const inputId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<CsvImportResult | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [chosen, setChosen] = useState<string | null>(null);

  /** A file dropped on the zone goes into the file input, as if it had been chosen there. */
  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    const files = event.dataTransfer.files;
    if (!files.length || !inputRef.current) return;
    if (files.length > 1) {
      setError("Drop one CSV file at a time.");
      return;
    }
    inputRef.current.files = files;
    setChosen(files[0].name);
    setError(null);
  }

  function close(next: boolean) {
    if (!next) {
      setError(null);
      setResult(null);
      setChosen(null);
    }
    onOpenChange(next);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const file = new FormData(event.currentTarget).get("file");
    if (!(file instanceof File) || file.size === 0) {
      setError(file instanceof File && file.name ? "The file is empty." : "Choose a CSV file to upload.");
      return;
    }
    // Refused here too so that nobody waits for a 40 MB upload only to be told the limit.
    if (file.size > MAX_BYTES) {
      setError(`The file is ${(file.size / (1024 * 1024)).toFixed(1)} MB; the limit is 5 MB. Split it into smaller files.`);
      return;
    }
    setPending(true);
    setError(null);
    setResult(null);
    try {
      const body = new FormData();
      body.set("file", file);
      const response = await fetch(`/series/${encodeURIComponent(seriesId)}/audience/upload`, { method: "POST", body });
      const reply = (await response.json()) as ActionResult<CsvImportResult>;
      if (!reply.ok) {
        setError(reply.error.message);
      } else {
        setResult(reply.data);
        formRef.current?.reset();
        setChosen(null);
        router.refresh();
      }
    } catch {
      setError("The upload did not reach Roster. Check your connection and try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={close}
      wide
      title="Upload CSV"
      description="Each import becomes a source of this audience, named after the file."
    >
      <form ref={formRef} onSubmit={onSubmit} className="space-y-4">
        <div className="rounded-md bg-slate-50 p-3 text-sm text-slate-700">
          <p>
            A header row with an <code className="font-semibold">email</code> column and, optionally, a{" "}
            <code className="font-semibold">name</code> column. Without a header, the email comes first and the name second.
          </p>
          <p className="mt-1 text-slate-500">UTF-8 (with or without BOM), up to 50,000 rows and 5 MB. Bad rows are listed by line; the rest are imported.</p>
          <p className="mt-2">
            <a href={`/series/${encodeURIComponent(seriesId)}/audience/template`} download className="font-medium text-blue-700 underline hover:text-blue-900">
              Download a template (CSV)
            </a>
          </p>
        </div>
        <div
          data-testid="csv-drop-zone"
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          className={`space-y-1.5 rounded-md border-2 border-dashed p-4 transition-colors ${dragging ? "border-blue-500 bg-blue-50" : "border-slate-300"}`}
        >
          <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">
            CSV file
          </label>
          <input
            ref={inputRef}
            id={inputId}
            name="file"
            type="file"
            accept=".csv,text/csv,text/plain"
            required
            aria-describedby={`${inputId}-drop`}
            onChange={(e) => setChosen(e.target.files?.[0]?.name ?? null)}
            className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border-0 file:bg-blue-50 file:px-3 file:py-2 file:text-sm file:font-medium file:text-blue-800 hover:file:bg-blue-100"
          />
          <p id={`${inputId}-drop`} className="text-xs text-slate-500">
            {chosen ? `Chosen: ${chosen}` : "Or drop a CSV file here."}
          </p>
        </div>
        {error && <Alert tone="error">{error}</Alert>}
        {result && <CsvImportSummary result={result} />}
        <div className="flex justify-end gap-2 pt-1">
          <Button variant="secondary" onClick={() => close(false)}>
            {result ? "Done" : "Cancel"}
          </Button>
          <Button type="submit" disabled={pending}>
            {pending ? "Uploading…" : "Upload"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
