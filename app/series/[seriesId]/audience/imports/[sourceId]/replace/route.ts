import { replaceImport } from "@/lib/audience/csv-sources";
import { csvUploadRoute } from "../../../csv-route";

/** POST a new file (multipart "file") to replace an import's file, applied as one diff (see csv-route.ts). */
export async function POST(request: Request, { params }: { params: Promise<{ seriesId: string; sourceId: string }> }) {
  const { seriesId, sourceId } = await params;
  return csvUploadRoute(request, seriesId, "CSV replace", ({ db, actor, fileName, bytes }) =>
    replaceImport(db, actor, { seriesId, sourceId, fileName, bytes }),
  );
}
