import "server-only";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { audienceSources } from "@/db/schema";
import { requireActor, type Actor } from "@/lib/auth/actor";
import { requireSeriesConnection } from "@/lib/directory/connections";
import { notFound, RosterError } from "@/lib/errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

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
    const { series, connection } = await requireSeriesConnection(db, actor, source.seriesId, source.connectionId);
    return { source, series, connection };
  } catch (error) {
    // Another organization's series or connection: the source is just as invisible as a missing one.
    if (error instanceof RosterError && error.code === "not_found") throw notFound("That group");
    throw error;
  }
}
