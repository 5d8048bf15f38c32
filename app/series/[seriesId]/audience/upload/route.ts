import { importRecipientCsv } from "@/lib/audience/csv-import";
import { CSV_LIMITS } from "@/lib/audience/csv-recipients";
import { requireSeries } from "@/lib/auth/actor";
import { isSameOrigin } from "@/lib/auth/same-origin";
import { currentActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { RosterError, type ActionResult } from "@/lib/errors";
import { logError } from "@/lib/log";

/**
 * POST a CSV (multipart field "file") to import it into the series' audience. A route handler rather than a
 * server action because a 5 MB file is over a server action's 1 MB body limit. Authorizes like an action:
 * session, role and the series' organization, before the file is read.
 */
export async function POST(request: Request, { params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = await params;
  const reply = <T,>(result: ActionResult<T>, status = 200) => Response.json(result, { status });
  const refuse = (error: RosterError) => reply({ ok: false, error: { code: error.code, message: error.message } }, error.status);
  try {
    if (!isSameOrigin(request)) return refuse(new RosterError("forbidden", "Cross-site upload refused."));
    const db = await getDb();
    const actor = await currentActor(db);
    // Authorize before reading the body: a stranger's upload is refused unread and learns nothing about the series.
    await requireSeries(db, actor, seriesId, "editor");
    // Refuse an oversized upload before reading it: the limit protects the server as much as the database.
    const declared = Number(request.headers.get("content-length") ?? 0);
    const slack = 64 * 1024; // multipart boundaries and part headers around the file
    if (declared > CSV_LIMITS.maxBytes + slack) {
      const mb = (declared / (1024 * 1024)).toFixed(1);
      return refuse(new RosterError("too_large", `The file is about ${mb} MB; the limit is 5 MB. Split it into smaller files.`));
    }
    let file: FormDataEntryValue | null = null;
    try {
      file = (await request.formData()).get("file");
    } catch {
      return refuse(new RosterError("invalid_input", "The upload could not be read. Choose a CSV file and try again."));
    }
    if (!file || typeof file === "string") {
      return refuse(new RosterError("invalid_input", "Choose a CSV file to upload."));
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const result = await importRecipientCsv(db, actor, { seriesId, fileName: file.name, bytes });
    return reply({ ok: true, data: result });
  } catch (error) {
    if (error instanceof RosterError) return refuse(error);
    logError("CSV upload failed", error);
    return reply({ ok: false, error: { code: "internal", message: "Something went wrong on our side. Please try again." } }, 500);
  }
}
