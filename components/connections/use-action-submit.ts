"use client";
import { useState } from "react";
import { useResultFocus } from "./form-controls";

type ResultMessage = { tone: "success" | "error" | "warning" | "info"; text: string; details?: string };

/**
 * A connection form's server-action call. While it runs, `pending` names it (every button waits, only its own
 * says so) and the previous message is gone. Refusals come back as results for the caller to show; a call that
 * throws never got an answer, which means the same whichever action it was, so that is said here.
 */
export function useActionSubmit<Kind extends string>() {
  const [pending, setPending] = useState<Kind | null>(null);
  const [message, setMessage] = useState<ResultMessage | null>(null);
  const { formRef, messageRef, focusAfterRender } = useResultFocus();

  async function submit(kind: Kind, action: () => Promise<void>) {
    setPending(kind);
    setMessage(null);
    try {
      await action();
    } catch {
      setMessage({ tone: "error", text: "Roster could not be reached. Check your connection and try again." });
      focusAfterRender("message");
    } finally {
      setPending(null);
    }
  }

  return { pending, setPending, message, setMessage, submit, formRef, messageRef, focusAfterRender };
}
