"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { CheckboxField } from "@/components/connections/form-controls";
import { useActionSubmit } from "@/components/connections/use-action-submit";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ALERT_KIND_LABELS, ALERT_KINDS } from "@/lib/alerts/kinds";
import type { ActionResult } from "@/lib/errors";

/** One switch per alert kind for this connection; unticked kinds are still shown in Roster, never emailed. */
export function AlertSettingsForm({
  connectionId,
  disabledKinds,
  update,
}: {
  connectionId: string;
  disabledKinds: string[];
  update(input: unknown): Promise<ActionResult<{ disabledKinds: string[] }>>;
}) {
  const router = useRouter();
  const [enabled, setEnabled] = useState<string[]>(ALERT_KINDS.filter((k) => !disabledKinds.includes(k)));
  const { pending, message, setMessage, submit, formRef, messageRef, focusAfterRender } = useActionSubmit<"save">();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    await submit("save", async () => {
      const result = await update({ connectionId, enabledKinds: enabled });
      if (!result.ok) setMessage({ tone: "error", text: result.error.message });
      else {
        setMessage({ tone: "success", text: "Alert settings saved." });
        router.refresh();
      }
      focusAfterRender("message");
    });
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} aria-label="Email alerts" className="space-y-3">
      {ALERT_KINDS.map((kind) => (
        <CheckboxField
          key={kind}
          label={ALERT_KIND_LABELS[kind].label}
          hint={ALERT_KIND_LABELS[kind].hint}
          checked={enabled.includes(kind)}
          onChange={(e) => setEnabled((list) => (e.target.checked ? [...list, kind] : list.filter((k) => k !== kind)))}
        />
      ))}
      {message && (
        <div ref={messageRef} tabIndex={-1}>
          <Alert tone={message.tone}>{message.text}</Alert>
        </div>
      )}
      <Button type="submit" disabled={pending !== null}>
        {pending === "save" ? "Saving…" : "Save alert settings"}
      </Button>
    </form>
  );
}
