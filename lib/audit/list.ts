import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { requireActor } from "@/lib/auth/actor";
import { invalidInput } from "@/lib/errors";
import { isUuid } from "@/lib/uuid";

export interface AuditFilter {
  /** An action ("exclusion.add") or a kind, the part before the dot ("exclusion"). */
  kind?: string | null;
  /** Part of the actor's email or label, case-insensitive. */
  person?: string | null;
  /** Inclusive day bounds, YYYY-MM-DD, UTC. */
  from?: string | null;
  to?: string | null;
  limit?: number;
}

export interface AuditRow {
  id: number;
  organizationId: string | null;
  organizationName: string | null;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function conditions(filter: AuditFilter): SQL[] {
  const out: SQL[] = [];
  const kind = filter.kind?.trim();
  if (kind) out.push(kind.includes(".") ? sql`a.action = ${kind}` : sql`split_part(a.action, '.', 1) = ${kind}`);
  const person = filter.person?.trim().slice(0, 200);
  if (person) out.push(sql`a.actor_label ILIKE ${likePattern(person)}`);
  for (const [bound, value] of [["from", filter.from], ["to", filter.to]] as const) {
    if (!value) continue;
    if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw invalidInput(`“${value}” is not a date: use YYYY-MM-DD.`, { [bound]: "Use YYYY-MM-DD." });
    out.push(bound === "from" ? sql`a.created_at >= ${`${value}T00:00:00Z`}::timestamptz` : sql`a.created_at < (${`${value}T00:00:00Z`}::timestamptz + interval '1 day')`);
  }
  return out;
}

async function read(db: Executor, scope: SQL, filter: AuditFilter): Promise<AuditRow[]> {
  const where = sql.join([scope, ...conditions(filter)], sql` AND `);
  const rows = await queryRows<{
    id: number | string;
    organization_id: string | null;
    organization_name: string | null;
    actor_label: string;
    action: string;
    target_type: string;
    target_id: string | null;
    details: Record<string, unknown> | string;
    created_at: string | Date;
  }>(
    db,
    sql`SELECT a.id, a.organization_id, o.name AS organization_name, a.actor_label, a.action, a.target_type, a.target_id, a.details, a.created_at
        FROM audit_events a LEFT JOIN organizations o ON o.id = a.organization_id
        WHERE ${where} ORDER BY a.id DESC LIMIT ${Math.min(Math.max(filter.limit ?? 200, 1), 50_000)}`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    organizationId: r.organization_id,
    organizationName: r.organization_name,
    actor: r.actor_label,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    details: typeof r.details === "string" ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
    createdAt: new Date(r.created_at),
  }));
}

/** The audit log of the organizations the actor administers, newest first. Editors see nothing of it. */
export async function listAuditEvents(db: Executor, actor: Actor | null, filter: AuditFilter & { organizationId?: string | null } = {}): Promise<AuditRow[]> {
  const a = requireActor(actor);
  const administered = a.memberships.filter((m) => m.role === "admin").map((m) => m.organizationId);
  const orgs = filter.organizationId ? administered.filter((id) => id === filter.organizationId) : administered;
  if (orgs.length === 0 || (filter.organizationId && !isUuid(filter.organizationId))) return [];
  return read(db, sql`a.organization_id = ANY(${sql.param(orgs)}::uuid[])`, filter);
}

/** The whole log, for the operator CLI (which runs with the database's own credentials), optionally one organization's. */
export async function listAuditEventsAsOperator(db: Executor, filter: AuditFilter & { organizationId?: string | null } = {}): Promise<AuditRow[]> {
  return read(db, filter.organizationId ? sql`a.organization_id = ${filter.organizationId}::uuid` : sql`true`, filter);
}

/** The kinds the filter offers: the part of each action before the dot. */
export const AUDIT_KINDS = ["connection", "selection", "review", "exclusion", "import", "recipient", "api_token", "setup_link", "keys"] as const;

/** One-line summary of an entry's details, for the page and the CLI. Details never carry secrets. */
export function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join("; ");
}
