import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/layout/page-header";
import { requirePageActor } from "@/lib/auth/page";
import { listSeriesForActor } from "@/lib/audience/series-list";
import { getDb } from "@/lib/db";

export const metadata: Metadata = { title: "Series" };

export default async function SeriesPage() {
  const db = await getDb();
  const actor = await requirePageActor(db, "/series");
  const series = await listSeriesForActor(db, actor);

  return (
    <>
      <PageHeader title="Your series">
        <p className="mt-1 text-sm text-slate-600">Each series sends to its own audience. Open one to see and manage its recipients.</p>
      </PageHeader>
      {series.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">
          Your organization has no series yet.
        </p>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {series.map((s) => (
            <li key={s.id}>
              <Link
                href={`/series/${s.id}/audience`}
                className="block h-full rounded-lg border border-slate-200 bg-white p-5 shadow-sm transition hover:border-blue-300 hover:shadow"
              >
                <span className="block text-xs font-medium uppercase tracking-wide text-slate-500">{s.organizationName}</span>
                <span className="mt-1 block text-lg font-semibold text-slate-900">{s.name}</span>
                <span className="mt-3 block text-sm text-slate-600">
                  {s.recipientCount.toLocaleString("en-US")} {s.recipientCount === 1 ? "recipient" : "recipients"}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
