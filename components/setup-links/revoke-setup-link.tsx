"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/errors";

export function RevokeSetupLink({ linkId, contact, revoke }: { linkId: string; contact: string; revoke(input: unknown): Promise<ActionResult<{ revoked: true }>> }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        variant="danger"
        disabled={pending}
        aria-label={`Revoke the link sent to ${contact}`}
        onClick={async () => {
          setPending(true);
          setError(null);
          try {
            const result = await revoke({ linkId });
            if (!result.ok) setError(result.error.message);
            else router.refresh();
          } catch {
            setError("Roster could not be reached. Try again.");
          } finally {
            setPending(false);
          }
        }}
      >
        {pending ? "Revoking…" : "Revoke"}
      </Button>
      {error && <span role="alert" className="text-xs text-red-700">{error}</span>}
    </span>
  );
}
