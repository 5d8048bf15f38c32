import type { Metadata } from "next";
import Link from "next/link";
import { ConnectionWizard } from "@/components/connections/connection-wizard";
import { PageHeader } from "@/components/layout/page-header";
import { isAdminAnywhere } from "@/lib/auth/actor";
import { requirePageActor } from "@/lib/auth/page";
import { sandboxPresetAvailable } from "@/lib/connections/sandbox-preset";
import { getDb } from "@/lib/db";
import { createConnectionAction, prepareWizardCredentialAction, sandboxPresetAction, verifyConnectionDraftAction } from "./actions";

export const metadata: Metadata = { title: "New directory connection" };

export default async function NewConnectionPage() {
  const db = await getDb();
  const actor = await requirePageActor(db, "/admin/directory/new");
  if (!isAdminAnywhere(actor)) return null; // the admin layout shows the refusal

  const organizations = actor.memberships.filter((m) => m.role === "admin").map((m) => ({ id: m.organizationId, name: m.organizationName }));
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader title="Connect Microsoft Entra ID" eyebrow={<Link href="/admin/directory" className="hover:underline">Directory connections</Link>}>
        <p className="mt-1 text-sm text-slate-600">
          In Azure (Microsoft Entra ID → App registrations): register an app, add the Microsoft Graph <strong>Application</strong>{" "}
          permissions (not Delegated) Group.Read.All, GroupMember.Read.All and User.Read.All, select “Grant admin consent”, and give it
          the credential you choose in step 3 (a federated credential is recommended). “Verify connection” checks each step and says what to fix;
          the connection is saved once it passes.
        </p>
      </PageHeader>
      <ConnectionWizard
        organizations={organizations}
        defaultOwner={{ name: actor.name, email: actor.email }}
        actions={{
          verify: verifyConnectionDraftAction,
          create: createConnectionAction,
          sandboxPreset: sandboxPresetAvailable() ? sandboxPresetAction : undefined,
          prepareCredential: prepareWizardCredentialAction,
        }}
      />
    </div>
  );
}
