"use client";
import { useState, useTransition, type FormEvent } from "react";
import { addRecipientAction } from "@/app/series/[seriesId]/audience/actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import type { ActionError } from "@/lib/errors";

export function AddRecipientDialog({ seriesId, open, onOpenChange }: { seriesId: string; open: boolean; onOpenChange: (open: boolean) => void }) {
  const [error, setError] = useState<ActionError | null>(null);
  const [pending, startTransition] = useTransition();
  const toast = useToast();

  function close(next: boolean) {
    if (!next) setError(null);
    onOpenChange(next);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const name = String(form.get("name") ?? "");
    startTransition(async () => {
      const result = await addRecipientAction({ seriesId, email, name });
      if (!result.ok) {
        setError(result.error);
        return;
      }
      toast(
        result.data.excluded
          ? `${result.data.email} is on the manual list, but this series excludes it: it stays out of the audience until the exclusion is lifted.`
          : result.data.added
          ? `Added ${result.data.email}.`
          : `${result.data.email} was already in the audience; it is now also on the manual list.`,
      );
      close(false);
    });
  }

  return (
    <Dialog open={open} onOpenChange={close} title="Add recipient" description="The address joins this series' manual list.">
      <form onSubmit={onSubmit} className="space-y-4">
        {error && !error.fields && <Alert tone="error">{error.message}</Alert>}
        <Field label="Email" name="email" type="email" required autoComplete="off" placeholder="name@example.com" error={error?.fields?.email} />
        <Field label="Name" name="name" autoComplete="off" hint="Optional." error={error?.fields?.name} />
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={() => close(false)}>
            Cancel
          </Button>
          <Button type="submit" disabled={pending}>
            {pending ? "Adding…" : "Add recipient"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
