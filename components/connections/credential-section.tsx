"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/errors";
import type { CredentialView } from "@/lib/connections/credential-view";
import type { PreparedCertificate, SwitchCredentialResult } from "@/lib/connections/switch-credential";
import { describeVerificationOutcome } from "@/lib/connections/verification";
import { CopyButton } from "./copy-button";
import { useActionSubmit } from "./use-action-submit";
import { VerificationChecklist } from "./verification-checklist";

const KIND_NAMES = { secret: "Client secret", certificate: "Certificate", federated: "Federated credential" } as const;
const day = (iso: string) => iso.slice(0, 10);

function pemDownload(pem: string): string {
  return `data:application/x-pem-file;base64,${btoa(pem)}`;
}
/** A .cer file is the certificate's DER bytes: the PEM body, base64 as it is. */
function cerDownload(pem: string): string {
  return `data:application/pkix-cert;base64,${pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "")}`;
}

export function CertificateFacts({ cert, label, fileName }: { cert: NonNullable<CredentialView["certificate"]>; label: string; fileName: string }) {
  return (
    <div className="rounded-md border border-slate-200 p-3 text-sm">
      <p className="font-medium text-slate-900">{label}</p>
      <p className="mt-1 flex flex-wrap items-center gap-2 text-slate-700">
        Thumbprint <span className="font-mono">{cert.thumbprint}</span> <CopyButton value={cert.thumbprint} what={`${label} thumbprint`} />
      </p>
      <p className="text-slate-700">Expires {day(cert.expiresAt)}</p>
      <p className="mt-1 flex gap-3">
        <a className="text-blue-700 underline" href={cerDownload(cert.pem)} download={`${fileName}.cer`}>Download .cer</a>
        <a className="text-blue-700 underline" href={pemDownload(cert.pem)} download={`${fileName}.pem`}>Download .pem</a>
      </p>
    </div>
  );
}

/** How long a new certificate is valid: one year or two (lib/connections/validation.ts, certificateValiditySchema). */
export function CertificateValidity({ value, onChange }: { value: number; onChange(days: number): void }) {
  return (
    <label className="text-sm text-slate-700">
      Valid for{" "}
      <select className="rounded border border-slate-300 px-2 py-1" value={value} onChange={(e) => onChange(Number(e.target.value))}>
        <option value={365}>1 year</option>
        <option value={730}>2 years</option>
      </select>
    </label>
  );
}

/**
 * The three values the admin enters in Azure for a federated credential, each with a copy button, and the portal
 * steps (https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-create-trust, "Other
 * issuer"). Shared by the wizard and the connection page.
 */
export function FederatedCredentialValues({ federation: f, error }: { federation: CredentialView["federation"]; error?: string }) {
  return (
    <div>
      <p className="mt-1 text-sm text-slate-600">
        In Azure: App registrations → your app → Certificates &amp; secrets → Federated credentials → Add credential → scenario “Other issuer”. Enter the issuer,
        choose “Explicit subject identifier” and enter the subject, keep the audience, give it a name (for example “roster”), then select Add:
      </p>
      <dl className="mt-2 grid gap-y-1 text-sm" aria-label="Federated credential values">
        {(
          [
            ["Issuer", f.issuer],
            ["Subject identifier", f.subject],
            ["Audience", f.audience],
          ] as const
        ).map(([label, value]) => (
          <div key={label} className="flex flex-wrap items-center gap-2">
            <dt className="w-40 text-slate-500">{label}</dt>
            <dd className="break-all font-mono text-slate-900">{value}</dd>
            <CopyButton value={value} what={`federated credential ${label.toLowerCase()}`} />
          </div>
        ))}
      </dl>
      {!f.issuerReachable && (
        <Alert tone="error" className="mt-2">
          Entra ID fetches the issuer over HTTPS from the internet; {f.issuer} is not https. Set NEXTAUTH_URL (or OIDC_ISSUER_URL) to Roster&apos;s public https URL, or use a certificate.
        </Alert>
      )}
      {error && (
        <p className="mt-2 text-xs font-medium text-red-700" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * The connection's credential: which one signs in, the federated credential's three values, the certificates,
 * and the switch, which verifies the new credential before it replaces the current one. Shows only public
 * facts; private keys never reach the browser.
 */
export function CredentialSection({
  connectionId,
  credential,
  prepare,
  switchTo,
}: {
  connectionId: string;
  credential: CredentialView;
  prepare(input: unknown): Promise<ActionResult<PreparedCertificate>>;
  switchTo(input: unknown): Promise<ActionResult<SwitchCredentialResult>>;
}) {
  const router = useRouter();
  const [result, setResult] = useState<SwitchCredentialResult | null>(null);
  const [validDays, setValidDays] = useState(365);
  const { pending, message, setMessage, submit, messageRef, focusAfterRender } = useActionSubmit<"prepare" | "certificate" | "federated">();
  const f = credential.federation;

  async function onPrepare() {
    await submit("prepare", async () => {
      const r = await prepare({ connectionId, validDays });
      if (!r.ok) {
        setMessage({ tone: "error", text: r.error.message });
      } else {
        setMessage({ tone: "success", text: `Certificate created (thumbprint ${r.data.thumbprint}). Download it, upload it in Azure, then select “Verify and use this certificate”.` });
        router.refresh();
      }
      focusAfterRender("message");
    });
  }

  async function onSwitch(to: "certificate" | "federated") {
    await submit(to, async () => {
      const r = await switchTo({ connectionId, to });
      if (!r.ok) {
        setMessage({ tone: "error", text: r.error.message });
        focusAfterRender("message");
        return;
      }
      setResult(r.data);
      if (!r.data.switched) {
        const fix = Object.values(r.data.verification.fields)[0];
        setMessage({ tone: "error", text: `The new credential did not sign in, so Roster keeps using the current one. ${fix ?? describeVerificationOutcome(r.data.verification)}` });
      } else {
        const parts = [`Roster now signs in with the ${KIND_NAMES[r.data.kind].toLowerCase()}.`];
        if (r.data.previousKind === "secret") parts.push("It no longer uses the client secret: you can delete it in Azure (Certificates & secrets → Client secrets).");
        if (r.data.retiredThumbprint) parts.push(`It no longer uses the certificate with thumbprint ${r.data.retiredThumbprint}: you can delete it in Azure (Certificates & secrets → Certificates).`);
        setMessage({ tone: "success", text: parts.join(" ") });
        router.refresh();
      }
      focusAfterRender("message");
    });
  }

  return (
    <div className="space-y-5">
      <p className="text-sm text-slate-700">
        Signs in with: <strong>{KIND_NAMES[credential.kind]}</strong>
      </p>
      {credential.kind !== "secret" && credential.secretRetiredAt && (
        <Alert tone="info">Roster stopped using the client secret on {day(credential.secretRetiredAt)}: you can delete it in Azure (Certificates &amp; secrets → Client secrets).</Alert>
      )}

      <div>
        <h3 className="text-sm font-semibold text-slate-900">Federated credential (recommended: nothing to expire or leak)</h3>
        <FederatedCredentialValues federation={f} />
        {credential.kind !== "federated" && (
          <Button className="mt-3" onClick={() => onSwitch("federated")} disabled={pending !== null}>
            {pending === "federated" ? "Checking the federated credential…" : "Verify and use the federated credential"}
          </Button>
        )}
      </div>

      <div>
        <h3 className="text-sm font-semibold text-slate-900">Certificate (Roster keeps the private key; renew before it expires)</h3>
        <div className="mt-2 grid gap-3 sm:grid-cols-2">
          {credential.certificate && <CertificateFacts cert={credential.certificate} label="Certificate in use" fileName="roster-certificate" />}
          {credential.nextCertificate && <CertificateFacts cert={credential.nextCertificate} label="New certificate, not yet in use" fileName="roster-certificate-next" />}
        </div>
        {credential.nextCertificate ? (
          <>
            <p className="mt-2 text-sm text-slate-600">
              Upload the new certificate in Azure (Certificates &amp; secrets → Certificates → Upload certificate), check that Azure shows thumbprint {credential.nextCertificate.thumbprint}, then verify it. The
              current credential keeps working until then.
            </p>
            <Button className="mt-2" onClick={() => onSwitch("certificate")} disabled={pending !== null}>
              {pending === "certificate" ? "Checking the certificate…" : "Verify and use this certificate"}
            </Button>
          </>
        ) : (
          <div className="mt-2 flex flex-wrap items-center gap-3">
            <CertificateValidity value={validDays} onChange={setValidDays} />
            <Button variant="secondary" onClick={onPrepare} disabled={pending !== null}>
              {pending === "prepare" ? "Creating…" : credential.certificate ? "Create the next certificate" : "Create a certificate"}
            </Button>
          </div>
        )}
      </div>

      {message && (
        <div ref={messageRef} tabIndex={-1} className="space-y-4 rounded-md focus:outline-none">
          <Alert tone={message.tone}>{message.text}</Alert>
          {result && !result.switched && <VerificationChecklist heading="New credential" items={result.verification.checklist} />}
        </div>
      )}
    </div>
  );
}
