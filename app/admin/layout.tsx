import { forbidden } from "next/navigation";
import type { ReactNode } from "react";
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
  // Editors get a plain refusal (app/forbidden.tsx) with status 403, not a 200 page that says no.
  if (!isAdminAnywhere(actor)) forbidden();
  return (
    <>
      <SecretExpiryBanner actor={actor} />
      {children}
    </>
  );
}
