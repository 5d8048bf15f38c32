import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/layout/page-header";
import { RevokeSetupLink } from "@/components/setup-links/revoke-setup-link";
import { SetupLinkForm } from "@/components/setup-links/setup-link-form";
import { Alert } from "@/components/ui/alert";
import { isAdminAnywhere } from "@/lib/auth/actor";
import { requirePageActor } from "@/lib/auth/page";
import { listConnections } from "@/lib/connections/queries";
import { getDb } from "@/lib/db";
import { mailConfigured } from "@/lib/mail/transport";
import { listSetupLinks, type SetupLinkStatus } from "@/lib/setup-links/manage";
import { createSetupLinkAction, revokeSetupLinkAction } from "./actions";

export const metadata: Metadata = { title: "Setup links" };

const STATUS: Record<SetupLinkStatus, string> = { waiting: "Sent", opened: "Opened", completed: "Completed", revoked: "Revoked", expired: "Expired" };

/** Admins send IT a one-time link to set up a connection or rotate its secret, and see or revoke what they sent. */
export default async function SetupLinksPage() {
  const db = await getDb();
  const actor = await requirePageActor(db, "/admin/directory/setup-links");
  if (!isAdminAnywhere(actor)) return null; // the admin layout shows the refusal
  const organizations = actor.memberships.filter((m) => m.role === "admin").map((m) => ({ id: m.organizationId, name: m.organizationName }));
  const connections = (await listConnections(db, actor)).map((c) => ({ id: c.id, name: c.name }));
  const links = await listSetupLinks(db, actor);
  const orgName = new Map(organizations.map((o) => [o.id, o.name]));
  return (
    <div className="space-y-6">
      <PageHeader title="Setup links" eyebrow={<Link href="/admin/directory" className="hover:underline">Directory connections</Link>}>
        <p className="mt-1 text-sm text-slate-600">
          Send the person who manages your Microsoft Entra ID a one-time link: they complete the connection wizard (or the secret rotation) themselves,
          without a Roster account, so the client secret never passes through you. The link works once and expires after 7 days.
        </p>
      </PageHeader>
      {!mailConfigured() && <Alert tone="warning">Email is not set up (SMTP_URL): Roster shows you the link to pass on yourself.</Alert>}
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="send-heading">
        <h2 id="send-heading" className="mb-3 text-base font-semibold text-slate-900">Send a setup link</h2>
        <SetupLinkForm organizations={organizations} connections={connections} create={createSetupLinkAction} />
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="sent-heading">
        <h2 id="sent-heading" className="mb-3 text-base font-semibold text-slate-900">Links sent</h2>
        {links.length === 0 ? (
          <p className="text-sm text-slate-600">No setup links yet.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-slate-500">
              <tr>
                <th className="py-1 pr-3 font-medium">For</th>
                <th className="py-1 pr-3 font-medium">IT contact</th>
                <th className="py-1 pr-3 font-medium">Status</th>
                <th className="py-1 pr-3 font-medium">Expires</th>
                <th className="py-1 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {links.map((l) => (
                <tr key={l.id}>
                  <td className="py-2 pr-3">
                    {l.purpose === "rotate" ? `New secret for ${l.connectionName ?? "a deleted connection"}` : `New connection for ${orgName.get(l.organizationId) ?? ""}`}
                    {l.resultConnectionId && (
                      <>
                        {" · "}
                        <Link className="text-blue-700 hover:underline" href={`/admin/directory/${l.resultConnectionId}`}>open</Link>
                      </>
                    )}
                  </td>
                  <td className="py-2 pr-3">{l.contactName} &lt;{l.contactEmail}&gt;</td>
                  <td className="py-2 pr-3">{STATUS[l.status]}</td>
                  <td className="py-2 pr-3">{l.expiresAt.slice(0, 10)}</td>
                  <td className="py-2">
                    {(l.status === "waiting" || l.status === "opened") && <RevokeSetupLink linkId={l.id} contact={l.contactEmail} revoke={revokeSetupLinkAction} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
