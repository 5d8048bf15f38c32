import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";

/**
 * What forbidden() renders, with status 403. Only the admin area refuses signed-in people (editors), so the
 * page speaks of the directory settings.
 */
export default function Forbidden() {
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
