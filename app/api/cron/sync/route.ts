import { getDb } from "@/lib/db";
import { logError } from "@/lib/log";
import { isAuthorizedCronCall, runCron } from "@/lib/sync/cron";

/**
 * The scheduler's entry (vercel.json). Refreshes what is due, then runs queued sync work in a budget well
 * below maxDuration: a job still running at the budget stops between pages and is resumed by the next call,
 * and the margin covers the last page, one apply and the response.
 */
export const maxDuration = 300;
const BUDGET_MS = 200_000;

export async function GET(request: Request): Promise<Response> {
  if (!isAuthorizedCronCall(request.headers.get("authorization"), process.env.CRON_SECRET)) {
    return Response.json({ error: "unauthorized" }, { status: 401, headers: { "cache-control": "no-store" } });
  }
  try {
    const report = await runCron(await getDb(), { budgetMs: BUDGET_MS });
    return Response.json(report, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    logError("cron sync failed", error);
    // A failed call must not read as success to the scheduler.
    return Response.json({ error: "sync run failed" }, { status: 500, headers: { "cache-control": "no-store" } });
  }
}
