import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { entraSsoConfigured } from "@/lib/auth/options";
import { safeReturnPath } from "@/lib/auth/page";
import { currentActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { DEMO_SIGN_INS } from "@/lib/users/demo-sign-ins";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

/** next-auth's own error codes, in words; our credential messages arrive as text and are shown as they are. */
const providerErrors: Record<string, string> = {
  AccessDenied: "That Microsoft account has no Roster access. Ask an admin to add you.",
  OAuthSignin: "Single sign-on could not start. Try again.",
  OAuthCallback: "Single sign-on did not complete. Try again.",
  Callback: "Single sign-on did not complete. Try again.",
  SessionRequired: "Sign in to continue.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeReturnPath(typeof params.callbackUrl === "string" ? params.callbackUrl : null);
  if (await currentActor(await getDb())) redirect(callbackUrl);
  const errorCode = typeof params.error === "string" ? params.error : null;
  const initialError = errorCode ? (providerErrors[errorCode] ?? null) : null;
  // The demo's sign-ins exist only in the embedded development database; production never lists them.
  const demo = process.env.NODE_ENV === "development" ? DEMO_SIGN_INS : [];

  return (
    <div className="mx-auto max-w-sm pt-4 sm:pt-12">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Sign in to Roster</h1>
      <p className="mt-1 text-sm text-slate-600">Newsletter audiences, kept in step with your directory.</p>
      <div className="mt-6 rounded-lg border border-slate-200 bg-white p-5 shadow-sm sm:p-6">
        <LoginForm callbackUrl={callbackUrl} sso={entraSsoConfigured()} initialError={initialError} />
      </div>
      {demo.length > 0 && (
        <section aria-labelledby="demo-heading" className="mt-6 rounded-lg border border-blue-200 bg-blue-50 p-4 text-sm text-blue-950">
          <h2 id="demo-heading" className="font-semibold">
            Demo sign-ins (development only)
          </h2>
          <ul className="mt-2 space-y-1">
            {demo.map((d) => (
              <li key={d.email}>
                <span className="font-medium capitalize">{d.role}</span>: <code>{d.email}</code> / <code>{d.password}</code>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
