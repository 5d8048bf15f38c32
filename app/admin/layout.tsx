import Link from "next/link";
import type { ReactNode } from "react";
import { buttonClasses } from "@/components/ui/button";
import { isAdminAnywhere } from "@/lib/auth/actor";
import { requirePageActor } from "@/lib/auth/page";
import { getDb } from "@/lib/db";
import { SecretExpiryBanner } from "./secret-expiry-banner";

/**
 * The gate of the admin area: signed-out people go to the login page, editors get a plain refusal. It guards
 * what is shown; every admin action and route handler still checks the role in the organization it touches.
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const db = await getDb();
  const actor = await requirePageActor(db, "/admin/directory");
  if (!isAdminAnywhere(actor)) {
    return (
      <div className="mx-auto max-w-lg py-12 text-center" role="alert">
        <p className="text-sm font-semibold text-amber-700">Admins only</p>
        <h1 className="mt-2 text-2xl font-semibold text-slate-900">You do not have access to the directory settings</h1>
        <p className="mt-3 text-slate-600">
          Connecting Microsoft Entra ID is done by an organization admin. You are signed in as an editor: you can sync groups a
          connection offers from a series&apos; audience page. Ask an admin if you need a new connection.
        </p>
        <Link href="/series" className={buttonClasses("secondary", "mt-6")}>
          Back to your series
        </Link>
      </div>
    );
  }
  return (
    <>
      <SecretExpiryBanner actor={actor} />
      {children}
    </>
  );
}
