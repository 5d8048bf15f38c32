import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { invalidInput } from "@/lib/errors";
import { requireSeriesConnectionOrContribution } from "./connections";
import { groupKinds, syncStates, type DirectoryGroupRow, type GroupKind, type GroupPage, type SyncState } from "./types";

export interface GroupListQuery {
  seriesId: string;
  connectionId: string;
  /** Part of the display name or mail, any case. */
  search?: string;
  kind?: GroupKind;
  state?: SyncState;
  offset?: number;
  limit?: number;
}

export const GROUP_PAGE_MAX = 500;

/**
 * The state a group shows in this series. An active sync job outranks the stored state (a "Sync now" on a
 * synced group reads Queued at once); a group nobody ticked, or one unticked since, is Not synced. A running
 * job counts as Syncing only while its worker's lease is live (see activeJobStatus in source-states.ts).
 */
export const effectiveStateSql = sql`case
  when s.id is null or not s.selected then 'not_synced'
  when j.status = 'running' and j.lease_expires_at > now() then 'syncing'
  when j.status in ('queued', 'running') then 'queued'
  else s.state::text
end`;

/** Escapes LIKE's wildcards so a search for "50%" finds the text "50%". */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page of the connection's group catalog joined with this series' sources and active sync jobs,
 * searched and filtered in SQL so that a directory of many thousands of groups never travels whole.
 * A group deleted in Azure is listed only while the series still has it ticked (it shows Error there).
 */
export async function listDirectoryGroups(db: Executor, actor: Actor | null, query: GroupListQuery): Promise<GroupPage> {
  const { series, served } = await requireSeriesConnectionOrContribution(db, actor, query.seriesId, query.connectionId);
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 200;
  if (!Number.isInteger(offset) || offset < 0) throw invalidInput("The page offset must be a whole number, 0 or more.");
  if (!Number.isInteger(limit) || limit < 1 || limit > GROUP_PAGE_MAX) {
    throw invalidInput(`The page size must be between 1 and ${GROUP_PAGE_MAX}.`);
  }
  if (query.kind && !groupKinds.includes(query.kind)) throw invalidInput(`Unknown group kind "${query.kind}".`);
  if (query.state && !syncStates.includes(query.state)) throw invalidInput(`Unknown state "${query.state}".`);

  const filters: SQL[] = [sql`g.connection_id = ${query.connectionId}`, sql`(g.deleted_at is null or s.selected)`];
  // A connection that no longer serves the organization lists only what the series still holds from it.
  if (!served) filters.push(sql`s.selected`);
  const search = query.search?.trim();
  if (search) {
    const pattern = likePattern(search);
    filters.push(sql`(g.display_name ilike ${pattern} or g.mail ilike ${pattern})`);
  }
  if (query.kind) filters.push(sql`g.kind = ${query.kind}`);
  if (query.state) filters.push(sql`${effectiveStateSql} = ${query.state}`);

  const rows = await queryRows<{
    id: string;
    object_id: string;
    display_name: string;
    mail: string | null;
    kind: GroupKind;
    deleted: boolean;
    selected: boolean;
    state: SyncState;
    total: number | string;
  }>(
    db,
    sql`select g.id, g.object_id, g.display_name, g.mail, g.kind,
          g.deleted_at is not null as deleted,
          coalesce(s.selected, false) as selected,
          ${effectiveStateSql} as state,
          count(*) over () as total
        from directory_groups g
        left join audience_sources s
          on s.series_id = ${series.id} and s.kind = 'directory_group' and s.directory_group_id = g.id
        left join sync_jobs j
          on j.source_id = s.id and j.mode = 'sync' and j.status in ('queued', 'running')
        where ${sql.join(filters, sql` and `)}
        order by lower(g.display_name), g.id
        limit ${limit} offset ${offset}`,
  );

  const groups: DirectoryGroupRow[] = rows.map((r) => ({
    id: r.id,
    objectId: r.object_id,
    displayName: r.display_name,
    mail: r.mail,
    kind: r.kind,
    deleted: Boolean(r.deleted),
    selected: Boolean(r.selected),
    state: r.state,
  }));
  // Past the last row the window count is unknown; only the first page can be empty legitimately.
  const total = rows.length > 0 ? Number(rows[0].total) : offset === 0 ? 0 : offset;
  return { groups, total, nextOffset: offset + groups.length < total ? offset + groups.length : null };
}
