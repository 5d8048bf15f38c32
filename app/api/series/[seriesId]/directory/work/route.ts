import { after } from "next/server";
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
export async function POST(_request: Request, { params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = await params;
  return respondJson(async ({ db, actor }) => {
    const kicked = await seriesWorkToKick(db, actor, seriesId);
    if (kicked) {
      after(() => runQueuedWork(db, { budgetMs: KICK_BUDGET_MS }).then(() => undefined, (error) => logError("queued directory work after a kick", error)));
    }
    return { kicked };
  });
}
