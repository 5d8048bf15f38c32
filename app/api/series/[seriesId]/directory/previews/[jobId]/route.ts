import { previewStatus } from "@/lib/dialog/preview-status";
import { respondJson } from "../../respond";

/** A preview's progress and, once done, its numbers: would add, already present, skipped by reason. */
export async function GET(_request: Request, { params }: { params: Promise<{ seriesId: string; jobId: string }> }) {
  const { seriesId, jobId } = await params;
  return respondJson(({ db, actor }) => previewStatus(db, actor, { seriesId, jobId }));
}
