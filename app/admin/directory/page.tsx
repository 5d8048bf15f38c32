import type { Metadata } from "next";
import Link from "next/link";
import { HealthBadge, SecretExpiryText, StatusBadge } from "@/components/connections/connection-badges";
import { PageHeader } from "@/components/layout/page-header";
import { buttonClasses } from "@/components/ui/button";
import { isAdminAnywhere } from "@/lib/auth/actor";
import { requirePageActor } from "@/lib/auth/page";
import { listConnections } from "@/lib/connections/queries";
import { getDb } from "@/lib/db";

export const metadata: Metadata = { title: "Directory connections" };

const CLOUD = { global: "Azure Global", usgov: "Azure Government" } as const;

export default async function ConnectionsPage() {
  const db = await getDb();
  const actor = await requirePageActor(db, "/admin/directory");
  if (!isAdminAnywhere(actor)) return null; // the admin layout shows the refusal
  const connections = await listConnections(db, actor);
  return (
    <div>
      <PageHeader
        title="Directory connections"
        actions={
          <>
            <Link href="/admin/directory/setup-links" className={buttonClasses("secondary")}>
              Setup links
            </Link>
            <Link href="/admin/directory/new" className={buttonClasses("primary")}>
              New connection
            </Link>
          </>
        }
      >
        <p className="mt-1 text-sm text-slate-600">Microsoft Entra ID directories whose groups your editors can sync to audiences.</p>
      </PageHeader>
      {connections.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center">
          <h2 className="text-base font-semibold text-slate-900">No directory connected yet</h2>
          <p className="mt-1 text-sm text-slate-600">Connect an Azure App Registration to let editors sync groups into their audiences.</p>
          <Link href="/admin/directory/new" className={buttonClasses("secondary", "mt-4")}>
            Connect a directory
          </Link>
        </div>
      ) : (
        <>
          {/* Phones get one card per connection: six columns of GUIDs and dates do not fit 390px. */}
          <ul className="space-y-3 sm:hidden" aria-label="Directory connections">
            {connections.map((c) => (
              <li key={c.id} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
                <Link href={`/admin/directory/${c.id}`} className="font-medium text-blue-700 hover:underline">
                  {c.name}
                </Link>
                <div className="mt-2 flex flex-wrap items-center gap-2">
                  <StatusBadge status={c.status} />
                  <HealthBadge health={c.health} />
                </div>
                {c.lastError && <p className="mt-2 text-sm text-red-700">{c.lastError.title}</p>}
                <dl className="mt-3 space-y-1 text-sm">
                  <div className="flex gap-2"><dt className="text-slate-500">Secret expires</dt><dd><SecretExpiryText view={c} /></dd></div>
                  <div className="flex gap-2"><dt className="text-slate-500">Organizations</dt><dd className="text-slate-700">{c.organizations.map((o) => o.name).join(", ")}</dd></div>
                  <div className="flex gap-2"><dt className="text-slate-500">Last verified</dt><dd className="text-slate-700">{c.lastVerifiedAt ? formatWhen(c.lastVerifiedAt) : "Never"}</dd></div>
                </dl>
                <p className="mt-2 break-all font-mono text-xs text-slate-500">
                  {CLOUD[c.cloud]} · tenant {c.tenantId} · app {c.clientId}
                </p>
              </li>
            ))}
          </ul>
          <div className="hidden overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm sm:block">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Directory connections</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-4 py-2.5">Connection</th>
                  <th scope="col" className="px-4 py-2.5">Status</th>
                  <th scope="col" className="px-4 py-2.5">Health</th>
                  <th scope="col" className="px-4 py-2.5">Secret expires</th>
                  <th scope="col" className="px-4 py-2.5">Organizations</th>
                  <th scope="col" className="px-4 py-2.5">Last verified</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {connections.map((c) => (
                  <tr key={c.id}>
                    <td className="px-4 py-3">
                      <Link href={`/admin/directory/${c.id}`} className="font-medium text-blue-700 hover:underline">
                        {c.name}
                      </Link>
                      <div className="text-xs text-slate-500">
                        {CLOUD[c.cloud]} · tenant {c.tenantId}
                      </div>
                      <div className="text-xs text-slate-500">app {c.clientId}</div>
                    </td>
                    <td className="px-4 py-3">
                      <StatusBadge status={c.status} />
                    </td>
                    <td className="px-4 py-3">
                      <HealthBadge health={c.health} />
                      {c.lastError && <div className="mt-1 max-w-xs text-xs text-red-700">{c.lastError.title}</div>}
                    </td>
                    <td className="px-4 py-3">
                      <SecretExpiryText view={c} />
                    </td>
                    <td className="px-4 py-3 text-slate-700">{c.organizations.map((o) => o.name).join(", ")}</td>
                    <td className="px-4 py-3 text-slate-700">{c.lastVerifiedAt ? formatWhen(c.lastVerifiedAt) : "Never"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

function formatWhen(iso: string): string {
  return new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
