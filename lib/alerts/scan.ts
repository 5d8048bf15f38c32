import "server-only";
import type { Executor } from "@/db/client";
import { deliverPendingAlerts, type DeliveryCount } from "./deliver";
import { detectCertificateExpiry, detectGroupErrors, detectSecretExpiry, detectStaleReviews, recordHealthEdges } from "./detect";
import { recordAlerts } from "./record";
import { logError } from "@/lib/log";

export interface AlertScan extends DeliveryCount {
  /** Alerts recorded by this call (seen for the first time). */
  recorded: number;
}

/**
 * One cron call's alerts: detect what happened, record what is new (each event once, lib/alerts/record.ts), and
 * email what is recorded and not yet sent. Called once per cron call, after the connections were checked and
 * the work ran, so it sees this call's outcomes.
 */
export async function scanAlerts(db: Executor, now: Date = new Date()): Promise<AlertScan> {
  let recorded = await recordHealthEdges(db);
  recorded += await recordAlerts(db, [...(await detectSecretExpiry(db, now)), ...(await detectCertificateExpiry(db, now)), ...(await detectGroupErrors(db)), ...(await detectStaleReviews(db, now))]);
  return { recorded, ...(await deliverPendingAlerts(db, now)) };
}

/** The cron's hook: alerts must never fail the cron call or stop its syncs; a failure is logged and retried next call. */
export async function scanAlertsForCron(db: Executor, now: Date): Promise<AlertScan | { error: true }> {
  try {
    return await scanAlerts(db, now);
  } catch (error) {
    logError("alert scan failed", error);
    return { error: true };
  }
}
