"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";
import type { CreateConnectionResult } from "@/lib/connections/create";
import type { PreparedWizardCredential } from "@/lib/connections/pending-credential";
import type { SandboxPreset } from "@/lib/connections/sandbox-preset";
import { cleanPasted } from "@/lib/connections/pasted";
import { checksConcerning, describeVerificationOutcome, firstProblemOf, type VerificationSummary } from "@/lib/connections/verification";
import type { ChecklistItem } from "@/lib/directory/types";
import { CopyButton } from "./copy-button";
import { CertificateFacts, CertificateValidity, FederatedCredentialValues } from "./credential-section";
import { CheckboxField, FormSection, SecretValueField, TextAreaField, withoutField } from "./form-controls";
import { savedConnectionUrl } from "./saved-connection-notice";
import { useActionSubmit } from "./use-action-submit";
import { VerificationChecklist } from "./verification-checklist";

export interface WizardActions {
  verify(input: unknown): Promise<ActionResult<VerificationSummary>>;
  create(input: unknown): Promise<ActionResult<CreateConnectionResult>>;
  sandboxPreset?(input: unknown): Promise<ActionResult<SandboxPreset>>;
  /** The federated values or the certificate for a connection not yet saved; without it, only a client secret is offered. */
  prepareCredential?(input: unknown): Promise<ActionResult<PreparedWizardCredential>>;
}

type Kind = "federated" | "certificate" | "secret";

const EMPTY = {
  name: "",
  ownerName: "",
  ownerEmail: "",
  clientId: "",
  tenantId: "",
  secretId: "",
  secretValue: "",
  secretExpiresOn: "",
  groupObjectIds: "",
  azureGovernment: false,
  useUsernameFallback: false,
  syncContacts: false,
};
type Values = typeof EMPTY;

/** The guide's steps, each short enough to read without scrolling; Verify and Save are reachable from every one. */
const STEPS = [
  { title: "Organizations and owner", fields: ["organizationIds", "ownerName", "ownerEmail"] },
  { title: "App registration", fields: ["clientId", "tenantId", "name"] },
  { title: "Credential", fields: ["credentialKind", "federatedCredential", "certificate", "validDays", "secretId", "secretValue", "secretExpiresOn"] },
  { title: "Options", fields: ["groupObjectIds", "azureGovernment", "useUsernameFallback", "syncContacts"] },
] as const;
const LAST = STEPS.length - 1;

const SECRET_CODES = new Set([
  "secret_wrong",
  "secret_is_secret_id",
  "client_assertion_invalid",
  "secret_expired",
  "secret_unreadable",
  "federation_not_configured",
  "federation_issuer_mismatch",
  "federation_subject_mismatch",
  "federation_audience_mismatch",
  "federation_issuer_unreachable",
  "federation_key_unknown",
  "certificate_not_registered",
  "certificate_expired",
  "assertion_time_invalid",
]);

/** The step a checklist line is about: the secret's lines, the cloud and the groups have their own steps. */
function stepOfCheck(item: ChecklistItem): number {
  if (item.code && SECRET_CODES.has(item.code)) return 2;
  if (item.code === "wrong_cloud" || item.id.startsWith("group:") || item.id === "permission:OrgContact.Read.All") return 3;
  return 1;
}
function stepOfField(field: string): number {
  const i = STEPS.findIndex((s) => (s.fields as readonly string[]).includes(field));
  return i === -1 ? LAST : i;
}
const isFailure = (i: ChecklistItem) => !i.ok && !i.skipped;

/**
 * The guide as steps with progress: organizations and setup owner, the app's IDs, the client secret, then the
 * optional fields. Verify checks everything typed so far and opens the earliest step with a problem, its
 * checklist lines beside its fields; each step in the progress list says how its checks went. The secret
 * value lives only in this form's state and the request that carries it; no response ever echoes it back.
 */
export function ConnectionWizard({
  organizations,
  defaultOwner,
  actions,
  savedHref,
}: {
  organizations: { id: string; name: string }[];
  defaultOwner: { name: string; email: string };
  actions: WizardActions;
  /** Where to go after a save instead of the connection's admin page (a setup link's own page). */
  savedHref?: string;
}) {
  const router = useRouter();
  const [values, setValues] = useState<Values>({ ...EMPTY, ownerName: defaultOwner.name, ownerEmail: defaultOwner.email });
  const [orgIds, setOrgIds] = useState<string[]>(organizations.length === 1 ? [organizations[0].id] : []);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [verification, setVerification] = useState<VerificationSummary | null>(null);
  const [offerDraft, setOfferDraft] = useState(false);
  const [step, setStep] = useState(0);
  const [resolvedFrom, setResolvedFrom] = useState<string | null>(null);
  const { pending, setPending, message, setMessage, submit, formRef, messageRef, focusAfterRender } = useActionSubmit<"verify" | "save" | "preset">();
  const secretValueRef = useRef<HTMLInputElement>(null);
  // A federated credential is recommended: nothing to expire or leak (docs/adr/0009-certificate-and-federated-credentials.md).
  const [kind, setKind] = useState<Kind>(actions.prepareCredential ? "federated" : "secret");
  const [prepared, setPrepared] = useState<PreparedWizardCredential | null>(null);
  const [preparing, setPreparing] = useState(false);
  const [validDays, setValidDays] = useState(365);

  /** Asks the server for the connection-to-be's federated values (and, when asked, its certificate). */
  async function prepare(certificate: boolean) {
    if (!actions.prepareCredential) return;
    setPreparing(true);
    try {
      const result = await actions.prepareCredential({ pendingId: prepared?.pendingId, certificate, validDays });
      if (!result.ok) {
        // Expired or not this admin's: the next ask starts afresh with new values.
        setPrepared(null);
        setFields((f) => ({ ...f, ...(result.error.fields ?? { credentialKind: result.error.message }) }));
        return;
      }
      setPrepared(result.data);
      setFields((f) => withoutField(withoutField(f, "credentialKind"), "certificate"));
    } finally {
      setPreparing(false);
    }
  }
  /** The values are asked for when the credential step opens, or another kind is chosen, not before. */
  const ensurePrepared = (forKind: Kind) => {
    if (forKind !== "secret" && !prepared && !preparing) void prepare(false);
  };
  const chooseKind = (next: Kind) => {
    setKind(next);
    forget("credentialKind");
    ensurePrepared(next);
  };

  /** Editing a field clears what verification said about it: its error and the checklist lines it decides. */
  const forget = (key: string) => {
    setFields((f) => withoutField(f, key));
    setOfferDraft(false);
    const stale = checksConcerning(key);
    if (!verification || (!verification.checklist.some(stale) && !(verification.existing && (key === "clientId" || key === "tenantId")))) return;
    setMessage(null);
    const checklist = verification.checklist.filter((i) => !stale(i));
    setVerification(checklist.length === 0 || verification.existing ? null : { ...verification, ok: false, checklist });
  };
  const set = <K extends keyof Values>(key: K, value: Values[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    if (key === "tenantId") setResolvedFrom(null);
    forget(key);
  };
  const input = (key: keyof Values) => ({
    name: key,
    value: values[key] as string,
    error: fields[key],
    onChange: (e: { target: { value: string } }) => set(key, e.target.value as never),
  });
  /** An ID pasted with quotes or spaces around it is cleaned as soon as the field is left. */
  const pasted = (key: "clientId" | "tenantId" | "secretId") => ({
    onBlur: () => {
      const clean = cleanPasted(values[key]);
      if (clean !== values[key]) setValues((v) => ({ ...v, [key]: clean }));
    },
  });
  const credentials = () => ({
    clientId: values.clientId,
    tenantId: values.tenantId,
    credentialKind: kind,
    ...(kind === "secret" ? { secretId: values.secretId, secretValue: values.secretValue, secretExpiresOn: values.secretExpiresOn } : { pendingId: prepared?.pendingId ?? "" }),
    groupObjectIds: values.groupObjectIds,
    azureGovernment: values.azureGovernment,
    useUsernameFallback: values.useUsernameFallback,
    syncContacts: values.syncContacts,
  });

  function showFailure(error: { message: string; fields?: Record<string, string> }) {
    const f = error.fields ?? {};
    setFields(f);
    setMessage({ tone: "error", text: error.message });
    const keys = Object.keys(f);
    if (keys.length) setStep(Math.min(...keys.map(stepOfField)));
    focusAfterRender("firstError");
  }

  /** Opens the earliest step with a problem (a failed line or a field the fix belongs on). */
  function openFirstProblem(summary: VerificationSummary) {
    const steps = [...summary.checklist.filter(isFailure).map(stepOfCheck), ...Object.keys(summary.fields).map(stepOfField)];
    if (steps.length) setStep(Math.min(...steps));
  }

  /** A verified domain typed as the tenant comes back as the tenant's GUID, which is what is stored. */
  function takeTenantId(summary: VerificationSummary) {
    if (summary.tenantId && summary.tenantId !== values.tenantId.trim().toLowerCase()) {
      setResolvedFrom(values.tenantId.trim());
      setValues((v) => ({ ...v, tenantId: summary.tenantId! }));
    }
  }

  async function verify() {
    await submit("verify", async () => {
      const result = await actions.verify(credentials());
      if (!result.ok) return showFailure(result.error);
      takeTenantId(result.data);
      setVerification(result.data);
      setFields(result.data.fields);
      setMessage(
        result.data.existing
          ? { tone: "warning", text: result.data.fields.clientId ?? "This app is already connected to this directory." }
          : result.data.ok
            ? { tone: "success", text: "Every check passed. Save the connection to start offering its groups." }
            : { tone: "error", text: describeVerificationOutcome(result.data) },
      );
      if (!result.data.ok) openFirstProblem(result.data);
      focusAfterRender("message");
    });
  }

  async function save(saveAsDraft: boolean) {
    await submit("save", async () => {
      const result = await actions.create({ ...credentials(), organizationIds: orgIds, name: values.name, ownerName: values.ownerName, ownerEmail: values.ownerEmail, saveAsDraft });
      if (!result.ok) return showFailure(result.error);
      takeTenantId(result.data.verification);
      setVerification(result.data.verification);
      if (!result.data.saved) {
        setFields(result.data.verification.fields);
        openFirstProblem(result.data.verification);
        if (result.data.verification.existing) {
          setMessage({ tone: "warning", text: `Not saved. ${result.data.verification.fields.clientId ?? ""}`.trim() });
          focusAfterRender("message");
          return;
        }
        setOfferDraft(true);
        const problem = firstProblemOf(result.data.verification);
        const why = problem ? ` (${problem.count === 1 ? problem.cause : `${problem.count} problems, first: ${problem.cause}`})` : "";
        setMessage({
          tone: "warning",
          text: `The connection did not pass verification, so it was not saved${why}. Fix the problems below, or save it as a draft and finish later.`,
        });
        focusAfterRender("message");
        return;
      }
      // A draft's page explains itself; an active one is confirmed there once.
      router.push(savedHref ?? (result.data.status === "active" ? savedConnectionUrl(result.data.connectionId) : `/admin/directory/${result.data.connectionId}`));
    });
  }

  async function usePreset() {
    if (!actions.sandboxPreset) return;
    setPending("preset");
    try {
      const result = await actions.sandboxPreset({});
      if (!result.ok) return showFailure(result.error);
      setValues((v) => ({ ...v, ...result.data, azureGovernment: false }));
      setKind("secret");
      if (secretValueRef.current) secretValueRef.current.value = result.data.secretValue;
      setFields({});
      setVerification(null);
      setStep(LAST);
      setMessage({ tone: "info", text: "Filled in with the sandbox tenant (Northwind Traders). Verify, then save." });
      focusAfterRender("message");
    } finally {
      setPending(null);
    }
  }

  function go(to: number) {
    setStep(to);
    if (to === 2) ensurePrepared(kind);
    // The step's heading, so keyboard and screen-reader users start at the top of what changed.
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`[data-step="${to}"] h2`)?.focus());
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (step < LAST) go(step + 1);
    else void save(false);
  };

  // A failed check usually puts its fix on a field too: count the checks, or else the fields' own errors.
  const failuresIn = (i: number) =>
    (verification?.checklist ?? []).filter((item) => isFailure(item) && stepOfCheck(item) === i).length || Object.keys(fields).filter((f) => stepOfField(f) === i).length;
  const checkedIn = (i: number) => (verification?.checklist ?? []).some((item) => !item.skipped && stepOfCheck(item) === i);
  const stepStatus = (i: number) => {
    const n = failuresIn(i);
    if (n > 0) return { mark: "✗", text: `${n} ${n === 1 ? "problem" : "problems"}`, tone: "text-red-700" };
    if (verification && checkedIn(i) && verification.checklist.filter((item) => stepOfCheck(item) === i).every((item) => item.ok)) return { mark: "✓", text: "checked", tone: "text-emerald-700" };
    return null;
  };
  const stepChecks = verification ? verification.checklist.filter((item) => stepOfCheck(item) === step) : [];
  const section = (i: number) => ({ hidden: step !== i, "data-step": i });

  return (
    <form ref={formRef} onSubmit={onSubmit} className="space-y-5" noValidate aria-label="New directory connection">
      {actions.sandboxPreset && (
        <Alert tone="info">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <span>Development: no Azure account needed. The sandbox tenant stands in for Entra ID and Graph.</span>
            <Button variant="secondary" onClick={usePreset} disabled={pending !== null}>
              Use the sandbox tenant
            </Button>
          </div>
        </Alert>
      )}

      <nav aria-label="Setup progress">
        <p className="mb-2 text-sm font-medium text-slate-700">
          Step {step + 1} of {STEPS.length}: {STEPS[step].title}
        </p>
        <div className="mb-3 h-1.5 w-full overflow-hidden rounded-full bg-slate-200" aria-hidden="true">
          <div className="h-full rounded-full bg-blue-600 transition-all" style={{ width: `${((step + 1) / STEPS.length) * 100}%` }} />
        </div>
        <ol className="grid grid-cols-2 gap-2 sm:grid-cols-4">
          {STEPS.map((s, i) => {
            const status = stepStatus(i);
            return (
              <li key={s.title}>
                <button
                  type="button"
                  onClick={() => go(i)}
                  aria-current={step === i ? "step" : undefined}
                  className={`w-full rounded-md border px-2.5 py-1.5 text-left text-xs ${step === i ? "border-blue-600 bg-blue-50 text-blue-900" : "border-slate-200 bg-white text-slate-700 hover:bg-slate-50"}`}
                >
                  <span className="font-semibold">{i + 1}.</span> {s.title}
                  {status && (
                    <span className={`block ${status.tone}`}>
                      <span aria-hidden="true">{status.mark}</span> {status.text}
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>

      <div {...section(0)}>
        <FormSection step={1} title="Organizations and owner" description="The Roster organizations this directory serves (their editors can sync its groups), and whom to contact about this connection.">
          <fieldset aria-describedby={fields.organizationIds ? "organizations-error" : undefined}>
            <legend className="text-sm font-medium text-slate-800">Organizations served</legend>
            <div className="mt-2 space-y-2">
              {organizations.map((org) => (
                <CheckboxField
                  key={org.id}
                  label={org.name}
                  checked={orgIds.includes(org.id)}
                  aria-invalid={fields.organizationIds ? true : undefined}
                  onChange={(e) => {
                    const checked = e.target.checked;
                    setOrgIds((ids) => (checked ? [...ids, org.id] : ids.filter((id) => id !== org.id)));
                    setFields((f) => withoutField(f, "organizationIds"));
                  }}
                />
              ))}
            </div>
            {fields.organizationIds && (
              <p id="organizations-error" className="mt-2 text-xs font-medium text-red-700">
                {fields.organizationIds}
              </p>
            )}
          </fieldset>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Setup owner name" autoComplete="name" {...input("ownerName")} />
            <Field label="Setup owner email" type="email" autoComplete="email" {...input("ownerEmail")} />
          </div>
        </FormSection>
      </div>

      <div {...section(1)}>
        <FormSection step={2} title="App registration" description="From Azure → App registrations → your app → Overview. Its API permissions (Application, with admin consent) are checked here too.">
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Application (client) ID" placeholder="00000000-0000-0000-0000-000000000000" autoComplete="off" spellCheck={false} {...input("clientId")} {...pasted("clientId")} />
            <div className="space-y-1.5">
              <Field
                label="Directory (tenant) ID"
                placeholder="00000000-0000-0000-0000-000000000000"
                hint="The GUID, or a verified domain such as contoso.onmicrosoft.com."
                autoComplete="off"
                spellCheck={false}
                {...input("tenantId")}
                {...pasted("tenantId")}
              />
              {resolvedFrom && (
                <p className="flex flex-wrap items-center gap-2 text-xs text-slate-600" role="status">
                  {resolvedFrom} is this tenant; Roster stores its ID. <CopyButton value={values.tenantId} what="tenant ID" />
                </p>
              )}
            </div>
          </div>
          <Field label="Connection name" hint="Optional: how this directory is named in Roster." placeholder="Microsoft Entra ID" {...input("name")} />
        </FormSection>
      </div>

      <div {...section(2)}>
        <FormSection step={3} title="Credential" description="How Roster proves to Entra ID that it is your app. Each is set up under Certificates & secrets of the app registration.">
          {actions.prepareCredential && (
            <fieldset aria-describedby={fields.credentialKind ? "credential-kind-error" : undefined}>
              <legend className="text-sm font-medium text-slate-800">How Roster signs in</legend>
              <div className="mt-2 space-y-2">
                {(
                  [
                    ["federated", "Federated identity credential (recommended)", "Nothing to expire or leak: Azure trusts Roster's own signed, short-lived assertions. Needs Roster at a public https address."],
                    ["certificate", "Certificate", "Roster makes a key pair and keeps the private key; you upload its certificate. Expires when you choose (1 or 2 years)."],
                    ["secret", "Client secret", "A password Roster keeps; Azure allows at most 24 months, then it must be renewed by hand. Some tenants forbid secrets."],
                  ] as const
                ).map(([value, label, tradeOff]) => (
                  <label key={value} className="flex items-start gap-3 text-sm">
                    <input type="radio" name="credentialKind" value={value} checked={kind === value} onChange={() => chooseKind(value)} className="mt-0.5 h-4 w-4" aria-describedby={`kind-${value}-hint`} />
                    <span>
                      <span className="block font-medium text-slate-800">{label}</span>
                      <span id={`kind-${value}-hint`} className="block text-xs text-slate-600">
                        {tradeOff}
                      </span>
                    </span>
                  </label>
                ))}
              </div>
              {fields.credentialKind && (
                <p id="credential-kind-error" className="mt-2 text-xs font-medium text-red-700">
                  {fields.credentialKind}
                </p>
              )}
            </fieldset>
          )}
          {kind === "federated" &&
            (prepared ? (
              <FederatedCredentialValues federation={prepared.federation} error={fields.federatedCredential} />
            ) : (
              <p className="text-sm text-slate-600">{preparing ? "Preparing the values to enter in Azure…" : "Choose the credential again to see the values to enter in Azure."}</p>
            ))}
          {kind === "certificate" && (
            <div className="space-y-3">
              <p className="text-sm text-slate-600">
                Create the certificate, download it, then in Azure: App registrations → your app → Certificates &amp; secrets → Certificates → Upload certificate. Check
                that Azure shows the same thumbprint, then verify.
              </p>
              {prepared?.certificate && <CertificateFacts cert={prepared.certificate} label="Certificate for this connection" fileName="roster-certificate" />}
              <div className="flex flex-wrap items-center gap-3">
                <CertificateValidity value={validDays} onChange={setValidDays} />
                {!prepared?.certificate && (
                  <Button variant="secondary" onClick={() => prepare(true)} disabled={preparing || pending !== null}>
                    {preparing ? "Creating…" : "Create the certificate"}
                  </Button>
                )}
              </div>
              {fields.certificate && (
                <p className="text-xs font-medium text-red-700" role="alert">
                  {fields.certificate}
                </p>
              )}
            </div>
          )}
          <div hidden={kind !== "secret"} className="space-y-4">
            <p className="text-sm text-slate-600">From Certificates &amp; secrets → New client secret. Copy both the Secret ID and the Value (the Value is shown only once).</p>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label="Client secret ID" autoComplete="off" spellCheck={false} {...input("secretId")} {...pasted("secretId")} />
              <SecretValueField
                label="Client secret value"
                name="secretValue"
                inputRef={secretValueRef}
                error={fields.secretValue}
                onValueChange={(value) => set("secretValue", value)}
              />
            </div>
            <Field label="Secret expires on" type="date" hint="Azure allows at most 24 months. Roster warns from 30 days before." {...input("secretExpiresOn")} />
          </div>
        </FormSection>
      </div>

      <div {...section(3)}>
        <FormSection step={4} title="Options" description="All optional. Then verify and save.">
          <TextAreaField
            label="Group Object IDs"
            hint="Up to 15, separated by commas or new lines (Azure → Groups → Object ID). Leave empty to offer the whole directory."
            rows={3}
            spellCheck={false}
            {...input("groupObjectIds")}
          />
          <CheckboxField label="Azure Government" hint="Tick if your tenant is in Azure Government (login.microsoftonline.us)." checked={values.azureGovernment} error={fields.azureGovernment} onChange={(e) => set("azureGovernment", e.target.checked)} />
          <CheckboxField label="Use username as email fallback" hint="When a user has no email address, use their username (userPrincipalName) if it is a valid address." checked={values.useUsernameFallback} onChange={(e) => set("useUsernameFallback", e.target.checked)} />
          <CheckboxField label="Sync contacts" hint="Also sync organizational contacts in groups. Needs the OrgContact.Read.All application permission." checked={values.syncContacts} onChange={(e) => set("syncContacts", e.target.checked)} />
        </FormSection>
      </div>

      {(message || verification) && (
        <div ref={messageRef} tabIndex={-1} className="scroll-mt-4 space-y-5 rounded-md focus:outline-none">
          {message && (
            <Alert tone={message.tone}>
              {message.text}
              {verification?.existing?.connectionId && (
                <>
                  {" "}
                  <Link className="font-medium underline" href={`/admin/directory/${verification.existing.connectionId}`}>
                    Open “{verification.existing.name}”
                  </Link>
                </>
              )}
            </Alert>
          )}
          {verification && verification.ok && <VerificationChecklist items={verification.checklist} />}
          {verification && !verification.ok && stepChecks.some(isFailure) && <VerificationChecklist heading={`Verification of “${STEPS[step].title}”`} items={stepChecks} />}
          {verification && !verification.ok && verification.checklist.length > 0 && !stepChecks.some(isFailure) && (
            <p className="text-sm text-slate-600">
              {stepChecks.length > 0 ? "This step's checks passed." : "Nothing in this step is checked by Azure."} The problems are in{" "}
              {STEPS.map((s, i) => (failuresIn(i) > 0 ? s.title : null)).filter(Boolean).join(", ")}: open it in the progress list above.
            </p>
          )}
        </div>
      )}

      <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-4">
        {step > 0 && (
          <Button variant="ghost" onClick={() => go(step - 1)} disabled={pending !== null}>
            Back
          </Button>
        )}
        {step < LAST && (
          <Button variant="secondary" onClick={() => go(step + 1)} disabled={pending !== null}>
            Next
          </Button>
        )}
        <span className="grow" aria-hidden="true" />
        <Button variant="secondary" onClick={verify} disabled={pending !== null}>
          {pending === "verify" ? "Verifying…" : "Verify connection"}
        </Button>
        <Button onClick={() => save(false)} disabled={pending !== null}>
          {pending === "save" ? "Saving…" : "Save connection"}
        </Button>
        {offerDraft && (
          <Button variant="ghost" onClick={() => save(true)} disabled={pending !== null}>
            Save as draft
          </Button>
        )}
      </div>
    </form>
  );
}
