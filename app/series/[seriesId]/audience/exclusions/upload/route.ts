import { importExclusionCsv } from "@/lib/audience/exclusion-csv";
import { csvUploadRoute } from "../../csv-route";

/** POST a CSV of addresses to exclude (multipart "file", optional "reason"); see csv-route.ts for why a route. */
export async function POST(request: Request, { params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = await params;
  return csvUploadRoute(request, seriesId, "exclusion CSV upload", ({ db, actor, fileName, bytes, form }) => {
    const reason = form.get("reason");
    return importExclusionCsv(db, actor, { seriesId, fileName, bytes, reason: typeof reason === "string" ? reason : null });
  });
}
