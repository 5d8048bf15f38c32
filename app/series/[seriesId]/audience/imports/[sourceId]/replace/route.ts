import { replaceImport } from "@/lib/audience/csv-sources";
import { CSV_LIMITS } from "@/lib/audience/csv-recipients";
import { MULTIPART_SLACK, readLimitedFormData } from "@/lib/audience/csv-upload";
import { requireSeries } from "@/lib/auth/actor";
import { isSameOrigin } from "@/lib/auth/same-origin";
import { currentActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { RosterError, type ActionResult } from "@/lib/errors";
import { logError } from "@/lib/log";

/** POST a new file (multipart "file") to replace an import's file, applied as one diff. Authorized before reading. */
export async function POST(request: Request, { params }: { params: Promise<{ seriesId: string; sourceId: string }> }) {
  const { seriesId, sourceId } = await params;
  const reply = <T,>(result: ActionResult<T>, status = 200) => Response.json(result, { status });
  const refuse = (error: RosterError) => reply({ ok: false, error: { code: error.code, message: error.message } }, error.status);
  try {
    if (!isSameOrigin(request)) return refuse(new RosterError("forbidden", "Cross-site upload refused."));
    const db = await getDb();
    const actor = await currentActor(db);
    await requireSeries(db, actor, seriesId, "editor");
    const file = (await readLimitedFormData(request, CSV_LIMITS.maxBytes + MULTIPART_SLACK)).get("file");
    if (!file || typeof file === "string") return refuse(new RosterError("invalid_input", "Choose a CSV file to upload."));
    const result = await replaceImport(db, actor, { seriesId, sourceId, fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    return reply({ ok: true, data: result });
  } catch (error) {
    if (error instanceof RosterError) return refuse(error);
    logError("CSV replace failed", error);
    return reply({ ok: false, error: { code: "internal", message: "Something went wrong on our side. Please try again." } }, 500);
  }
}
