import { auditCsv } from "@/lib/audit/csv";
import { listAuditEvents } from "@/lib/audit/list";
import { currentActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { RosterError } from "@/lib/errors";
import { logError } from "@/lib/log";

/** The audit log as CSV, with the page's filters (kind, person, from, to); only the actor's administered organizations. */
export async function GET(request: Request) {
  const sp = new URL(request.url).searchParams;
  const headers = { "cache-control": "no-store" };
  try {
    const db = await getDb();
    const actor = await currentActor(db);
    if (!actor) throw new RosterError("unauthenticated", "Sign in to continue.");
    const rows = await listAuditEvents(db, actor, { kind: sp.get("kind"), person: sp.get("person"), from: sp.get("from"), to: sp.get("to"), limit: 50_000 });
    return new Response(auditCsv(rows), {
      headers: { ...headers, "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="roster-audit-log.csv"' },
    });
  } catch (error) {
    if (error instanceof RosterError) return Response.json({ error: { code: error.code, message: error.message } }, { status: error.status, headers });
    logError("audit export failed", error);
    return Response.json({ error: { code: "internal", message: "Something went wrong on our side. Please try again." } }, { status: 500, headers });
  }
}
