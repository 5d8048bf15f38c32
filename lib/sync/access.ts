import "server-only";
import { eq, sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { audienceSources } from "@/db/schema";
import { requireActor, type Actor } from "@/lib/auth/actor";
import { requireSeriesConnectionOrContribution } from "@/lib/dialog/connections";
import { invalidInput, notFound, RosterError } from "@/lib/errors";
import { jsonSafe } from "@/lib/text/sanitize";
import { UNSERVED_TITLE, unservedDiagnosis } from "./failure";
import { cancelSourceJobs } from "@/lib/jobs/queue";
import { isUuid } from "@/lib/uuid";


/**
 * A directory source the actor may change: editor or admin of its series' organization, and its connection
 * still serving that organization. Anything else answers "not found", like a source that does not exist, so
 * ids of other organizations cannot be probed.
 */
export async function requireDirectorySource(db: Executor, actor: Actor | null, sourceId: string) {
  requireActor(actor);
  if (!isUuid(sourceId)) throw notFound("That group");
  const [source] = await db.select().from(audienceSources).where(eq(audienceSources.id, sourceId));
  if (!source || !source.connectionId || (source.kind !== "directory_group" && source.kind !== "directory_all")) throw notFound("That group");
  try {
    const { series, connection, served } = await requireSeriesConnectionOrContribution(db, actor, source.seriesId, source.connectionId);
    if (!served) throw unservedRefusal();
    return { source, series, connection };
  } catch (error) {
    // Another organization's series or connection: the source is just as invisible as a missing one.
    if (error instanceof RosterError && error.code === "not_found") throw notFound("That group");
    throw error;
  }
}

/** What an editor is told when asking anything but removal of a connection that no longer serves them. */
export function unservedRefusal(): RosterError {
  return invalidInput(`${UNSERVED_TITLE}: an admin stopped this directory connection serving your organization. Untick its groups to remove what they brought.`);
}

/**
 * SQL: the source's connection still serves the organization of the source's series. Checked by the scheduler,
 * the claim and the runner on every run (connection_organizations can change at any time).
 */
export const sourceIsServed = (sourceAlias: string) =>
  sql.raw(`exists (select 1 from connection_organizations co join series se on se.organization_id = co.organization_id
                   where co.connection_id = ${sourceAlias}.connection_id and se.id = ${sourceAlias}.series_id)`);

/**
 * Marks, at once, every ticked source of a connection whose series' organization it no longer serves: Error
 * "no longer available to this organization", jobs cancelled, contribution and count kept (like a deleted
 * group, never silently). Returns how many sources it marked.
 */
export async function markUnservedSources(tx: Executor, connectionId: string): Promise<number> {
  const sources = await queryRows<{ id: string }>(
    tx,
    sql`SELECT s.id FROM audience_sources s
        WHERE s.connection_id = ${connectionId}::uuid AND s.selected AND s.kind IN ('directory_group', 'directory_all')
          AND NOT ${sourceIsServed("s")}
          AND NOT (s.state = 'error' AND s.last_error->>'code' = 'connection_unserved')`,
  );
  const diagnosis = JSON.stringify(jsonSafe(unservedDiagnosis()));
  for (const { id } of sources) {
    await cancelSourceJobs(tx, id);
    await tx.execute(
      sql`UPDATE audience_sources SET state = 'error', last_error = ${diagnosis}::jsonb, review = NULL, updated_at = now() WHERE id = ${id}::uuid`,
    );
  }
  return sources.length;
}
