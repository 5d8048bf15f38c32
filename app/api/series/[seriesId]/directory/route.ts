import type { NextRequest } from "next/server";
import { directoryOverview } from "@/lib/dialog/overview";
import { LIVE_POLL_MS } from "@/lib/dialog/types";
import { waitForJobEnd } from "@/lib/jobs/announce";
import { respondJson } from "./respond";

/**
 * The dialog's live view: connections, every directory source's state and progress, the audience's size.
 * A GET starts no work; while work is in flight the dialog also POSTs to ./work, which starts a worker when a
 * job is due or its lease expired.
 *
 * `?wait=<ms>` (at most LIVE_POLL_MS): while a sync runs the dialog asks with a wait, and the answer comes when a
 * job of the series ends in this process (lib/jobs/announce.ts) or when the wait runs out, whichever is first, so
 * the final state is pushed the moment it commits rather than read at the next poll.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = await params;
  const connectionId = request.nextUrl.searchParams.get("connectionId");
  const wait = Math.min(LIVE_POLL_MS, Math.max(0, Number(request.nextUrl.searchParams.get("wait")) || 0));
  return respondJson(async ({ db, actor }) => {
    // Only a signed-in caller may hold a request open; the read model then authorizes against the series.
    if (wait > 0 && actor) await waitForJobEnd(seriesId, wait);
    return directoryOverview(db, actor, { seriesId, connectionId });
  });
}
