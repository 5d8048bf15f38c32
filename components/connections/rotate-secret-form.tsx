"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";
import type { RotateSecretResult } from "@/lib/connections/rotate";
import { withoutField } from "./form-controls";
import { VerificationChecklist } from "./verification-checklist";

/** "Rotate secret": the new secret must sign in before it replaces the old one. */
export function RotateSecretForm({ connectionId, rotate }: { connectionId: string; rotate(input: unknown): Promise<ActionResult<RotateSecretResult>> }) {
  const router = useRouter();
  const [values, setValues] = useState({ secretId: "", secretValue: "", secretExpiresOn: "" });
  const [fields, setFields] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [result, setResult] = useState<RotateSecretResult | null>(null);
  const [pending, setPending] = useState(false);
  const bind = (key: keyof typeof values) => ({
    name: key,
    value: values[key],
    error: fields[key],
    onChange: (e: { target: { value: string } }) => {
      setValues((v) => ({ ...v, [key]: e.target.value }));
      setFields((f) => withoutField(f, key));
    },
  });

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setPending(true);
    setMessage(null);
    try {
      const r = await rotate({ connectionId, ...values });
      if (!r.ok) {
        setFields(r.error.fields ?? {});
        setMessage({ tone: "error", text: r.error.message });
        return;
      }
      setResult(r.data);
      if (!r.data.rotated) {
        setFields(r.data.verification.fields);
        setMessage({ tone: "error", text: "The new secret did not work, so the current one was kept." });
        return;
      }
      setValues({ secretId: "", secretValue: "", secretExpiresOn: "" });
      setMessage({ tone: "success", text: "Secret rotated: Roster now uses the new secret. You can delete the old one in Azure." });
      router.refresh();
    } catch {
      setMessage({ tone: "error", text: "Roster could not be reached. Check your connection and try again." });
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Rotate secret">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Client secret ID" autoComplete="off" spellCheck={false} {...bind("secretId")} />
        <Field label="Client secret value" type="password" autoComplete="new-password" spellCheck={false} {...bind("secretValue")} />
      </div>
      <Field label="Secret expires on" type="date" {...bind("secretExpiresOn")} />
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
      {result && !result.rotated && <VerificationChecklist heading="New secret" items={result.verification.checklist} />}
      <Button type="submit" disabled={pending}>
        {pending ? "Checking the new secret…" : "Rotate secret"}
      </Button>
    </form>
  );
}
