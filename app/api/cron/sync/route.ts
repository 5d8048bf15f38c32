import { getDb } from "@/lib/db";
import { readEnv } from "@/lib/env";
import { errorJson, RosterError } from "@/lib/errors";
import { logError } from "@/lib/log";
import { isAuthorizedCronCall, runCron } from "@/lib/sync/cron";

/**
 * The scheduler's entry (vercel.json). Refreshes what is due, then runs queued sync work in a budget well
 * below maxDuration: a job still running at the budget stops between pages and is resumed by the next call,
 * and the margin covers the last page, one apply and the response.
 */
export const maxDuration = 300;
const BUDGET_MS = 200_000;

/**
 * Next answers HEAD with the GET handler when a route exports no HEAD, so a HEAD probe with the secret would
 * run a whole cron pass and throw the result away. HEAD does no work: it says which method to use.
 */
export function HEAD(): Response {
  return new Response(null, { status: 405, headers: { allow: "GET", "cache-control": "no-store" } });
}

export async function GET(request: Request): Promise<Response> {
  if (!isAuthorizedCronCall(request.headers.get("authorization"), readEnv().CRON_SECRET)) {
    return errorJson(new RosterError("unauthenticated", "The cron secret is missing or wrong."), "cron sync", logError);
  }
  try {
    const report = await runCron(await getDb(), { budgetMs: BUDGET_MS });
    return Response.json(report, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    // A failed call must not read as success to the scheduler: it answers 500 with the generic message.
    return errorJson(error, "cron sync failed", logError);
  }
}
