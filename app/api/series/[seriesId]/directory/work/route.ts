import { after } from "next/server";
import { isSameOrigin } from "@/lib/auth/same-origin";
import { errorJson, forbidden } from "@/lib/errors";
import { logError } from "@/lib/log";
import { runQueuedWork, seriesWorkToKick } from "@/lib/sync/verbs";
import { respondJson } from "../respond";

/** What one kick may lend the queue after answering; the cron finishes anything left. */
const KICK_BUDGET_MS = 25_000;

/**
 * The dialog POSTs here while it polls a series with work in flight (the poll itself is a GET and starts
 * nothing). When a job of the series is due, or its lease expired after its worker died, a worker starts
 * after the answer: jobs are claimed with SKIP LOCKED under a lease, so overlapping kicks never run a job twice.
 */
export async function POST(request: Request, { params }: { params: Promise<{ seriesId: string }> }) {
  // A POST that starts work: another site's page must not be able to make a signed-in editor's browser send it.
  if (!isSameOrigin(request)) {
    return errorJson(forbidden("Cross-site request refused."), "directory work kick", logError);
  }
  const { seriesId } = await params;
  return respondJson(async ({ db, actor }) => {
    const kicked = await seriesWorkToKick(db, actor, seriesId);
    if (kicked) {
      after(() => runQueuedWork(db, { budgetMs: KICK_BUDGET_MS }).then(() => undefined, (error) => logError("queued directory work after a kick", error)));
    }
    return { kicked };
  });
}
