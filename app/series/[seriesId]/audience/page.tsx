import type { Metadata } from "next";
import Link from "next/link";
import { AudienceSummary } from "@/components/audience/audience-summary";
import { ManageRecipientsMenu } from "@/components/audience/manage-recipients-menu";
import { Pagination } from "@/components/audience/pagination";
import { RecipientFilters } from "@/components/audience/recipient-filters";
import { RecipientsTable } from "@/components/audience/recipients-table";
import { ExclusionsTable } from "@/components/audience/exclusions-table";
import { GroupExclusionsList } from "@/components/audience/group-exclusions-list";
import { listGroupExclusions } from "@/lib/sync/group-exclusions";
import { countExclusions, listExclusions } from "@/lib/audience/exclusions";
import { ImportsList } from "@/components/audience/imports-list";
import { listImports } from "@/lib/audience/csv-sources";
import { WhyLookup } from "@/components/directory/why-lookup";
import { PageHeader } from "@/components/layout/page-header";
import { audienceSummary, countRecipients, listRecipients, listSources } from "@/lib/audience/recipients";
import { requirePageActor, requirePageSeries } from "@/lib/auth/page";
import { getDb } from "@/lib/db";

export const metadata: Metadata = { title: "Audience" };

const PAGE_SIZE = 50;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function AudiencePage({
  params,
  searchParams,
}: {
  params: Promise<{ seriesId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { seriesId } = await params;
  const sp = await searchParams;
  const basePath = `/series/${seriesId}/audience`;
  const db = await getDb();
  const actor = await requirePageActor(db, basePath);
  const series = await requirePageSeries(db, actor, seriesId);
  const organizationName = actor.memberships.find((m) => m.organizationId === series.organizationId)?.organizationName;

  const q = one(sp.q).trim();
  const sourceId = one(sp.source);
  const page = Number.parseInt(one(sp.page), 10) || 1;
  const show = one(sp.show) === "excluded" ? "excluded" : "recipients";
  const [count, list, sources, summary, excludedCount, excluded, imports, excludedGroups] = await Promise.all([
    countRecipients(db, series.id),
    listRecipients(db, actor, { seriesId: series.id, q, sourceId, page, pageSize: PAGE_SIZE }),
    listSources(db, actor, series.id),
    audienceSummary(db, actor, series.id),
    countExclusions(db, series.id),
    show === "excluded" ? listExclusions(db, actor, { seriesId: series.id, q, limit: 500 }) : null,
    listImports(db, actor, series.id),
    show === "excluded" ? listGroupExclusions(db, actor, series.id) : [],
  ]);
  const filtered = Boolean(q || sourceId);

  return (
    <>
      <PageHeader
        eyebrow={
          <nav aria-label="Breadcrumb">
            <Link href="/series" className="hover:text-slate-800 hover:underline">
              {organizationName ?? "Series"}
            </Link>
            <span aria-hidden="true"> / </span>
            <span>{series.name}</span>
            <span aria-hidden="true"> / </span>
            <span aria-current="page">Audience</span>
          </nav>
        }
        title={series.name}
        actions={<ManageRecipientsMenu seriesId={series.id} />}
      >
        <p className="mt-2 text-3xl font-semibold tabular-nums text-blue-700">
          {count.toLocaleString("en-US")} {count === 1 ? "recipient" : "recipients"}
        </p>
        {excludedCount > 0 && (
          <p className="mt-1 text-sm text-slate-600">
            <Link href={`${basePath}?show=excluded`} className="underline hover:text-slate-900">
              {excludedCount.toLocaleString("en-US")} excluded
            </Link>
          </p>
        )}
      </PageHeader>

      <AudienceSummary sources={summary} />
      <ImportsList seriesId={series.id} imports={imports} />

      <section aria-labelledby="recipients-heading">
        <h2 id="recipients-heading" className="sr-only">
          Recipients
        </h2>
        {/* The "why" lookup sits beside the search, so it is reached without scrolling past the table. */}
        <div className="mb-4 flex flex-col gap-4 lg:flex-row lg:items-start">
          <div className="min-w-0 flex-1">
            <RecipientFilters action={basePath} q={q} sourceId={sourceId} sources={sources} show={show} excludedCount={excludedCount} />
          </div>
          <div className="lg:w-96">
            <WhyLookup seriesId={series.id} compact />
          </div>
        </div>
        {excludedGroups.length > 0 ? (
          <GroupExclusionsList
            seriesId={series.id}
            items={excludedGroups.map((g) => ({ ...g, createdAt: g.createdAt.toISOString(), refreshedAt: g.refreshedAt?.toISOString() ?? null }))}
          />
        ) : null}
        {excluded ? (
          excluded.rows.length === 0 ? (
            <div className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center text-slate-600">
              <p>{q ? "No excluded address matches this search." : "No address is excluded from this audience."}</p>
            </div>
          ) : (
            <>
              <ExclusionsTable
                seriesId={series.id}
                caption={`Excluded from ${series.name}`}
                rows={excluded.rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }))}
              />
              {excluded.total > excluded.rows.length && (
                <p className="mt-2 text-sm text-slate-600">
                  The newest {excluded.rows.length.toLocaleString("en-US")} of {excluded.total.toLocaleString("en-US")} exclusions are shown; search to find others.
                </p>
              )}
            </>
          )
        ) : list.rows.length === 0 ? (
          <div className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center text-slate-600">
            {filtered ? (
              <p>No one matches this search.</p>
            ) : (
              <>
                <p className="font-medium text-slate-800">This audience is empty.</p>
                <p className="mt-1 text-sm">Use Manage recipients to add people, upload a CSV, or sync directory groups.</p>
              </>
            )}
          </div>
        ) : (
          <>
            <RecipientsTable seriesId={series.id} rows={list.rows} caption={`Recipients of ${series.name}`} />
            <Pagination
              basePath={basePath}
              params={{ ...(q ? { q } : {}), ...(sourceId ? { source: sourceId } : {}) }}
              page={list.page}
              pageCount={list.pageCount}
              total={list.total}
              pageSize={list.pageSize}
            />
          </>
        )}
      </section>
    </>
  );
}
