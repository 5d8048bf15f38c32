import "server-only";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { CSV_LIMITS } from "@/lib/audience/csv-recipients";
import { MULTIPART_SLACK, readLimitedFormData } from "@/lib/audience/csv-upload";
import { requireSeries } from "@/lib/auth/actor";
import { isSameOrigin } from "@/lib/auth/same-origin";
import { currentActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { errorResponse, forbidden, invalidInput, type ActionResult } from "@/lib/errors";
import { logError } from "@/lib/log";

export interface CsvUpload {
  db: Db;
  actor: Actor | null;
  fileName: string;
  bytes: Uint8Array;
  /** The other fields of the form (e.g. an exclusion's reason). */
  form: FormData;
}

/**
 * What the Audience page's CSV routes share (a recipient import, an exclusion list, an import's replacement): they
 * are route handlers because a 5 MB file is over a server action's 1 MB body limit, so they authorize like an
 * action — same origin, session, role and the series' organization — before the body is read, read it with a byte
 * limit, and answer an ActionResult whose errors come from the one mapping, errorResponse.
 */
export async function csvUploadRoute<T>(
  request: Request,
  seriesId: string,
  what: string,
  apply: (upload: CsvUpload) => Promise<T>,
): Promise<Response> {
  const reply = (result: ActionResult<T>, status = 200) => Response.json(result, { status, headers: { "cache-control": "no-store" } });
  try {
    if (!isSameOrigin(request)) throw forbidden("Cross-site upload refused.");
    const db = await getDb();
    const actor = await currentActor(db);
    // Authorize before reading the body: a stranger's upload is refused unread and learns nothing about the series.
    await requireSeries(db, actor, seriesId, "editor");
    // The body is counted as it arrives and abandoned past the limit, with or without a Content-Length.
    const form = await readLimitedFormData(request, CSV_LIMITS.maxBytes + MULTIPART_SLACK);
    const file = form.get("file");
    if (!file || typeof file === "string") throw invalidInput("Choose a CSV file to upload.");
    const bytes = new Uint8Array(await file.arrayBuffer());
    return reply({ ok: true, data: await apply({ db, actor, fileName: file.name, bytes, form }) });
  } catch (thrown) {
    const { status, error } = errorResponse(thrown, (e) => logError(`${what} failed`, e));
    return reply({ ok: false, error }, status);
  }
}
