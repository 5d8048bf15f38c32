"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useActionSubmit } from "@/components/connections/use-action-submit";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";

/**
 * The connection's mass-removal guard: a sync that would remove more than the percentage of a group's addresses
 * and more than the number stops at Needs review; the same figures bound one scheduled call's removals across
 * all of the connection's groups.
 */
export function RemovalThresholdForm({
  connectionId,
  sharePercent,
  minRemovals,
  update,
}: {
  connectionId: string;
  sharePercent: number;
  minRemovals: number;
  update(input: unknown): Promise<ActionResult<{ sharePercent: number; minRemovals: number; saved: boolean }>>;
}) {
  const router = useRouter();
  const [share, setShare] = useState(String(sharePercent));
  const [min, setMin] = useState(String(minRemovals));
  const [fields, setFields] = useState<Record<string, string>>({});
  const { pending, message, setMessage, submit, formRef, messageRef, focusAfterRender } = useActionSubmit<"save">();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    await submit("save", async () => {
      const result = await update({ connectionId, sharePercent: share, minRemovals: min });
      if (!result.ok) {
        setFields(result.error.fields ?? {});
        setMessage({ tone: "error", text: result.error.message });
      } else {
        setFields({});
        setMessage({ tone: "success", text: result.data.saved ? "Mass-removal guard saved." : "Nothing changed." });
        router.refresh();
      }
      focusAfterRender("message");
    });
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} aria-label="Mass-removal guard" className="space-y-3" noValidate>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field
          label="Removal share (%)"
          inputMode="numeric"
          value={share}
          onChange={(e) => setShare(e.target.value)}
          hint="Held when a sync would remove more than this share of a group's addresses…"
          error={fields.sharePercent}
        />
        <Field
          label="Removal count"
          inputMode="numeric"
          value={min}
          onChange={(e) => setMin(e.target.value)}
          hint="…and more than this many of them."
          error={fields.minRemovals}
        />
      </div>
      {message && (
        <div ref={messageRef} tabIndex={-1}>
          <Alert tone={message.tone}>{message.text}</Alert>
        </div>
      )}
      <Button type="submit" disabled={pending !== null}>
        {pending === "save" ? "Saving…" : "Save mass-removal guard"}
      </Button>
    </form>
  );
}
