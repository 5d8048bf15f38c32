"use client";
import { useState, useTransition, type FormEvent } from "react";
import { excludeGroupAction } from "@/app/series/[seriesId]/audience/exclusion-actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import type { ActionError } from "@/lib/errors";

/**
 * "Exclude members of a group": a directory group named as the directory shows it; its members leave once
 * Roster has listed the group, and stay out through every sync until the exclusion is lifted.
 */
export function ExcludeGroupForm({ seriesId, onDone }: { seriesId: string; onDone(): void }) {
  const [error, setError] = useState<ActionError | null>(null);
  const [pending, startTransition] = useTransition();
  const toast = useToast();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const groupName = String(form.get("groupName") ?? "");
    const reason = String(form.get("reason") ?? "");
    startTransition(async () => {
      const result = await excludeGroupAction({ seriesId, groupName, reason });
      if (!result.ok) return setError(result.error);
      setError(null);
      toast(
        result.data.created
          ? `Excluding the members of ${result.data.label}: they leave once the group has been read from the directory.`
          : `${result.data.label} was already excluded; its members are being read again.`,
      );
      onDone();
    });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label="Exclude members of a group">
      {error && !error.fields && <Alert tone="error">{error.message}</Alert>}
      <Field
        label="Group to exclude"
        name="groupName"
        required
        autoComplete="off"
        placeholder="Contractors"
        hint="A directory group, by its name; its members (nested groups included) never enter this audience."
        error={error?.fields?.groupName}
      />
      <Field label="Reason for the group" name="reason" autoComplete="off" hint="Optional; shown in the why lookup." error={error?.fields?.reason} />
      <div className="flex justify-end">
        <Button type="submit" disabled={pending}>
          {pending ? "Excluding…" : "Exclude members"}
        </Button>
      </div>
    </form>
  );
}
