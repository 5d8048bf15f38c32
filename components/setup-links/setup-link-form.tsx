"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useActionSubmit } from "@/components/connections/use-action-submit";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, inputClasses } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";
import type { CreateSetupLinkResult } from "@/lib/setup-links/create";

const selectClasses = inputClasses;

/** "Send a setup link": for a new connection of one of the admin's organizations, or a connection's rotation. */
export function SetupLinkForm({
  organizations,
  connections,
  create,
}: {
  organizations: { id: string; name: string }[];
  connections: { id: string; name: string }[];
  create(input: unknown): Promise<ActionResult<CreateSetupLinkResult>>;
}) {
  const router = useRouter();
  const [target, setTarget] = useState(organizations.length ? `org:${organizations[0].id}` : "");
  const [contactName, setContactName] = useState("");
  const [contactEmail, setContactEmail] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [manualLink, setManualLink] = useState<string | null>(null);
  const { pending, message, setMessage, submit, formRef, messageRef, focusAfterRender } = useActionSubmit<"send">();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setManualLink(null);
    await submit("send", async () => {
      const [kind, id] = target.split(":");
      const result = await create({
        purpose: kind === "conn" ? "rotate" : "create",
        ...(kind === "conn" ? { connectionId: id } : { organizationId: id }),
        contactName,
        contactEmail,
      });
      if (!result.ok) {
        setFields(result.error.fields ?? {});
        setMessage({ tone: "error", text: result.error.message });
        focusAfterRender("firstError");
        return;
      }
      setFields({});
      if (result.data.emailed) {
        setMessage({ tone: "success", text: `Setup link emailed to ${contactEmail}. It works once and expires on ${result.data.expiresAt.slice(0, 10)}.` });
      } else {
        setManualLink(result.data.link);
        setMessage({
          tone: "warning",
          text:
            result.data.reason === "not_configured"
              ? "Email is not set up, so the link was not sent. Give this link to the IT contact yourself (it works once, for 7 days):"
              : "The mail server did not accept the email. Give this link to the IT contact yourself (it works once, for 7 days):",
        });
      }
      setContactName("");
      setContactEmail("");
      focusAfterRender("message");
      router.refresh();
    });
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate aria-label="Send a setup link" className="space-y-4">
      <div className="space-y-1.5">
        <label htmlFor="setup-link-target" className="block text-sm font-medium text-slate-800">
          The link sets up
        </label>
        <select id="setup-link-target" className={selectClasses} value={target} onChange={(e) => setTarget(e.target.value)}>
          {organizations.map((o) => (
            <option key={o.id} value={`org:${o.id}`}>
              A new connection for {o.name}
            </option>
          ))}
          {connections.map((c) => (
            <option key={c.id} value={`conn:${c.id}`}>
              A new client secret for {c.name}
            </option>
          ))}
        </select>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="IT contact's name" name="contactName" value={contactName} error={fields.contactName} onChange={(e) => setContactName(e.target.value)} />
        <Field label="IT contact's email" name="contactEmail" type="email" value={contactEmail} error={fields.contactEmail} onChange={(e) => setContactEmail(e.target.value)} />
      </div>
      {message && (
        <div ref={messageRef} tabIndex={-1} className="space-y-2 focus:outline-none">
          <Alert tone={message.tone}>{message.text}</Alert>
          {manualLink && <p className="break-all rounded-md bg-slate-50 p-2 font-mono text-xs text-slate-800">{manualLink}</p>}
        </div>
      )}
      <Button type="submit" disabled={pending !== null || !target}>
        {pending === "send" ? "Sending…" : "Send setup link"}
      </Button>
    </form>
  );
}
