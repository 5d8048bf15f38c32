"use client";
import { useTransition } from "react";
import { removeRecipientAction } from "@/app/series/[seriesId]/audience/actions";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

/** Takes an address off the manual list; it stays in the audience if a CSV import or a group also holds it. */
export function RemoveRecipientButton({ seriesId, email }: { seriesId: string; email: string }) {
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  return (
    <Button
      variant="danger"
      className="-my-1 px-2 py-1"
      disabled={pending}
      aria-label={`Remove ${email} from the manual list`}
      onClick={() =>
        startTransition(async () => {
          const result = await removeRecipientAction({ seriesId, email });
          if (!result.ok) toast(result.error.message, "error");
          else if (result.data.removed) toast(`Removed ${result.data.email}.`);
          else toast(`${result.data.email} left the manual list but stays in the audience through ${result.data.heldBy.join(", ")}.`, "info");
        })
      }
    >
      {pending ? "Removing…" : "Remove"}
    </Button>
  );
}
