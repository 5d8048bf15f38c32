import { Alert } from "@/components/ui/alert";
import type { CsvImportResult } from "@/lib/audience/csv-import";

const n = (value: number) => value.toLocaleString("en-US");

/** What an upload did, and each rejected row with its line number and reason, so the file can be fixed. */
export function CsvImportSummary({ result }: { result: CsvImportResult }) {
  const alreadyThere = result.imported - result.added;
  return (
    <div className="space-y-3">
      <Alert tone={result.imported > 0 ? "success" : "warning"}>
        <p className="font-medium">
          {result.imported > 0 ? `Imported ${result.fileName}.` : `Nothing was imported from ${result.fileName}.`}
        </p>
        <ul className="mt-1 list-disc space-y-0.5 pl-5">
          <li>{n(result.added)} added</li>
          {alreadyThere > 0 && <li>{n(alreadyThere)} already in the audience</li>}
          <li>
            {n(result.rejected)} {result.rejected === 1 ? "row" : "rows"} rejected
          </li>
        </ul>
      </Alert>
      {result.problems.length > 0 && (
        <div>
          <h3 className="text-sm font-semibold text-slate-800">Rows not imported</h3>
          <ul aria-label="Rows not imported" className="mt-2 max-h-60 divide-y divide-slate-100 overflow-y-auto rounded-md border border-slate-200 text-sm">
            {result.problems.map((p) => (
              <li key={`${p.line}-${p.reason}`} className="flex gap-3 px-3 py-1.5">
                <span className="w-16 shrink-0 font-mono text-slate-500">Line {p.line}</span>
                <span>
                  <span className="font-medium text-slate-800">{p.reason}</span>
                  <span className="text-slate-600">: {p.detail}</span>
                </span>
              </li>
            ))}
          </ul>
          {result.rejected > result.problems.length && (
            <p className="mt-1 text-xs text-slate-500">
              The first {n(result.problems.length)} of {n(result.rejected)} rejected rows are listed.
            </p>
          )}
        </div>
      )}
    </div>
  );
}
