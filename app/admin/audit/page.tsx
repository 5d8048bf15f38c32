import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/layout/page-header";
import { buttonClasses } from "@/components/ui/button";
import { inputClasses } from "@/components/ui/field";
import { AUDIT_KINDS, describeDetails, listAuditEvents } from "@/lib/audit/list";
import { isAdminAnywhere } from "@/lib/auth/actor";
import { requirePageActor } from "@/lib/auth/page";
import { getDb } from "@/lib/db";
import { RosterError } from "@/lib/errors";

export const metadata: Metadata = { title: "Audit log" };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

/** The audit log of the organizations the admin administers: filter by kind, person and dates; export as CSV. */
export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const db = await getDb();
  const actor = await requirePageActor(db, "/admin/audit");
  if (!isAdminAnywhere(actor)) return null; // the admin layout shows the refusal
  const sp = await searchParams;
  const filter = { kind: one(sp.kind), person: one(sp.person), from: one(sp.from), to: one(sp.to) };
  const result = await listAuditEvents(db, actor, { ...filter, limit: 500 }).then(
    (rows) => ({ rows, problem: null as string | null }),
    (error: unknown) => {
      if (error instanceof RosterError) return { rows: [], problem: error.message };
      throw error;
    },
  );
  const { rows, problem } = result;
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v)).toString();
  return (
    <div>
      <PageHeader
        title="Audit log"
        actions={
          <a href={`/admin/audit/export${query ? `?${query}` : ""}`} download className={buttonClasses("secondary")}>
            Export CSV
          </a>
        }
      >
        <p className="mt-1 text-sm text-slate-600">Who changed what, and when, in the organizations you administer. The newest 500 entries matching the filter are shown; the export has up to 50,000.</p>
      </PageHeader>
      <form action="/admin/audit" method="get" role="search" aria-label="Filter the audit log" className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-end">
        <div className="space-y-1.5 sm:w-48">
          <label htmlFor="audit-kind" className="block text-sm font-medium text-slate-800">Kind</label>
          <select id="audit-kind" name="kind" defaultValue={filter.kind} className={inputClasses}>
            <option value="">All kinds</option>
            {AUDIT_KINDS.map((k) => (
              <option key={k} value={k}>{k.replace("_", " ")}</option>
            ))}
          </select>
        </div>
        <div className="flex-1 space-y-1.5">
          <label htmlFor="audit-person" className="block text-sm font-medium text-slate-800">Person</label>
          <input id="audit-person" name="person" type="search" defaultValue={filter.person} placeholder="Email or label" className={inputClasses} />
        </div>
        <div className="space-y-1.5">
          <label htmlFor="audit-from" className="block text-sm font-medium text-slate-800">From</label>
          <input id="audit-from" name="from" type="date" defaultValue={filter.from} className={inputClasses} />
        </div>
        <div className="space-y-1.5">
          <label htmlFor="audit-to" className="block text-sm font-medium text-slate-800">To</label>
          <input id="audit-to" name="to" type="date" defaultValue={filter.to} className={inputClasses} />
        </div>
        <div className="flex gap-2">
          <button type="submit" className={buttonClasses("secondary")}>Filter</button>
          {query ? <Link href="/admin/audit" className={buttonClasses("ghost")}>Clear</Link> : null}
        </div>
      </form>
      {problem ? <p className="mb-4 text-sm font-medium text-red-700">{problem}</p> : null}
      {rows.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No entries match.</div>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Audit log</caption>
            <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-2">When (UTC)</th>
                <th scope="col" className="px-3 py-2">Who</th>
                <th scope="col" className="px-3 py-2">What</th>
                <th scope="col" className="px-3 py-2">Details</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((r) => (
                <tr key={r.id} className="align-top">
                  <td className="whitespace-nowrap px-3 py-2 tabular-nums text-slate-700">{r.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td>
                  <td className="px-3 py-2 text-slate-900">{r.actor}</td>
                  <td className="px-3 py-2 font-medium text-slate-900">{r.action}{r.organizationName ? <span className="block text-xs font-normal text-slate-500">{r.organizationName}</span> : null}</td>
                  <td className="px-3 py-2 break-words text-slate-700">{describeDetails(r.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
