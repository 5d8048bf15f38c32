import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";

/** Previous / next by page number, keeping the search and filter in the URL. */
export function Pagination({
  basePath,
  params,
  page,
  pageCount,
  total,
  pageSize,
}: {
  basePath: string;
  params: Record<string, string>;
  page: number;
  pageCount: number;
  total: number;
  pageSize: number;
}) {
  const href = (p: number) => {
    const search = new URLSearchParams({ ...params, ...(p > 1 ? { page: String(p) } : {}) });
    const qs = search.toString();
    return qs ? `${basePath}?${qs}` : basePath;
  };
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(page * pageSize, total);
  const fmt = (v: number) => v.toLocaleString("en-US");
  return (
    <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600">
      <p>
        Showing {fmt(from)}–{fmt(to)} of {fmt(total)}
        {pageCount > 1 && <span className="text-slate-400"> · page {fmt(page)} of {fmt(pageCount)}</span>}
      </p>
      {pageCount > 1 && (
        <div className="flex gap-2">
          {page > 1 ? (
            <Link href={href(page - 1)} className={buttonClasses("secondary")} rel="prev">
              Previous
            </Link>
          ) : (
            <span className={buttonClasses("secondary", "pointer-events-none opacity-50")} aria-disabled="true">
              Previous
            </span>
          )}
          {page < pageCount ? (
            <Link href={href(page + 1)} className={buttonClasses("secondary")} rel="next">
              Next
            </Link>
          ) : (
            <span className={buttonClasses("secondary", "pointer-events-none opacity-50")} aria-disabled="true">
              Next
            </span>
          )}
        </div>
      )}
    </nav>
  );
}
