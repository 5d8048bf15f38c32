import "server-only";
import { eq, sql } from "drizzle-orm";
import { executeCount, type Executor } from "@/db/client";
import { directoryConnections, directoryGroups } from "@/db/schema";
import { graphForConnection } from "@/lib/connections/graph-access";
import type { DirectoryProvider } from "@/lib/directory/provider";
import type { DirectoryGroupRecord } from "@/lib/directory/types";
import { cleanName, storableText, truncate } from "@/lib/text/sanitize";

/** Group descriptions are shown, not indexed; a bound keeps one hostile description from bloating the catalog. */
const DESCRIPTION_MAX = 1_024;

export interface CatalogRefresh {
  seen: number;
  added: number;
  restored: number;
  markedDeleted: number;
}

/** Rows per statement (arrays bound to unnest: a handful of parameters whatever the size). */
const CHUNK = 5_000;

/**
 * Refreshes a connection's group catalog (what editors can tick). With Group Object IDs set, only those groups
 * are fetched, by `id in (…)` in batches of 15 (one not returned is deleted in Azure); otherwise every group. The whole list is read
 * before anything is written, so a failure part-way marks nothing deleted. A group no longer found gets
 * `deleted_at` (never dropped: audiences still point at it) and loses it if it reappears.
 */
export async function refreshCatalog(db: Executor, connectionId: string): Promise<CatalogRefresh> {
  const { graph, provider, connection } = await graphForConnection(db, connectionId);
  const startedAt = new Date();
  const found: DirectoryGroupRecord[] = [];
  if (connection.groupObjectIds.length > 0) {
    found.push(...(await graph.getGroupsByIds(connection.groupObjectIds)));
  } else {
    for await (const group of graph.iterateGroups()) found.push(group);
  }

  return db.transaction(async (tx) => {
    const before = await tx
      .select({ objectId: directoryGroups.objectId, deletedAt: directoryGroups.deletedAt })
      .from(directoryGroups)
      .where(eq(directoryGroups.connectionId, connectionId));
    const known = new Map(before.map((g) => [g.objectId, g.deletedAt]));
    const unique = new Map(found.map((g) => [g.id.toLowerCase(), g]));
    let added = 0;
    let restored = 0;
    for (const id of unique.keys()) {
      if (!known.has(id)) added++;
      else if (known.get(id)) restored++;
    }
    const rows = [...unique.values()];
    for (let i = 0; i < rows.length; i += CHUNK) await upsertGroups(tx, provider, connectionId, rows.slice(i, i + CHUNK), startedAt);
    const markedDeleted = await executeCount(
      tx,
      sql`UPDATE directory_groups SET deleted_at = ${startedAt.toISOString()}::timestamptz
          WHERE connection_id = ${connectionId}::uuid AND deleted_at IS NULL AND last_seen_at < ${startedAt.toISOString()}::timestamptz`,
    );
    await tx.update(directoryConnections).set({ groupsRefreshedAt: new Date() }).where(eq(directoryConnections.id, connectionId));
    return { seen: rows.length, added, restored, markedDeleted };
  });
}

/**
 * Names are stored clean and at most 256 characters (Graph's documented maximum; lib/text/sanitize.ts): a NUL
 * would fail the statement, and a name of many kilobytes would exceed what the name index can hold, failing
 * the refresh of the whole catalog.
 */
async function upsertGroups(tx: Executor, provider: DirectoryProvider, connectionId: string, groups: DirectoryGroupRecord[], seenAt: Date) {
  const col = <T>(f: (g: DirectoryGroupRecord) => T) => sql.param(groups.map(f));
  await tx.execute(sql`
    INSERT INTO directory_groups (connection_id, object_id, display_name, description, mail, visibility, kind, deleted_at, last_seen_at)
    SELECT ${connectionId}::uuid, t.object_id, t.display_name, t.description, t.mail, t.visibility, t.kind::group_kind, NULL, ${seenAt.toISOString()}::timestamptz
    FROM unnest(${col((g) => g.id.toLowerCase())}::text[], ${col((g) => cleanName(g.displayName) ?? g.id)}::text[], ${col((g) => (g.description ? truncate(storableText(g.description), DESCRIPTION_MAX) : null))}::text[],
                ${col((g) => (g.mail ? storableText(g.mail) : null))}::text[], ${col((g) => (g.visibility ? storableText(g.visibility) : null))}::text[], ${col((g) => provider.groupKind(g))}::text[])
      AS t(object_id, display_name, description, mail, visibility, kind)
    ON CONFLICT (connection_id, object_id) DO UPDATE SET
      display_name = EXCLUDED.display_name, description = EXCLUDED.description, mail = EXCLUDED.mail,
      visibility = EXCLUDED.visibility, kind = EXCLUDED.kind, deleted_at = NULL, last_seen_at = EXCLUDED.last_seen_at`);
}
