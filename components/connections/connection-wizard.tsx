"use client";
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";
import type { CreateConnectionResult } from "@/lib/connections/create";
import type { SandboxPreset } from "@/lib/connections/sandbox-preset";
import { describeVerificationOutcome, firstProblemOf, type VerificationSummary } from "@/lib/connections/verification";
import { CheckboxField, FormSection, SecretValueField, TextAreaField, withoutField } from "./form-controls";
import { savedConnectionUrl } from "./saved-connection-notice";
import { useActionSubmit } from "./use-action-submit";
import { VerificationChecklist } from "./verification-checklist";

export interface WizardActions {
  verify(input: unknown): Promise<ActionResult<VerificationSummary>>;
  create(input: unknown): Promise<ActionResult<CreateConnectionResult>>;
  sandboxPreset?(input: unknown): Promise<ActionResult<SandboxPreset>>;
}

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

/**
 * The guide's steps on one page: organizations, setup owner, the app's IDs, the client secret, the optional
 * fields, then Verify and Save. The secret value lives only in this form's state and the request that
 * carries it; no response ever echoes it back.
 */
export function ConnectionWizard({
  organizations,
  defaultOwner,
  actions,
}: {
  organizations: { id: string; name: string }[];
  defaultOwner: { name: string; email: string };
  actions: WizardActions;
}) {
  const router = useRouter();
  const [values, setValues] = useState<Values>({ ...EMPTY, ownerName: defaultOwner.name, ownerEmail: defaultOwner.email });
  const [orgIds, setOrgIds] = useState<string[]>(organizations.length === 1 ? [organizations[0].id] : []);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [verification, setVerification] = useState<VerificationSummary | null>(null);
  const [offerDraft, setOfferDraft] = useState(false);
  const { pending, setPending, message, setMessage, submit, formRef, messageRef, focusAfterRender } = useActionSubmit<"verify" | "save" | "preset">();
  const secretValueRef = useRef<HTMLInputElement>(null);

  const set = <K extends keyof Values>(key: K, value: Values[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setFields((f) => withoutField(f, key));
    setOfferDraft(false);
  };
  const input = (key: keyof Values) => ({
    name: key,
    value: values[key] as string,
    error: fields[key],
    onChange: (e: { target: { value: string } }) => set(key, e.target.value as never),
  });
  const credentials = () => ({
    clientId: values.clientId,
    tenantId: values.tenantId,
    secretId: values.secretId,
    secretValue: values.secretValue,
    secretExpiresOn: values.secretExpiresOn,
    groupObjectIds: values.groupObjectIds,
    azureGovernment: values.azureGovernment,
    useUsernameFallback: values.useUsernameFallback,
    syncContacts: values.syncContacts,
  });

  function showFailure(error: { message: string; fields?: Record<string, string> }) {
    setFields(error.fields ?? {});
    setMessage({ tone: "error", text: error.message });
    focusAfterRender("firstError");
  }

  async function verify() {
    await submit("verify", async () => {
      const result = await actions.verify(credentials());
      if (!result.ok) return showFailure(result.error);
      setVerification(result.data);
      setFields(result.data.fields);
      setMessage(
        result.data.ok
          ? { tone: "success", text: "Every check passed. Save the connection to start offering its groups." }
          : { tone: "error", text: describeVerificationOutcome(result.data) },
      );
      focusAfterRender("message");
    });
  }

  async function save(saveAsDraft: boolean) {
    await submit("save", async () => {
      const result = await actions.create({ ...credentials(), organizationIds: orgIds, name: values.name, ownerName: values.ownerName, ownerEmail: values.ownerEmail, saveAsDraft });
      if (!result.ok) return showFailure(result.error);
      setVerification(result.data.verification);
      if (!result.data.saved) {
        setFields(result.data.verification.fields);
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
      router.push(result.data.status === "active" ? savedConnectionUrl(result.data.connectionId) : `/admin/directory/${result.data.connectionId}`);
    });
  }

  async function usePreset() {
    if (!actions.sandboxPreset) return;
    setPending("preset");
    try {
      const result = await actions.sandboxPreset({});
      if (!result.ok) return showFailure(result.error);
      setValues((v) => ({ ...v, ...result.data, azureGovernment: false }));
      if (secretValueRef.current) secretValueRef.current.value = result.data.secretValue;
      setFields({});
      setMessage({ tone: "info", text: "Filled in with the sandbox tenant (Northwind Traders). Verify, then save." });
      focusAfterRender("message");
    } finally {
      setPending(null);
    }
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save(false);
  };

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

      <FormSection step={1} title="Organizations" description="The Roster organizations this directory serves. Their editors can sync its groups.">
        <fieldset aria-describedby={fields.organizationIds ? "organizations-error" : undefined}>
          <legend className="sr-only">Organizations served</legend>
          <div className="space-y-2">
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
      </FormSection>

      <FormSection step={2} title="Setup owner" description="Who to contact about this connection: usually whoever set it up, or the IT contact.">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Setup owner name" autoComplete="name" {...input("ownerName")} />
          <Field label="Setup owner email" type="email" autoComplete="email" {...input("ownerEmail")} />
        </div>
      </FormSection>

      <FormSection step={3} title="App registration" description="From Azure → App registrations → your app → Overview.">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Application (client) ID" placeholder="00000000-0000-0000-0000-000000000000" autoComplete="off" spellCheck={false} {...input("clientId")} />
          <Field label="Directory (tenant) ID" placeholder="00000000-0000-0000-0000-000000000000" autoComplete="off" spellCheck={false} {...input("tenantId")} />
        </div>
        <Field label="Connection name" hint="Optional: how this directory is named in Roster." placeholder="Microsoft Entra ID" {...input("name")} />
      </FormSection>

      <FormSection
        step={4}
        title="Client secret"
        description="From Certificates & secrets → New client secret. Copy both the Secret ID and the Value (the Value is shown only once)."
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Client secret ID" autoComplete="off" spellCheck={false} {...input("secretId")} />
          <SecretValueField
            label="Client secret value"
            name="secretValue"
            inputRef={secretValueRef}
            error={fields.secretValue}
            onValueChange={(value) => set("secretValue", value)}
          />
        </div>
        <Field label="Secret expires on" type="date" hint="Azure allows at most 24 months. Roster warns from 30 days before." {...input("secretExpiresOn")} />
      </FormSection>

      <FormSection step={5} title="Optional fields">
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

      {(message || verification) && (
        <div ref={messageRef} tabIndex={-1} className="space-y-5 rounded-md focus:outline-none">
          {message && <Alert tone={message.tone}>{message.text}</Alert>}
          {verification && <VerificationChecklist items={verification.checklist} />}
        </div>
      )}

      <div className="flex flex-wrap items-center gap-3">
        <Button variant="secondary" onClick={verify} disabled={pending !== null}>
          {pending === "verify" ? "Verifying…" : "Verify connection"}
        </Button>
        <Button type="submit" disabled={pending !== null}>
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
