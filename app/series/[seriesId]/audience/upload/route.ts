import { importRecipientCsv } from "@/lib/audience/csv-import";
import { CSV_LIMITS } from "@/lib/audience/csv-recipients";
import { MULTIPART_SLACK, readLimitedFormData } from "@/lib/audience/csv-upload";
import { requireSeries } from "@/lib/auth/actor";
import { isSameOrigin } from "@/lib/auth/same-origin";
import { currentActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { errorResponse, RosterError, type ActionResult } from "@/lib/errors";
import { logError } from "@/lib/log";

/**
 * POST a CSV (multipart field "file") to import it into the series' audience. A route handler rather than a
 * server action because a 5 MB file is over a server action's 1 MB body limit. Authorizes like an action:
 * session, role and the series' organization, before the file is read.
 */
export async function POST(request: Request, { params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = await params;
  const reply = <T,>(result: ActionResult<T>, status = 200) => Response.json(result, { status });
  const refuse = (thrown: unknown) => {
    const { status, error } = errorResponse(thrown, (e) => logError("CSV upload failed", e));
    return reply({ ok: false, error }, status);
  };
  try {
    if (!isSameOrigin(request)) return refuse(new RosterError("forbidden", "Cross-site upload refused."));
    const db = await getDb();
    const actor = await currentActor(db);
    // Authorize before reading the body: a stranger's upload is refused unread and learns nothing about the series.
    await requireSeries(db, actor, seriesId, "editor");
    // The body is counted as it arrives and abandoned past the limit, with or without a Content-Length.
    const file = (await readLimitedFormData(request, CSV_LIMITS.maxBytes + MULTIPART_SLACK)).get("file");
    if (!file || typeof file === "string") {
      return refuse(new RosterError("invalid_input", "Choose a CSV file to upload."));
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const result = await importRecipientCsv(db, actor, { seriesId, fileName: file.name, bytes });
    return reply({ ok: true, data: result });
  } catch (error) {
    return refuse(error);
  }
}
