import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { requireActor } from "@/lib/auth/actor";

export interface SeriesSummary {
  id: string;
  name: string;
  organizationId: string;
  organizationName: string;
  recipientCount: number;
}

/** The series of every organization the actor belongs to, with audience sizes; nothing from other organizations. */
export async function listSeriesForActor(db: Executor, actor: Actor | null): Promise<SeriesSummary[]> {
  const a = requireActor(actor);
  const orgIds = a.memberships.map((m) => m.organizationId);
  if (orgIds.length === 0) return [];
  const rows = await queryRows<{ id: string; name: string; organization_id: string; organization_name: string; n: string | number }>(
    db,
    sql`SELECT s.id, s.name, s.organization_id, o.name AS organization_name,
               (SELECT count(*) FROM recipients r WHERE r.series_id = s.id) AS n
        FROM series s JOIN organizations o ON o.id = s.organization_id
        WHERE s.organization_id = ANY(${sql.param(orgIds)}::uuid[])
        ORDER BY o.name, s.name`,
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    organizationId: r.organization_id,
    organizationName: r.organization_name,
    recipientCount: Number(r.n),
  }));
}
