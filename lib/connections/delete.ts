import "server-only";
import { eq, or, inArray, sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { audienceSources, directoryConnections, directoryGroups } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { releaseHoldings } from "@/lib/audience/holdings";
import { asUser, requireAdminOfEveryServed, requireConnectionAdmin } from "./access";
import { recordConnectionAudit } from "./audit";

export interface DeletionImpact {
  /** Series with at least one source from this connection. */
  series: number;
  /** Recipients held only by this connection's groups: they leave those audiences. */
  recipientsRemoved: number;
}

async function connectionSources(db: Executor, connectionId: string) {
  const groupIds = db.select({ id: directoryGroups.id }).from(directoryGroups).where(eq(directoryGroups.connectionId, connectionId));
  return db
    .select({ id: audienceSources.id, seriesId: audienceSources.seriesId })
    .from(audienceSources)
    .where(or(eq(audienceSources.connectionId, connectionId), inArray(audienceSources.directoryGroupId, groupIds)));
}

/** What deleting would do to audiences, for the confirmation dialog. */
export async function connectionDeletionImpact(db: Executor, actor: Actor | null, connectionId: string): Promise<DeletionImpact> {
  await requireConnectionAdmin(db, asUser(actor), connectionId);
  const sources = await connectionSources(db, connectionId);
  if (sources.length === 0) return { series: 0, recipientsRemoved: 0 };
  const ids = sql.param(sources.map((s) => s.id));
  const [row] = await queryRows<{ n: number | string }>(
    db,
    sql`SELECT count(*) AS n FROM recipients r
        WHERE EXISTS (SELECT 1 FROM recipient_sources rs WHERE rs.series_id = r.series_id AND rs.email_normalized = r.email_normalized
                        AND rs.source_id = ANY(${ids}::uuid[]))
          AND NOT EXISTS (SELECT 1 FROM recipient_sources rs WHERE rs.series_id = r.series_id AND rs.email_normalized = r.email_normalized
                        AND NOT (rs.source_id = ANY(${ids}::uuid[])))`,
  );
  return { series: new Set(sources.map((s) => s.seriesId)).size, recipientsRemoved: Number(row?.n ?? 0) };
}

/**
 * Deletes a connection with everything that came from it: its group catalog, its audience sources and their
 * holdings. Recipients stay when another source (manual, CSV, another connection) still holds them. One
 * transaction: an audience never shows a half-deleted connection.
 */
export async function deleteConnection(db: Executor, actor: Actor | null, input: { connectionId: string }): Promise<{ recipientsRemoved: number }> {
  const by = asUser(actor);
  const loaded = await requireConnectionAdmin(db, by, input.connectionId);
  requireAdminOfEveryServed(by, loaded, "delete it");
  const { row, organizations } = loaded;
  return db.transaction(async (tx) => {
    const sources = await connectionSources(tx, row.id);
    let recipientsRemoved = 0;
    for (const source of sources) {
      recipientsRemoved += (await releaseHoldings(tx, { seriesId: source.seriesId, sourceId: source.id })).removed;
    }
    await tx.delete(directoryConnections).where(eq(directoryConnections.id, row.id));
    await recordConnectionAudit(tx, by, "connection.delete", row.id, organizations.map((o) => o.id), {
      name: row.name,
      tenantId: row.tenantId,
      clientId: row.clientId,
      sources: sources.length,
      recipientsRemoved,
    });
    return { recipientsRemoved };
  });
}
