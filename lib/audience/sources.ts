import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { audienceSources } from "@/db/schema";

export const MANUAL_SOURCE_LABEL = "Manual";

/**
 * The series' one manual source, created the first time someone adds a recipient by hand. Concurrent first
 * additions both reach the partial unique index; the loser does nothing and reads the winner's row.
 */
export async function ensureManualSource(tx: Executor, seriesId: string, createdBy: string | null): Promise<string> {
  await tx.execute(sql`
    INSERT INTO audience_sources (series_id, kind, label, created_by)
    VALUES (${seriesId}::uuid, 'manual', ${MANUAL_SOURCE_LABEL}, ${createdBy}::uuid)
    ON CONFLICT (series_id) WHERE kind = 'manual' DO NOTHING`);
  const [row] = await tx
    .select({ id: audienceSources.id })
    .from(audienceSources)
    .where(and(eq(audienceSources.seriesId, seriesId), eq(audienceSources.kind, "manual")));
  return row.id;
}

export async function findManualSource(tx: Executor, seriesId: string): Promise<string | null> {
  const [row] = await tx
    .select({ id: audienceSources.id })
    .from(audienceSources)
    .where(and(eq(audienceSources.seriesId, seriesId), eq(audienceSources.kind, "manual")));
  return row?.id ?? null;
}
