"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";
import type { UpdateOptionsResult } from "@/lib/connections/options";
import type { ConnectionView } from "@/lib/connections/view";
import { describeVerificationOutcome } from "@/lib/connections/verification";
import { CheckboxField, TextAreaField, withoutField } from "./form-controls";
import { useActionSubmit } from "./use-action-submit";

/** The optional fields, the setup owner and the organizations served, editable at any time. */
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
  });
  const [orgIds, setOrgIds] = useState(connection.organizations.map((o) => o.id));
  const [fields, setFields] = useState<Record<string, string>>({});
  const { pending, message, setMessage, submit, formRef, messageRef, focusAfterRender } = useActionSubmit<"save">();
  const set = (key: keyof typeof values, value: string | boolean) => {
    setValues((v) => ({ ...v, [key]: value }));
    setFields((f) => withoutField(f, key));
  };
  const text = (key: "name" | "ownerName" | "ownerEmail") => ({
    name: key,
    value: values[key],
    error: fields[key],
    onChange: (e: { target: { value: string } }) => set(key, e.target.value),
  });

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    await submit("save", async () => {
      const r = await update({ connectionId: connection.id, organizationIds: orgIds, ...values });
      if (!r.ok) {
        setFields(r.error.fields ?? {});
        setMessage({ tone: "error", text: r.error.message });
        focusAfterRender("firstError");
        return;
      }
      const v = r.data.verification;
      if (r.data.changed.length === 0) setMessage({ tone: "success", text: "Nothing changed." });
      else if (v && !v.verification.ok) {
        // A changed cloud or group list is re-verified; its fixes belong on the fields this form has.
        setFields(Object.fromEntries(Object.entries(v.verification.fields).filter(([key]) => key === "azureGovernment" || key === "groupObjectIds")));
        setMessage({ tone: "warning", text: `Saved. ${describeVerificationOutcome(v.verification, "under “Last verification” above")}` });
      } else setMessage({ tone: "success", text: "Saved." });
      focusAfterRender("message");
      router.refresh();
    });
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Connection settings">
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
        <div ref={messageRef} tabIndex={-1} className="rounded-md focus:outline-none">
          <Alert tone={message.tone}>{message.text}</Alert>
        </div>
      )}
      <Button type="submit" disabled={pending !== null}>
        {pending === "save" ? "Saving…" : "Save changes"}
      </Button>
    </form>
  );
}
