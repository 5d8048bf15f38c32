import type { ChecklistItem } from "@/lib/directory/types";

/** The verification checklist: each line passed, failed (with cause, fix and the raw text behind Details), or not checked. */
export function VerificationChecklist({ items, heading = "Verification" }: { items: ChecklistItem[]; heading?: string }) {
  const failed = items.filter((i) => !i.ok && !i.skipped).length;
  // With no application permissions at all, every permission line fails for the one reason given above it;
  // repeating the same long fix three times buries it, so those lines point back to it instead.
  const delegatedOnly = items.some((i) => !i.ok && i.code === "delegated_only");
  const fixOf = (item: ChecklistItem) =>
    delegatedOnly && item.code === "permission_missing" ? "see “Application permissions granted” above." : item.fix;
  return (
    <section aria-label={heading} className="space-y-2">
      <h3 className="text-sm font-semibold text-slate-900">
        {heading}: {failed === 0 && items.every((i) => i.ok) ? "all checks passed" : `${failed} ${failed === 1 ? "check" : "checks"} failed`}
      </h3>
      <ul className="divide-y divide-slate-100 rounded-md border border-slate-200 bg-white">
        {items.map((item) => (
          <li key={item.id} className="px-3.5 py-2.5 text-sm" data-check={item.id} data-ok={item.ok}>
            <div className="flex items-start gap-2">
              <span aria-hidden="true" className={item.ok ? "text-emerald-600" : item.skipped ? "text-slate-400" : "text-red-600"}>
                {item.ok ? "✓" : item.skipped ? "–" : "✗"}
              </span>
              <div className="min-w-0 flex-1">
                <p className="font-medium text-slate-900">
                  {item.label}
                  <span className="sr-only">: {item.ok ? "passed" : item.skipped ? "not checked" : "failed"}</span>
                </p>
                {!item.ok && item.title && <p className={item.skipped ? "text-slate-500" : "text-red-800"}>{item.title}</p>}
                {!item.ok && item.fix && <p className="mt-0.5 text-slate-700">Fix: {fixOf(item)}</p>}
                {item.ok && item.note && <p className="mt-0.5 text-slate-600">{item.note}</p>}
                {item.details && (
                  <details className="mt-1 text-xs text-slate-600">
                    <summary className="cursor-pointer select-none">Details</summary>
                    <pre className="mt-1 whitespace-pre-wrap break-words rounded bg-slate-50 p-2 font-mono">{item.details}</pre>
                  </details>
                )}
              </div>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
