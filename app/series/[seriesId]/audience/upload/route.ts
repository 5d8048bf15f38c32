import { importRecipientCsv } from "@/lib/audience/csv-import";
import { csvUploadRoute } from "../csv-route";

/** POST a CSV (multipart field "file") to import it into the series' audience (see csv-route.ts for why a route). */
export async function POST(request: Request, { params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = await params;
  return csvUploadRoute(request, seriesId, "CSV upload", ({ db, actor, fileName, bytes }) =>
    importRecipientCsv(db, actor, { seriesId, fileName, bytes }),
  );
}
