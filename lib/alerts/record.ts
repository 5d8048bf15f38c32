import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import type { AlertKind } from "./kinds";

/** Something that happened, as an alert: (connectionId, kind, eventKey) identifies it across cron calls. */
export interface AlertCandidate {
  connectionId: string;
  kind: AlertKind;
  eventKey: string;
  title: string;
  body: string;
  path: string;
}

/**
 * Records alerts not recorded before, in one statement: the unique (connection, kind, event key) makes a second
 * cron call that sees the same thing, or two overlapping calls, insert nothing. A kind the connection's admins
 * turned off is recorded as `off` (shown in the product, never emailed), so turning it back on does not send
 * old news. Returns how many were new.
 */
export async function recordAlerts(db: Executor, candidates: AlertCandidate[]): Promise<number> {
  if (candidates.length === 0) return 0;
  const rows = await queryRows<{ id: string }>(
    db,
    sql`INSERT INTO alert_events (connection_id, kind, event_key, title, body, path, email_status)
        SELECT c.connection_id, c.kind, c.event_key, c.title, c.body, c.path,
               CASE WHEN c.kind = ANY(coalesce(s.disabled_kinds, '{}'::text[])) THEN 'off' ELSE 'pending' END
        FROM jsonb_to_recordset(${JSON.stringify(
          candidates.map((c) => ({ connection_id: c.connectionId, kind: c.kind, event_key: c.eventKey, title: c.title, body: c.body, path: c.path })),
        )}::jsonb) AS c(connection_id uuid, kind text, event_key text, title text, body text, path text)
        JOIN directory_connections d ON d.id = c.connection_id
        LEFT JOIN connection_alert_settings s ON s.connection_id = c.connection_id
        ON CONFLICT (connection_id, kind, event_key) DO NOTHING
        RETURNING id`,
  );
  return rows.length;
}
