import type { Metadata } from "next";
import { headers } from "next/headers";
import { ConnectionWizard } from "@/components/connections/connection-wizard";
import { RotateSecretForm } from "@/components/connections/rotate-secret-form";
import { PageHeader } from "@/components/layout/page-header";
import { Alert } from "@/components/ui/alert";
import { clientAddress } from "@/lib/auth/client-address";
import { getDb } from "@/lib/db";
import { resolveSetupLink } from "@/lib/setup-links/resolve";
import { completeSetupAction, prepareSetupCredentialAction, rotateViaSetupLinkAction, verifySetupDraftAction } from "./actions";

// The token is in the address: no referrer may carry it to another site, and no search engine may keep it.
export const metadata: Metadata = { title: "Set up a directory connection", referrer: "no-referrer", robots: { index: false, follow: false } };

function Unavailable({ rateLimited }: { rateLimited?: boolean }) {
  return (
    <div className="mx-auto max-w-xl">
      <PageHeader title="This link cannot be used" />
      <Alert tone="warning">
        {rateLimited
          ? "Too many wrong setup links were opened from this network. Try again in 15 minutes."
          : "This setup link has been used, has expired, or was withdrawn. Ask the person who sent it to you for a new one."}
      </Alert>
    </div>
  );
}

/**
 * What an emailed setup link opens: the admin's own wizard (or the rotate form) for that one connection, with
 * server actions bound to the link's token, and nothing else: no sign-in, no navigation into Roster. A link
 * that cannot be used gets the same page whatever the reason, naming no organization.
 */
export default async function SetupLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const resolved = await resolveSetupLink(await getDb(), token, { client: clientAddress(await headers()), markOpened: true });
  if (resolved.state === "rate_limited") return <Unavailable rateLimited />;
  if (resolved.state === "unavailable") return <Unavailable />;
  if (resolved.state === "done") {
    return (
      <div className="mx-auto max-w-xl">
        <PageHeader title="Done, thank you" />
        <Alert tone="success">
          {resolved.purpose === "rotate"
            ? "The new client secret works and Roster uses it now. The person who sent you the link has been told which old secret can be deleted in Azure."
            : "The directory connection is saved. The person who sent you the link has been told; there is nothing more to do here."}
        </Alert>
      </div>
    );
  }
  const { link, organization } = resolved;
  if (link.purpose === "rotate" && link.connectionId) {
    return (
      <div className="mx-auto max-w-3xl space-y-4">
        <PageHeader title="Rotate the client secret">
          <p className="mt-1 text-sm text-slate-600">
            For {organization.name}. In Azure (App registrations → the app → Certificates &amp; secrets) add a <strong>new</strong> client secret and keep the old
            one; enter the new one here. Roster signs in with it first and replaces the old one only if that works.
          </p>
        </PageHeader>
        <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
          <RotateSecretForm connectionId={link.connectionId} rotate={rotateViaSetupLinkAction.bind(null, token)} />
        </section>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader title="Connect Microsoft Entra ID">
        <p className="mt-1 text-sm text-slate-600">
          {organization.name} asked you to connect its Microsoft Entra ID directory to Roster. In Azure (Microsoft Entra ID → App registrations): register an
          app, add the Microsoft Graph <strong>Application</strong> permissions (not Delegated) Group.Read.All, GroupMember.Read.All and User.Read.All,
          select “Grant admin consent”, and give it the credential you choose in step 3 (a federated credential is recommended). “Verify connection”
          checks each step and says what to fix.
          This link works once.
        </p>
      </PageHeader>
      <ConnectionWizard
        organizations={[organization]}
        defaultOwner={{ name: link.contactName, email: link.contactEmail }}
        actions={{ verify: verifySetupDraftAction.bind(null, token), create: completeSetupAction.bind(null, token), prepareCredential: prepareSetupCredentialAction.bind(null, token) }}
        savedHref={`/setup/${token}`}
      />
    </div>
  );
}
