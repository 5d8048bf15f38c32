"use client";
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";
import type { RotateSecretResult } from "@/lib/connections/rotate";
import { describeVerificationOutcome } from "@/lib/connections/verification";
import { SecretValueField, withoutField } from "./form-controls";
import { useActionSubmit } from "./use-action-submit";
import { VerificationChecklist } from "./verification-checklist";

/** "Rotate secret": the new secret must sign in before it replaces the one in use. */
export function RotateSecretForm({ connectionId, rotate }: { connectionId: string; rotate(input: unknown): Promise<ActionResult<RotateSecretResult>> }) {
  const router = useRouter();
  const [values, setValues] = useState({ secretId: "", secretValue: "", secretExpiresOn: "" });
  const [fields, setFields] = useState<Record<string, string>>({});
  const [result, setResult] = useState<RotateSecretResult | null>(null);
  const { pending, message, setMessage, submit, formRef, messageRef, focusAfterRender } = useActionSubmit<"rotate">();
  const secretValueRef = useRef<HTMLInputElement>(null);
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
    await submit("rotate", async () => {
      const r = await rotate({ connectionId, ...values });
      if (!r.ok) {
        setFields(r.error.fields ?? {});
        setMessage({ tone: "error", text: r.error.message });
        focusAfterRender("firstError");
        return;
      }
      setResult(r.data);
      if (!r.data.rotated) {
        setFields(r.data.verification.fields);
        setMessage({ tone: "error", text: `The new secret did not work, so the current one was kept. ${describeVerificationOutcome(r.data.verification)}` });
        focusAfterRender("message");
        return;
      }
      setValues({ secretId: "", secretValue: "", secretExpiresOn: "" });
      if (secretValueRef.current) secretValueRef.current.value = "";
      const { secretId, previousSecretId } = r.data;
      setMessage({
        tone: "success",
        text:
          previousSecretId === null
            ? `Secret saved: Roster now signs in with the secret with Secret ID ${secretId}.`
            : secretId === previousSecretId
            ? `Secret saved again: Roster uses the secret with Secret ID ${secretId}, as before. Do not delete it in Azure.`
            : `Secret rotated: Roster now uses the secret with Secret ID ${secretId}. It no longer uses the secret with Secret ID ${previousSecretId}: you can delete that one in Azure (Certificates & secrets).`,
      });
      focusAfterRender("message");
      router.refresh();
    });
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Rotate secret">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Client secret ID" autoComplete="off" spellCheck={false} {...bind("secretId")} />
        <SecretValueField
          label="Client secret value"
          name="secretValue"
          inputRef={secretValueRef}
          error={fields.secretValue}
          onValueChange={(value) => {
            setValues((v) => ({ ...v, secretValue: value }));
            setFields((f) => withoutField(f, "secretValue"));
          }}
        />
      </div>
      <Field label="Secret expires on" type="date" hint="The new secret's Expires date in Azure (at most 24 months away)." {...bind("secretExpiresOn")} />
      {message && (
        <div ref={messageRef} tabIndex={-1} className="space-y-4 rounded-md focus:outline-none">
          <Alert tone={message.tone}>{message.text}</Alert>
          {result && !result.rotated && <VerificationChecklist heading="New secret" items={result.verification.checklist} />}
        </div>
      )}
      <Button type="submit" disabled={pending !== null}>
        {pending === "rotate" ? "Checking the new secret…" : "Rotate secret"}
      </Button>
    </form>
  );
}
