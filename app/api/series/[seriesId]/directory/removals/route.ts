import { selectionRemovals } from "@/lib/dialog/review-removals";
import { respondJson } from "../respond";

/** Who leaves the audience if the editor unticks these groups (`?source=<id>` once per source), before "Update audience" applies. */
export async function GET(request: Request, { params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = await params;
  const sourceIds = new URL(request.url).searchParams.getAll("source");
  return respondJson(({ db, actor }) => selectionRemovals(db, actor, { seriesId, sourceIds }));
}
