import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { secretExpiryStatus } from "@/lib/connections/secret-expiry";
import type { OpenGraphSession } from "./graph-session";
import { recordConnectionFailure } from "./outcomes";
import { providerForConnection } from "@/lib/directory/registry";
import { logError, logInfo } from "@/lib/log";
import { scanAlertsForCron } from "@/lib/alerts/scan";
import { pruneChangeLog } from "@/lib/audience/change-log";
import { verifyConnectionAs } from "@/lib/connections/verify";
import { scheduleDueConnections } from "./schedule";
import { CallRemovalGuard } from "./removal-guard";
import { runDeltaRounds, type RoundsSummary } from "./delta-cadence";
import { runQueuedWork, type WorkSummary } from "./worker";

/**
 * `Authorization: Bearer <CRON_SECRET>`, compared in constant time. Fails closed: with no secret configured
 * every call is refused, so a forgotten variable never leaves the endpoint open. Both sides are hashed first
 * so that the comparison does not leak the secret's length either.
 */
export function isAuthorizedCronCall(authorization: string | null, secret: string | undefined): boolean {
  if (!secret) return false;
  const match = /^Bearer (.+)$/.exec(authorization ?? "");
  if (!match) return false;
  const digest = (v: string) => createHash("sha256").update(v, "utf8").digest();
  return timingSafeEqual(digest(match[1]), digest(secret));
}

export interface ConnectionCheck {
  checked: number;
  secretsExpired: number;
  secretsExpiringSoon: number;
}

/**
 * Each active connection's secret expiry. An expired secret stops every sync of the connection; it is marked
 * failing with the fix before its jobs fail one by one with the same cause.
 */
export async function checkConnections(db: Executor, now: Date): Promise<ConnectionCheck> {
  const rows = await queryRows<{ id: string; secret_expires_on: string | Date; health: string; last_error: unknown }>(
    db,
    sql`SELECT id, secret_expires_on, health, last_error FROM directory_connections WHERE status = 'active'`,
  );
  const out: ConnectionCheck = { checked: rows.length, secretsExpired: 0, secretsExpiringSoon: 0 };
  for (const row of rows) {
    const expiresOn = typeof row.secret_expires_on === "string" ? row.secret_expires_on.slice(0, 10) : row.secret_expires_on.toISOString().slice(0, 10);
    const status = secretExpiryStatus(expiresOn, now);
    if (status.level === "expired") {
      out.secretsExpired++;
      const code = (row.last_error as { code?: string } | null)?.code;
      if (row.health !== "failing" || code !== "secret_expired") {
        await recordConnectionFailure(db, row.id, {
          code: "secret_expired",
          title: `The client secret expired on ${expiresOn}`,
          fix: "In Azure (App registrations → your app → Certificates & secrets) create a new client secret, then use “Rotate secret” on this connection's page with its Secret ID, Value and expiry date.",
        });
      }
    } else if (status.level !== "ok") {
      out.secretsExpiringSoon++;
    }
  }
  return out;
}

export interface CronReport extends WorkSummary {
  /** Jobs queued by this call for sources whose period came due. */
  due: number;
  connections: ConnectionCheck & { catalogsRefreshed: number; catalogsFailed: number };
  /** This call's delta rounds and reconciles (lib/sync/delta-cadence.ts). */
  delta: RoundsSummary | { error: true };
  alerts: Awaited<ReturnType<typeof scanAlertsForCron>>;
}

/**
 * The scheduled health check of a connection that came due: the whole verification checklist, recorded as the
 * connection's health (so a revoked permission or a rejected secret shows on its page and in the editors'
 * dialog instead of failing silently), which also refreshes the group catalog whenever Group.Read.All works.
 * True when every check passed.
 */
export async function checkConnection(db: Executor, connectionId: string): Promise<boolean> {
  const { verification } = await verifyConnectionAs(db, { kind: "operator", label: "cron" }, connectionId);
  return verification.ok;
}

/**
 * Queues what is due and checks each connection that came due (which refreshes its group catalog, so groups
 * created or deleted in Azure show in the dialog). A failed check does not stop the syncs: the sync of each
 * group diagnoses its own failures (and a deleted group is caught by its own 404 as well).
 */
export async function refreshDue(
  db: Executor,
  now: Date,
  refresh: (db: Executor, connectionId: string) => Promise<unknown> = checkConnection,
): Promise<{ due: number; catalogsRefreshed: number; catalogsFailed: number; connectionIds: string[] }> {
  const { queued, connectionIds } = await scheduleDueConnections(db, now);
  let catalogsRefreshed = 0;
  let catalogsFailed = 0;
  for (const id of connectionIds) {
    try {
      if ((await refresh(db, id)) === false) catalogsFailed++;
      else catalogsRefreshed++;
    } catch (error) {
      catalogsFailed++;
      // A diagnosed failure (expired secret, missing permission…) is the connection's state, shown to its admins;
      // only an unexplained one is a stack worth logging.
      const diagnosis = providerForConnection(null).diagnose(error);
      if (diagnosis.code === "unknown") logError(`scheduled catalog refresh of connection ${id} failed`, error);
      else logInfo("scheduled catalog refresh failed", { connectionId: id, diagnosis: diagnosis.code });
    }
  }
  return { due: queued, catalogsRefreshed, catalogsFailed, connectionIds };
}

export interface DuePreparation {
  due: number;
  connections: CronReport["connections"];
  /** Connections whose period this call claimed: their incremental state is reconciled by a full pass. */
  dueConnectionIds: string[];
}

/**
 * Everything a cron call does before it runs queued work: each active connection's secret expiry, then what is
 * due (queued, and each connection that came due verified, which refreshes its catalog). The cron route and
 * `roster sync --due` both call this and then runQueuedWork, so the two never drift apart.
 */
export async function prepareDueWork(
  db: Executor,
  opts: { now?: Date; checkConnection?: (db: Executor, connectionId: string) => Promise<unknown> } = {},
): Promise<DuePreparation> {
  const now = opts.now ?? new Date();
  const connections = await checkConnections(db, now);
  const { due, catalogsRefreshed, catalogsFailed, connectionIds } = await refreshDue(db, now, opts.checkConnection);
  return { due, connections: { ...connections, catalogsRefreshed, catalogsFailed }, dueConnectionIds: connectionIds };
}

/**
 * What a cron call does after the queued work ran: a delta round for every connection whose groups are synced
 * (a reconcile for those that came due; lib/sync/delta-cadence.ts), then the alerts (lib/alerts/scan.ts), which
 * see this call's outcomes. Never fails the call. `roster sync --due` calls it too.
 */
export async function afterDueWork(
  db: Executor,
  now: Date,
  opts: { dueConnectionIds?: string[]; openGraph?: OpenGraphSession; removalGuard?: CallRemovalGuard; deadline?: number } = {},
): Promise<{ delta: RoundsSummary | { error: true }; alerts: Awaited<ReturnType<typeof scanAlertsForCron>> }> {
  const delta = await runDeltaRounds(db, { reconcile: opts.dueConnectionIds, openGraph: opts.openGraph, removalGuard: opts.removalGuard, deadline: opts.deadline }).catch(
    (error) => (logError("delta rounds failed", error), { error: true as const }),
  );
  // The change log's retention (CHANGE_LOG_RETENTION_DAYS); a bounded batch per call, and never fails the call.
  await pruneChangeLog(db, { now }).catch((error) => logError("change log pruning failed", error));
  return { delta, alerts: await scanAlertsForCron(db, now) };
}

/** One cron call: prepareDueWork, then run queued work within what is left of the budget, then afterDueWork. */
export async function runCron(
  db: Executor,
  opts: {
    now?: Date;
    budgetMs: number;
    openGraph?: OpenGraphSession;
    concurrency?: number;
    checkConnection?: (db: Executor, connectionId: string) => Promise<unknown>;
  },
): Promise<CronReport> {
  const started = Date.now();
  const { due, connections, dueConnectionIds } = await prepareDueWork(db, opts);
  // The second mass-removal guard: this call's removals summed per connection, its jobs and rounds together.
  const removalGuard = new CallRemovalGuard();
  const work = await runQueuedWork(db, {
    budgetMs: Math.max(0, opts.budgetMs - (Date.now() - started)),
    owner: undefined,
    openGraph: opts.openGraph,
    concurrency: opts.concurrency,
    removalGuard,
  });
  const { delta, alerts } = await afterDueWork(db, opts.now ?? new Date(started), {
    dueConnectionIds,
    openGraph: opts.openGraph,
    removalGuard,
    deadline: started + opts.budgetMs,
  });
  return { due, ...work, connections, delta, alerts };
}
