"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";
import type { UpdateOptionsResult } from "@/lib/connections/options";
import type { ConnectionView } from "@/lib/connections/view";
import { describeVerificationOutcome, settingsFieldsOf, type VerificationSummary } from "@/lib/connections/verification";
import { cleanPasted } from "@/lib/connections/pasted";
import { CheckboxField, TextAreaField, withoutField } from "./form-controls";
import { useActionSubmit } from "./use-action-submit";
import { VerificationChecklist } from "./verification-checklist";

/**
 * The optional fields, the setup owner and the organizations served, editable at any time, and a draft's IDs.
 * A change that verification covers is checked before it is saved: one that fails comes back with the
 * diagnosis on its field and is saved only through a button that names what saving it does.
 */
export function ConnectionOptionsForm({
  connection,
  organizations,
  update,
}: {
  connection: ConnectionView;
  /** Organizations the admin may choose from; `administered: false` ones are shown but cannot be changed. */
  organizations: { id: string; name: string; administered: boolean }[];
  update(input: unknown): Promise<ActionResult<UpdateOptionsResult>>;
}) {
  const router = useRouter();
  const [values, setValues] = useState({
    name: connection.name,
    ownerName: connection.ownerName,
    ownerEmail: connection.ownerEmail,
    groupObjectIds: connection.groupObjectIds.join("\n"),
    azureGovernment: connection.cloud === "usgov",
    useUsernameFallback: connection.useUsernameFallback,
    syncContacts: connection.syncContacts,
    cadence: connection.cadence,
    clientId: connection.clientId,
    tenantId: connection.tenantId,
  });
  const isDraft = connection.status === "draft";
  const [orgIds, setOrgIds] = useState(connection.organizations.map((o) => o.id));
  const [fields, setFields] = useState<Record<string, string>>({});
  const { pending, message, setMessage, submit, formRef, messageRef, focusAfterRender } = useActionSubmit<"save" | "confirm">();
  // A refused change: its check, and what saving it anyway does (the confirmation button names it).
  const [refused, setRefused] = useState<{ verification: VerificationSummary; consequence?: { text: string; confirmLabel: string } } | null>(null);
  const set = (key: keyof typeof values, value: string | boolean) => {
    setValues((v) => ({ ...v, [key]: value }));
    setFields((f) => withoutField(f, key));
    // The refusal was about the values as they were: once one changes, its check and confirmation no longer apply.
    if (refused) {
      setRefused(null);
      setMessage(null);
    }
  };
  const text = (key: "name" | "ownerName" | "ownerEmail" | "clientId" | "tenantId") => ({
    name: key,
    value: values[key],
    error: fields[key],
    onChange: (e: { target: { value: string } }) => set(key, e.target.value),
  });
  const pasted = (key: "clientId" | "tenantId") => ({
    onBlur: () => set(key, cleanPasted(values[key])),
  });

  async function save(confirm: boolean) {
    await submit(confirm ? "confirm" : "save", async () => {
      const { clientId, tenantId, ...rest } = values;
      const r = await update({ connectionId: connection.id, organizationIds: orgIds, ...rest, ...(isDraft ? { clientId, tenantId } : {}), confirm });
      setRefused(null);
      if (!r.ok) {
        setFields(r.error.fields ?? {});
        setMessage({ tone: "error", text: r.error.message });
        focusAfterRender("firstError");
        return;
      }
      const v = r.data.verification;
      if (!r.data.saved && r.data.changed.length === 0 && !v) setMessage({ tone: "success", text: "Nothing changed." });
      else if (!r.data.saved && v) {
        setFields(v.verification.existing ? v.verification.fields : settingsFieldsOf(v.verification));
        setRefused({ verification: v.verification, consequence: r.data.consequence });
        setMessage({
          tone: "warning",
          text: v.verification.existing
            ? "Not saved: another connection already uses this app in this directory."
            : `Not saved. ${describeVerificationOutcome(v.verification)} ${r.data.consequence?.text ?? ""}`.trim(),
        });
        focusAfterRender("firstError");
        return;
      } else if (v && !v.verification.ok) {
        setMessage({ tone: "warning", text: `Saved anyway. ${describeVerificationOutcome(v.verification, "under “Last verification” above")}` });
      } else setMessage({ tone: "success", text: v ? "Saved. The new settings passed verification." : "Saved." });
      focusAfterRender("message");
      router.refresh();
    });
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void save(false);
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Connection settings">
      {isDraft && (
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Application (client) ID" autoComplete="off" spellCheck={false} hint="A draft's IDs can be corrected." {...text("clientId")} {...pasted("clientId")} />
          <Field label="Directory (tenant) ID" autoComplete="off" spellCheck={false} hint="The GUID, or a verified domain such as contoso.onmicrosoft.com." {...text("tenantId")} {...pasted("tenantId")} />
        </div>
      )}
      <Field label="Connection name" {...text("name")} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Setup owner name" {...text("ownerName")} />
        <Field label="Setup owner email" type="email" {...text("ownerEmail")} />
      </div>
      <TextAreaField
        label="Group Object IDs"
        hint="Up to 15. Leave empty to offer the whole directory."
        rows={3}
        name="groupObjectIds"
        value={values.groupObjectIds}
        error={fields.groupObjectIds}
        onChange={(e) => set("groupObjectIds", e.target.value)}
      />
      <CheckboxField label="Azure Government" checked={values.azureGovernment} error={fields.azureGovernment} onChange={(e) => set("azureGovernment", e.target.checked)} />
      <CheckboxField label="Use username as email fallback" checked={values.useUsernameFallback} onChange={(e) => set("useUsernameFallback", e.target.checked)} />
      <CheckboxField
        label="Sync contacts"
        hint="Needs the OrgContact.Read.All application permission."
        error={fields.syncContacts}
        checked={values.syncContacts}
        onChange={(e) => set("syncContacts", e.target.checked)}
      />
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-800">Sync schedule</legend>
        <p className="text-xs text-slate-600">How often synced groups are refreshed. Editors can always press “Sync now”.</p>
        {(
          [
            ["weekly", "Weekly, on Mondays (UTC)"],
            ["daily", "Daily (UTC)"],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="flex items-center gap-2 text-sm text-slate-800">
            <input type="radio" name="cadence" value={value} checked={values.cadence === value} onChange={() => set("cadence", value)} />
            {label}
          </label>
        ))}
        {fields.cadence && <p className="text-xs font-medium text-red-700">{fields.cadence}</p>}
      </fieldset>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-800">Organizations served</legend>
        {organizations.map((org) => (
          <CheckboxField
            key={org.id}
            label={org.name}
            disabled={!org.administered}
            hint={org.administered ? undefined : "You are not an admin of this organization."}
            checked={orgIds.includes(org.id)}
            onChange={(e) => {
              const checked = e.target.checked;
              setOrgIds((ids) => (checked ? [...ids, org.id] : ids.filter((id) => id !== org.id)));
            }}
          />
        ))}
        {fields.organizationIds && <p className="text-xs font-medium text-red-700">{fields.organizationIds}</p>}
      </fieldset>
      {message && (
        <div ref={messageRef} tabIndex={-1} className="space-y-3 rounded-md focus:outline-none">
          <Alert tone={message.tone}>
            {message.text}
            {refused?.verification.existing?.connectionId && (
              <>
                {" "}
                <Link className="font-medium underline" href={`/admin/directory/${refused.verification.existing.connectionId}`}>
                  Open “{refused.verification.existing.name}”
                </Link>
              </>
            )}
          </Alert>
          {refused && refused.verification.checklist.length > 0 && <VerificationChecklist heading="Check of the new settings" items={refused.verification.checklist} />}
        </div>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={pending !== null}>
          {pending === "save" ? "Verifying and saving…" : "Save changes"}
        </Button>
        {refused?.consequence && (
          <Button variant="danger" onClick={() => save(true)} disabled={pending !== null}>
            {pending === "confirm" ? "Saving…" : refused.consequence.confirmLabel}
          </Button>
        )}
      </div>
    </form>
  );
}
