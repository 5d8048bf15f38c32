import Link from "next/link";
import type { Actor } from "@/lib/auth/actor";
import { isAdminAnywhere } from "@/lib/auth/actor";
import { NavLinks } from "./nav-links";
import { SignOutButton } from "./sign-out-button";

/** The bar on every page: where you are (organization), who you are, where you can go, and the way out. */
export function TopNav({ actor }: { actor: Actor | null }) {
  const organizations = actor ? [...new Set(actor.memberships.map((m) => m.organizationName))] : [];
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
        <div className="flex min-w-0 items-center gap-3">
          <Link href={actor ? "/series" : "/login"} className="flex items-center gap-2 text-base font-semibold text-slate-900">
            <span aria-hidden="true" className="grid h-7 w-7 place-items-center rounded-md bg-blue-600 text-sm font-bold text-white">
              R
            </span>
            Roster
          </Link>
          {organizations.length > 0 && (
            <span className="truncate rounded-md bg-slate-100 px-2 py-0.5 text-sm text-slate-700" title="Organization">
              <span className="sr-only">Organization: </span>
              {organizations.join(", ")}
            </span>
          )}
        </div>
        {actor && (
          <>
            <NavLinks links={[{ href: "/series", label: "Series" }, ...(isAdminAnywhere(actor) ? [{ href: "/admin/directory", label: "Directory" }, { href: "/admin/audit", label: "Audit log" }] : [])]} />
            <div className="ml-auto flex items-center gap-3">
              <span className="hidden text-sm text-slate-600 sm:inline" title={actor.email}>
                <span className="sr-only">Signed in as </span>
                {actor.name}
              </span>
              <SignOutButton />
            </div>
          </>
        )}
      </div>
    </header>
  );
}
