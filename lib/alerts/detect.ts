import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { credentialExpiryFix, describeCertificateExpiry, describeSecretExpiry, secretExpiryStatus } from "@/lib/connections/secret-expiry";
import { expiryThreshold } from "./kinds";
import { recordAlerts, type AlertCandidate } from "./record";

const connectionPath = (id: string) => `/admin/directory/${id}`;
const seriesPath = (id: string) => `/series/${id}/audience`;
const dateOnly = (value: string | Date) => (typeof value === "string" ? value.slice(0, 10) : value.toISOString().slice(0, 10));
const titleOf = (error: unknown) => {
  const title = (error as { title?: unknown } | null)?.title;
  return typeof title === "string" ? title : null;
};
const fixOf = (error: unknown) => {
  const fix = (error as { fix?: unknown } | null)?.fix;
  return typeof fix === "string" ? fix : null;
};

/** The threshold an expiry date has reached today, and how a title says when; null when more than 30 days away. */
function expiryStage(expiresOn: string, now: Date) {
  const status = secretExpiryStatus(expiresOn, now);
  const threshold = expiryThreshold(status.daysLeft);
  if (threshold === null) return null;
  const when = status.daysLeft < 0 ? `expired on ${expiresOn}` : status.daysLeft === 0 ? "expires today" : `expires in ${status.daysLeft === 1 ? "1 day" : `${status.daysLeft} days`}`;
  return { status, threshold, when };
}

/**
 * Secret expiry at 30, 14, 7 and 1 days and on the day. The key names the secret (its Secret ID and date) and the
 * threshold reached, so a rotation starts a new series of alerts and a skipped day sends only the latest stage.
 */
export async function detectSecretExpiry(db: Executor, now: Date): Promise<AlertCandidate[]> {
  const rows = await queryRows<{ id: string; name: string; secret_id: string; secret_expires_on: string | Date }>(
    db,
    sql`SELECT id, name, secret_id, secret_expires_on FROM directory_connections WHERE status = 'active' AND credential_kind = 'secret'`,
  );
  const out: AlertCandidate[] = [];
  for (const row of rows) {
    const expiresOn = dateOnly(row.secret_expires_on);
    const stage = expiryStage(expiresOn, now);
    if (!stage) continue;
    const { status, threshold, when } = stage;
    out.push({
      connectionId: row.id,
      kind: "secret_expiry",
      eventKey: `${row.secret_id}|${expiresOn}|${threshold}`,
      title: `The client secret of “${row.name}” ${when}`,
      body:
        `${describeSecretExpiry(expiresOn, status)} ` +
        "In Azure (App registrations → your app → Certificates & secrets) add a new client secret, then enter its Secret ID, Value and expiry under “Rotate secret” on the connection's page.",
      path: connectionPath(row.id),
    });
  }
  return out;
}

/**
 * The expiry of the certificate a connection signs in with, from the certificate's own notAfter, at the same
 * thresholds as a secret's. The key names the certificate (its thumbprint) and the threshold, so a rotation to the
 * next certificate starts a new series and a skipped day sends only the latest stage. A certificate made ahead
 * (the `next` slot) is not in use yet and alerts nothing.
 */
export async function detectCertificateExpiry(db: Executor, now: Date): Promise<AlertCandidate[]> {
  const rows = await queryRows<{ id: string; name: string; certificate_thumbprint: string; certificate_expires_at: string | Date }>(
    db,
    sql`SELECT id, name, certificate_thumbprint, certificate_expires_at FROM directory_connections
        WHERE status = 'active' AND credential_kind = 'certificate' AND certificate_expires_at IS NOT NULL`,
  );
  const out: AlertCandidate[] = [];
  for (const row of rows) {
    const expiresOn = new Date(row.certificate_expires_at).toISOString().slice(0, 10);
    const stage = expiryStage(expiresOn, now);
    if (!stage) continue;
    const { status, threshold, when } = stage;
    out.push({
      connectionId: row.id,
      kind: "certificate_expiry",
      eventKey: `${row.certificate_thumbprint}|${expiresOn}|${threshold}`,
      title: `The certificate of “${row.name}” ${when}`,
      body: `${describeCertificateExpiry(expiresOn, status)} (thumbprint ${row.certificate_thumbprint}). ${credentialExpiryFix({ kind: "certificate", expiresOn, status })}`,
      path: connectionPath(row.id),
    });
  }
  return out;
}

/**
 * A connection turning failing, and recovering. Each edge is claimed by one conditional update of the
 * connection's alerted health, in the transaction that records the alert: a call that finds the edge already
 * claimed records nothing, however many calls see the connection failing.
 */
export async function recordHealthEdges(db: Executor): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`INSERT INTO connection_alert_settings (connection_id) SELECT id FROM directory_connections ON CONFLICT DO NOTHING`);
    const failing = await queryRows<{ connection_id: string; health_episode: number; name: string; last_error: unknown }>(
      tx,
      sql`UPDATE connection_alert_settings s SET alerted_health = 'failing', health_episode = s.health_episode + 1, updated_at = now()
          FROM directory_connections c
          WHERE c.id = s.connection_id AND c.status = 'active' AND c.health = 'failing' AND s.alerted_health IS DISTINCT FROM 'failing'
          RETURNING s.connection_id, s.health_episode, c.name, c.last_error`,
    );
    const recovered = await queryRows<{ connection_id: string; health_episode: number; name: string }>(
      tx,
      sql`UPDATE connection_alert_settings s SET alerted_health = 'healthy', updated_at = now()
          FROM directory_connections c
          WHERE c.id = s.connection_id AND c.health = 'healthy' AND s.alerted_health = 'failing'
          RETURNING s.connection_id, s.health_episode, c.name`,
    );
    return recordAlerts(tx, [
      ...failing.map((r) => ({
        connectionId: r.connection_id,
        kind: "connection_health" as const,
        eventKey: `failing|${r.health_episode}`,
        title: `The directory connection “${r.name}” is failing`,
        body: `${titleOf(r.last_error) ?? "Roster cannot read the directory."} ${fixOf(r.last_error) ?? "Open the connection's page and select “Verify connection” to see what to fix."} Syncs of its groups stop until it works again.`,
        path: connectionPath(r.connection_id),
      })),
      ...recovered.map((r) => ({
        connectionId: r.connection_id,
        kind: "connection_health" as const,
        eventKey: `recovered|${r.health_episode}`,
        title: `The directory connection “${r.name}” works again`,
        body: "Its last verification passed, and scheduled syncs run again. Nothing needs doing; the connection's page shows its health.",
        path: connectionPath(r.connection_id),
      })),
    ]);
  });
}

/**
 * A group in Error for two runs in a row. The key is the group and the last good run before the streak (or
 * "never"), so the streak is told once, however long it lasts, and a later streak after a good run is told again.
 */
export async function detectGroupErrors(db: Executor): Promise<AlertCandidate[]> {
  const rows = await queryRows<{ id: string; series_id: string; series_name: string; label: string; connection_id: string; last_error: unknown; last_ok: string | null; streak: number | string }>(
    db,
    sql`SELECT s.id, s.series_id, se.name AS series_name, s.label, s.connection_id, s.last_error, ok.id AS last_ok,
               (SELECT count(*) FROM sync_runs r
                 WHERE r.source_id = s.id AND r.outcome = 'failed' AND r.started_at > coalesce(ok.started_at, '-infinity'::timestamptz)) AS streak
        FROM audience_sources s
        JOIN series se ON se.id = s.series_id
        JOIN directory_connections c ON c.id = s.connection_id
        LEFT JOIN LATERAL (SELECT r.id, r.started_at FROM sync_runs r
                           WHERE r.source_id = s.id AND r.outcome IN ('synced', 'needs_review')
                           ORDER BY r.started_at DESC LIMIT 1) ok ON true
        WHERE s.state = 'error' AND s.selected AND s.kind IN ('directory_group', 'directory_all')`,
  );
  return rows
    .filter((r) => Number(r.streak) >= 2)
    .map((r) => ({
      connectionId: r.connection_id,
      kind: "group_error" as const,
      eventKey: `${r.id}|${r.last_ok ?? "never"}`,
      title: `“${r.label}” in “${r.series_name}” failed two syncs in a row`,
      body: `${titleOf(r.last_error) ?? "The group's sync failed."} ${fixOf(r.last_error) ?? ""} Its recipients stay as they were at the last good sync. Open the series' audience, Manage recipients → Manage from directory, to see the error and sync again.`.replace(/\s+/g, " ").trim(),
      path: seriesPath(r.series_id),
    }));
}

/** A run waiting in Needs review for more than a day; keyed by its job, so each waiting run is told once. */
export async function detectStaleReviews(db: Executor, now: Date): Promise<AlertCandidate[]> {
  const dayAgo = new Date(now.getTime() - 86_400_000).toISOString();
  const rows = await queryRows<{ id: string; series_id: string; series_name: string; label: string; connection_id: string }>(
    db,
    sql`SELECT j.id, j.series_id, se.name AS series_name, s.label, j.connection_id
        FROM sync_jobs j
        JOIN audience_sources s ON s.id = j.source_id
        JOIN series se ON se.id = j.series_id
        WHERE j.status = 'needs_review' AND j.mode = 'sync' AND coalesce(j.finished_at, j.created_at) < ${dayAgo}::timestamptz`,
  );
  return rows.map((r) => ({
    connectionId: r.connection_id,
    kind: "needs_review" as const,
    eventKey: r.id,
    title: `“${r.label}” in “${r.series_name}” has waited in Needs review for more than a day`,
    body: "Its last sync would remove many recipients at once, so Roster applied nothing and waits for a person to confirm. Open the series' audience, Manage recipients → Manage from directory, and review the removals: confirm them, or fix the group in Azure and sync again.",
    path: seriesPath(r.series_id),
  }));
}

/**
 * The weekly reconcile finding drift. Roster has no weekly reconcile yet (the delta-sync work adds it): when it
 * lands, it calls this with what it found and the alert goes out like every other, once per reconcile run.
 */
export function reconcileDriftAlert(input: { connectionId: string; reconcileRunId: string; seriesId: string; groupName: string; added: number; removed: number }): AlertCandidate {
  return {
    connectionId: input.connectionId,
    kind: "reconcile_drift",
    eventKey: input.reconcileRunId,
    title: `The weekly reconcile found “${input.groupName}” out of step`,
    body: `The full re-read of the group found ${input.added} address(es) to add and ${input.removed} to remove that the incremental syncs had missed; Roster applied them. If this repeats, check the group's changes in Azure.`,
    path: seriesPath(input.seriesId),
  };
}
