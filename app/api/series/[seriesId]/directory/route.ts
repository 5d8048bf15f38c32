import { after, type NextRequest } from "next/server";
import { directoryOverview } from "@/lib/directory/overview";
import { logError } from "@/lib/log";
import { runQueuedWork } from "@/lib/sync/verbs";
import { respondJson } from "./respond";

/** What one poll may lend the queue after answering; the cron finishes anything left. */
const POLL_KICK_BUDGET_MS = 25_000;

/**
 * The dialog's live view: connections, every directory source's state and progress, the audience's size.
 * While the dialog sees work still queued (an earlier slice ran out of budget, or the server that took the
 * editor's request went away), the poll starts a worker after answering: jobs are claimed with SKIP LOCKED
 * under a lease, so overlapping polls never sync a group twice.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = await params;
  const connectionId = request.nextUrl.searchParams.get("connectionId");
  return respondJson(async ({ db, actor }) => {
    const overview = await directoryOverview(db, actor, { seriesId, connectionId });
    const connection = overview.connection;
    if (connection && [...overview.sources, overview.entireDirectory].some((s) => s?.state === "queued")) {
      after(() => runQueuedWork(db, { budgetMs: POLL_KICK_BUDGET_MS, connectionId: connection.id }).then(() => undefined, (error) => logError("queued directory work after a poll", error)));
    }
    return overview;
  });
}
