import { importExclusionCsv } from "@/lib/audience/exclusion-csv";
import { CSV_LIMITS } from "@/lib/audience/csv-recipients";
import { MULTIPART_SLACK, readLimitedFormData } from "@/lib/audience/csv-upload";
import { requireSeries } from "@/lib/auth/actor";
import { isSameOrigin } from "@/lib/auth/same-origin";
import { currentActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { RosterError, type ActionResult } from "@/lib/errors";
import { logError } from "@/lib/log";

/**
 * POST a CSV of addresses to exclude (multipart "file", optional "reason"). A route handler for the same reason
 * as the recipient upload beside it: a 5 MB file is over a server action's body limit. Authorized before the
 * body is read.
 */
export async function POST(request: Request, { params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = await params;
  const reply = <T,>(result: ActionResult<T>, status = 200) => Response.json(result, { status });
  const refuse = (error: RosterError) => reply({ ok: false, error: { code: error.code, message: error.message } }, error.status);
  try {
    if (!isSameOrigin(request)) return refuse(new RosterError("forbidden", "Cross-site upload refused."));
    const db = await getDb();
    const actor = await currentActor(db);
    await requireSeries(db, actor, seriesId, "editor");
    const form = await readLimitedFormData(request, CSV_LIMITS.maxBytes + MULTIPART_SLACK);
    const file = form.get("file");
    if (!file || typeof file === "string") return refuse(new RosterError("invalid_input", "Choose a CSV file to upload."));
    const reason = form.get("reason");
    const bytes = new Uint8Array(await file.arrayBuffer());
    const result = await importExclusionCsv(db, actor, { seriesId, fileName: file.name, bytes, reason: typeof reason === "string" ? reason : null });
    return reply({ ok: true, data: result });
  } catch (error) {
    if (error instanceof RosterError) return refuse(error);
    logError("exclusion CSV upload failed", error);
    return reply({ ok: false, error: { code: "internal", message: "Something went wrong on our side. Please try again." } }, 500);
  }
}
