"use client";
import { useRouter } from "next/navigation";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useActionSubmit } from "./use-action-submit";
import type { ActionResult } from "@/lib/errors";
import type { ConnectionVerification } from "@/lib/connections/verify";
import { describeVerificationOutcome } from "@/lib/connections/verification";

type RefreshResult = { ok: true; refresh: { seen: number; added: number; restored: number; markedDeleted: number } } | { ok: false; title: string; fix: string; details?: string };

/** "Verify connection" and "Refresh groups" on the connection page; the page re-renders with the stored outcome. */
export function ConnectionChecks({
  connectionId,
  verify,
  refreshGroups,
}: {
  connectionId: string;
  verify(input: unknown): Promise<ActionResult<ConnectionVerification>>;
  refreshGroups(input: unknown): Promise<ActionResult<RefreshResult>>;
}) {
  const router = useRouter();
  const { pending, message, setMessage, submit, messageRef, focusAfterRender } = useActionSubmit<"verify" | "refresh">();

  async function run(kind: "verify" | "refresh") {
    await submit(kind, async () => {
      if (kind === "verify") {
        const r = await verify({ connectionId });
        if (!r.ok) setMessage({ tone: "error", text: r.error.message });
        else setMessage({ tone: r.data.verification.ok ? "success" : "error", text: describeVerificationOutcome(r.data.verification) });
      } else {
        const r = await refreshGroups({ connectionId });
        if (!r.ok) setMessage({ tone: "error", text: r.error.message });
        else if (!r.data.ok) setMessage({ tone: "error", text: `${r.data.title}. ${r.data.fix}`, details: r.data.details });
        else {
          const { seen, added, markedDeleted, restored } = r.data.refresh;
          setMessage({ tone: "success", text: `Groups refreshed: ${seen} found, ${added} new, ${restored} back, ${markedDeleted} no longer in Azure.` });
        }
      }
      focusAfterRender("message");
      router.refresh();
    });
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={() => run("verify")} disabled={pending !== null}>
          {pending === "verify" ? "Verifying…" : "Verify connection"}
        </Button>
        <Button variant="secondary" onClick={() => run("refresh")} disabled={pending !== null}>
          {pending === "refresh" ? "Refreshing…" : "Refresh groups"}
        </Button>
      </div>
      {message && (
        <div ref={messageRef} tabIndex={-1} className="rounded-md focus:outline-none">
          <Alert tone={message.tone}>
            {message.text}
            {message.details && (
              <details className="mt-1 text-xs">
                <summary className="cursor-pointer">Details</summary>
                <pre className="mt-1 whitespace-pre-wrap break-words font-mono">{message.details}</pre>
              </details>
            )}
          </Alert>
        </div>
      )}
    </div>
  );
}
