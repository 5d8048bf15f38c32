import { reviewRemovals } from "@/lib/dialog/review-removals";
import { respondJson } from "../../../respond";

/** Who leaves the audience if the editor confirms this group's held removals ("Confirm removals"). */
export async function GET(_request: Request, { params }: { params: Promise<{ seriesId: string; sourceId: string }> }) {
  const { seriesId, sourceId } = await params;
  return respondJson(({ db, actor }) => reviewRemovals(db, actor, { seriesId, sourceId }));
}
