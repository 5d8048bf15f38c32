import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { HealthBadge, SecretExpiryText, StatusBadge } from "@/components/connections/connection-badges";
import { ConnectionChecks } from "@/components/connections/connection-checks";
import { ConnectionOptionsForm } from "@/components/connections/connection-options-form";
import { CopyButton } from "@/components/connections/copy-button";
import { CredentialSection } from "@/components/connections/credential-section";
import { DeleteConnection } from "@/components/connections/delete-connection";
import { RemovalThresholdForm } from "@/components/connections/removal-threshold-form";
import { RotateSecretForm } from "@/components/connections/rotate-secret-form";
import { SavedConnectionNotice } from "@/components/connections/saved-connection-notice";
import { VerificationChecklist } from "@/components/connections/verification-checklist";
import { PageHeader } from "@/components/layout/page-header";
import { Alert } from "@/components/ui/alert";
import { isAdminAnywhere } from "@/lib/auth/actor";
import { requirePageActor } from "@/lib/auth/page";
import { connectionDeletionImpact } from "@/lib/connections/delete";
import { getConnection } from "@/lib/connections/queries";
import { connectionIncrementalSync } from "@/lib/connections/incremental";
import { connectionThreshold } from "@/lib/connections/thresholds";
import { describeCredentialExpiry, EXPIRY_NOTICE_DAYS } from "@/lib/connections/secret-expiry";
import { getDb } from "@/lib/db";
import { RosterError } from "@/lib/errors";
import {
  deleteConnectionAction,
  prepareCertificateAction,
  refreshGroupsAction,
  rotateSecretAction,
  switchCredentialAction,
  updateConnectionOptionsAction,
  verifyConnectionAction,
} from "./actions";
import { AlertsSection } from "./alerts-section";
import { updateThresholdAction } from "./threshold-actions";

export const metadata: Metadata = { title: "Directory connection" };

const CLOUD = { global: "Azure Global", usgov: "Azure Government" } as const;
const when = (iso: string | null) => (iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "never");

export default async function ConnectionPage({
  params,
  searchParams,
}: {
  params: Promise<{ connectionId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { connectionId } = await params;
  const justSaved = (await searchParams).saved === "1";
  const db = await getDb();
  const actor = await requirePageActor(db, `/admin/directory/${connectionId}`);
  if (!isAdminAnywhere(actor)) return null; // the admin layout shows the refusal
  let connection;
  try {
    connection = await getConnection(db, actor, connectionId);
  } catch (error) {
    if (error instanceof RosterError && (error.code === "not_found" || error.code === "forbidden")) notFound();
    throw error;
  }
  const impact = await connectionDeletionImpact(db, actor, connection.id);
  const threshold = await connectionThreshold(db, actor, connection.id);
  const incremental = await connectionIncrementalSync(db, actor, connection.id);
  const administered = new Map(actor.memberships.filter((m) => m.role === "admin").map((m) => [m.organizationId, m.organizationName]));
  const orgChoices = [
    ...[...administered].map(([id, name]) => ({ id, name, administered: true })),
    ...connection.organizations.filter((o) => !administered.has(o.id)).map((o) => ({ ...o, administered: false })),
  ];
  const required = connection.requiredPermissions;
  const expiry = connection.credentialExpiry;
  // The last verification never got a token (directory not found, secret refused, secret unreadable).
  const signInFailed = (connection.lastVerification ?? []).some((i) => ["tenant", "token", "secret"].includes(i.id) && !i.ok && !i.skipped);

  return (
    <div className="space-y-6">
      <PageHeader title={connection.name} eyebrow={<Link href="/admin/directory" className="hover:underline">Directory connections</Link>}>
        <div className="mt-2 flex flex-wrap items-center gap-2 text-sm text-slate-600">
          <StatusBadge status={connection.status} />
          <HealthBadge health={connection.health} />
          <span>{CLOUD[connection.cloud]}</span>
        </div>
      </PageHeader>

      {connection.status === "active" && (
        <SavedConnectionNotice justSaved={justSaved} healthy={connection.health === "healthy"} organizations={connection.organizations.map((o) => o.name)} />
      )}
      {connection.status === "draft" && (
        <Alert tone="warning">This connection is a draft: it failed verification, so editors cannot use it yet. Fix the problems below and verify again.</Alert>
      )}
      {expiry && expiry.status.level !== "ok" && expiry.status.daysLeft <= EXPIRY_NOTICE_DAYS && (
        <Alert tone={expiry.status.level === "soon" ? "warning" : "error"}>
          {describeCredentialExpiry(expiry)}{" "}
          {expiry.kind === "certificate"
            ? "Create the next certificate under “Credential” below, upload it in Azure, then verify it: the current one keeps working until then."
            : "Create a new client secret in Azure and use “Rotate secret” below."}
        </Alert>
      )}

      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="health-heading">
        <h2 id="health-heading" className="text-base font-semibold text-slate-900">Health</h2>
        <dl className="mt-3 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
          <div><dt className="text-slate-500">Last verified</dt><dd className="text-slate-900">{when(connection.lastVerifiedAt)}</dd></div>
          <div><dt className="text-slate-500">Groups refreshed</dt><dd className="text-slate-900">{when(connection.groupsRefreshedAt)}</dd></div>
          {incremental ? (
            <>
              <div><dt className="text-slate-500">Checked for changes</dt><dd className="text-slate-900">{when(incremental.lastDeltaAt)}</dd></div>
              <div><dt className="text-slate-500">Last full pass</dt><dd className="text-slate-900">{when(incremental.lastFullAt)}</dd></div>
              <div className="sm:col-span-2">
                <dt className="text-slate-500">Drift found by the last reconcile</dt>
                <dd className="text-slate-900" data-testid="reconcile-drift">
                  {incremental.lastFullDrift === null
                    ? "no reconcile yet (it runs with the connection's schedule)"
                    : incremental.lastFullDrift === 0
                      ? "none: the change checks had missed nothing"
                      : `${incremental.lastFullDrift} address change${incremental.lastFullDrift === 1 ? "" : "s"} the change checks had missed (applied; an alert went to the connection's admins)`}
                </dd>
              </div>
            </>
          ) : null}
          <div className="sm:col-span-2">
            <dt className="text-slate-500">Granted application permissions</dt>
            <dd className="text-slate-900" data-testid="granted-permissions">
              {signInFailed ? (
                // Without a token there are no roles to read: "not granted" would send the admin to the wrong fix.
                <span>
                  <span aria-hidden="true" className="text-red-600">✗</span> Sign-in failed, so the permissions were not checked
                  {connection.lastError ? `: ${connection.lastError.title}.` : "."}
                </span>
              ) : (
                required.map((p) => (
                  <span key={p} className="mr-3 inline-block">
                    <span aria-hidden="true">{connection.grantedRoles.includes(p) ? "✓" : "✗"}</span> {p}
                    <span className="sr-only">{connection.grantedRoles.includes(p) ? " granted" : " not granted"}</span>
                  </span>
                ))
              )}
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">Application (client) ID</dt>
            <dd className="flex flex-wrap items-center gap-2 font-mono text-slate-900">{connection.clientId} <CopyButton value={connection.clientId} what="client ID" /></dd>
          </div>
          <div>
            <dt className="text-slate-500">Directory (tenant) ID</dt>
            <dd className="flex flex-wrap items-center gap-2 font-mono text-slate-900">{connection.tenantId} <CopyButton value={connection.tenantId} what="tenant ID" /></dd>
          </div>
        </dl>
        {connection.lastError && (
          <Alert tone="error" className="mt-4">
            <p className="font-medium">Last error: {connection.lastError.title}</p>
            <p className="mt-1">Fix: {connection.lastError.fix}</p>
            {connection.lastError.details && (
              <details className="mt-1 text-xs">
                <summary className="cursor-pointer">Details</summary>
                <pre className="mt-1 whitespace-pre-wrap break-words font-mono">{connection.lastError.details}</pre>
              </details>
            )}
          </Alert>
        )}
        <div className="mt-4">
          <ConnectionChecks connectionId={connection.id} verify={verifyConnectionAction} refreshGroups={refreshGroupsAction} />
        </div>
        {connection.lastVerification && (
          <div className="mt-4">
            <VerificationChecklist heading="Last verification" items={connection.lastVerification} />
          </div>
        )}
      </section>

      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="credential-heading">
        <h2 id="credential-heading" className="mb-3 text-base font-semibold text-slate-900">Credential</h2>
        <CredentialSection connectionId={connection.id} credential={connection.credential} prepare={prepareCertificateAction} switchTo={switchCredentialAction} />
      </section>

      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="secret-heading">
        <h2 id="secret-heading" className="text-base font-semibold text-slate-900">Client secret{connection.credential.kind !== "secret" ? " (not in use)" : ""}</h2>
        {connection.secretId === null ? (
          <p className="mt-3 text-sm text-slate-600">This connection has no client secret: it was made with another credential.</p>
        ) : (
          <dl className="mt-3 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
            <div>
              <dt className="text-slate-500">Secret ID</dt>
              <dd className="flex flex-wrap items-center gap-2 font-mono text-slate-900">{connection.secretId ?? "none"} {connection.secretId && <CopyButton value={connection.secretId} what="Secret ID" />}</dd>
            </div>
            <div><dt className="text-slate-500">Value</dt><dd className="font-mono text-slate-900">{connection.secretHint ?? "none"}</dd></div>
            <div><dt className="text-slate-500">Expires</dt><dd>{connection.credential.kind === "secret" ? <SecretExpiryText view={connection} /> : `${connection.secretExpiresOn ?? "none"} (not in use)`}</dd></div>
          </dl>
        )}
        <h3 className="mt-5 text-sm font-semibold text-slate-900">Rotate secret</h3>
        <p className="mb-3 text-sm text-slate-600">
          Add a new client secret in Azure and enter it here. Roster keeps using the secret above until the new one signs in, then
          names the Secret ID you can delete in Azure. On a connection that signs in otherwise, a verified new secret becomes its credential again.
        </p>
        <RotateSecretForm connectionId={connection.id} rotate={rotateSecretAction} />
      </section>

      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="settings-heading">
        <h2 id="settings-heading" className="mb-3 text-base font-semibold text-slate-900">Settings</h2>
        <ConnectionOptionsForm connection={connection} organizations={orgChoices} update={updateConnectionOptionsAction} />
      </section>

      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="guard-heading">
        <h2 id="guard-heading" className="text-base font-semibold text-slate-900">Mass-removal guard</h2>
        <p className="mb-3 mt-1 text-sm text-slate-600">
          A sync that would remove more than both figures from a group applies nothing and waits in Needs review until an editor confirms
          it. The same figures bound what one scheduled run removes across all of this directory&apos;s groups.
        </p>
        <RemovalThresholdForm connectionId={connection.id} {...threshold} update={updateThresholdAction} />
      </section>

      <AlertsSection db={db} actor={actor} connectionId={connection.id} />

      <section className="rounded-lg border border-red-200 bg-white p-5 shadow-sm" aria-labelledby="delete-heading">
        <h2 id="delete-heading" className="text-base font-semibold text-slate-900">Delete</h2>
        <p className="mb-3 mt-1 text-sm text-slate-600">Stops syncing this directory and removes what it contributed to audiences.</p>
        <DeleteConnection connectionId={connection.id} name={connection.name} impact={impact} remove={deleteConnectionAction} />
      </section>
    </div>
  );
}
