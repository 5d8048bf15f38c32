import { changesCsv, listChanges } from "@/lib/audience/change-log";
import { currentActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { RosterError } from "@/lib/errors";
import { logError } from "@/lib/log";

/**
 * Who one run added to and removed from the audience, with the reason: JSON for the "Runs" list (`?q=` searches
 * by address), or the whole list as a CSV download with `?format=csv`. Authorized like every read: the session's
 * editor or admin of the series' organization; another series' run answers "not found".
 */
export async function GET(request: Request, { params }: { params: Promise<{ seriesId: string; runId: string }> }) {
  const { seriesId, runId } = await params;
  const url = new URL(request.url);
  const csv = url.searchParams.get("format") === "csv";
  const headers = { "cache-control": "no-store" };
  try {
    const db = await getDb();
    const actor = await currentActor(db);
    const list = await listChanges(db, actor, { seriesId, runId, q: url.searchParams.get("q"), limit: csv ? 100_000 : 200 });
    if (csv) {
      return new Response(changesCsv(list.rows), {
        headers: { ...headers, "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="run-${runId}-changes.csv"` },
      });
    }
    return Response.json(
      { total: list.total, added: list.added, removed: list.removed, rows: list.rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) },
      { headers },
    );
  } catch (error) {
    if (error instanceof RosterError) return Response.json({ error: { code: error.code, message: error.message } }, { status: error.status, headers });
    logError("run changes read failed", error);
    return Response.json({ error: { code: "internal", message: "Something went wrong on our side. Please try again." } }, { status: 500, headers });
  }
}
