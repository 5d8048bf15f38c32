import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { directoryGroups, seriesGroupExclusions } from "@/db/schema";
import { actorName, recordAudit } from "@/lib/audit/record";
import { requireSeries, type Actor } from "@/lib/auth/actor";
import { checkReason } from "@/lib/audience/exclusions";
import { describeChanges } from "@/lib/audience/change-log";
import { restoreHeldRecipients } from "@/lib/audience/group-exclusions";
import { lockSeriesAudience } from "@/lib/audience/holdings";
import { requireSeriesConnection } from "@/lib/dialog/connections";
import { invalidInput, notFound, RosterError } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/queue";
import { ensureGroupSource } from "./requests";
import { isUuid } from "@/lib/uuid";

/**
 * "Exclude members of Contractors" (docs/adr/0014-exclusions-change-log-thresholds.md, "Group exclusions"): an
 * exclusion names a directory group of a connection serving the series' organization. Its members are read by
 * the sync's own listing, as a job of the group's unselected source with this reason (lib/sync/run-job.ts hands
 * the complete staged set to lib/audience/group-exclusions.ts), so they are judged by the same rule, with the
 * same retries and diagnoses, and a failed listing changes nothing.
 */
export const GROUP_EXCLUSION_REASON = "exclusion";

export interface GroupExclusionView {
  id: string;
  groupId: string;
  label: string;
  reason: string | null;
  excludedBy: string;
  createdAt: Date;
  refreshedAt: Date | null;
  memberCount: number;
}

/** Queues the listing of the group for its exclusion (joins a listing already queued or running). */
async function queueListing(tx: Executor, input: { sourceId: string; seriesId: string; connectionId: string; requestedBy: string | null }) {
  return enqueueJob(tx, { ...input, mode: "preview", reason: GROUP_EXCLUSION_REASON });
}

/**
 * Excludes a group's members from a series, or refreshes an existing group exclusion (its listing is queued
 * again). Audited in the same transaction. The members leave once the listing completes.
 */
export async function excludeGroup(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; groupId: string; reason?: string | null },
): Promise<{ id: string; created: boolean; jobId: string }> {
  await requireSeries(db, actor, input.seriesId, "editor");
  if (!isUuid(input.groupId)) throw notFound("That group");
  const [group] = await db.select().from(directoryGroups).where(eq(directoryGroups.id, input.groupId));
  if (!group) throw notFound("That group");
  const { series, connection } = await requireSeriesConnection(db, actor, input.seriesId, group.connectionId).catch((error: unknown) => {
    throw error instanceof RosterError && error.code === "not_found" ? notFound("That group") : error;
  });
  if (group.deletedAt) throw invalidInput(`“${group.displayName}” was deleted in Azure and cannot be excluded.`, { groupId: "Deleted in Azure." });
  const reason = checkReason(input.reason);
  const by = { kind: "user", actor: actor! } as const;
  return db.transaction(async (tx) => {
    await lockSeriesAudience(tx, series.id);
    const source = await ensureGroupSource(tx, { seriesId: series.id, connectionId: connection.id, group, createdBy: actor!.userId });
    const inserted = await queryRows<{ id: string }>(
      tx,
      sql`INSERT INTO series_group_exclusions (series_id, directory_group_id, source_id, label, reason, excluded_by, excluded_by_user_id)
          VALUES (${series.id}::uuid, ${group.id}::uuid, ${source.id}::uuid, ${group.displayName}, ${reason}, ${actorName(by)}, ${actor!.userId}::uuid)
          ON CONFLICT (series_id, directory_group_id) DO NOTHING RETURNING id`,
    );
    const [existing] = inserted.length
      ? inserted
      : await queryRows<{ id: string }>(tx, sql`SELECT id FROM series_group_exclusions WHERE series_id = ${series.id}::uuid AND directory_group_id = ${group.id}::uuid`);
    const { jobId } = await queueListing(tx, { sourceId: source.id, seriesId: series.id, connectionId: connection.id, requestedBy: actor!.userId });
    await recordAudit(tx, by, {
      organizationId: series.organizationId,
      action: inserted.length ? "exclusion.group_add" : "exclusion.group_refresh",
      targetType: "series",
      targetId: series.id,
      details: { group: group.displayName, groupId: group.id, reason },
    });
    return { id: existing.id, created: inserted.length > 0, jobId };
  });
}

/**
 * The exclusion dialog's way in: the group is named as the directory shows it ("Contractors"), among the groups
 * of the active connections serving the series' organization; none, or several of that name, is a clear error.
 */
export async function excludeGroupByName(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; groupName: string; reason?: string | null },
): Promise<{ id: string; created: boolean; label: string }> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  const name = input.groupName.trim();
  if (!name) throw invalidInput("Give the name of the group whose members to exclude.", { groupName: "Enter a group's name." });
  const found = await queryRows<{ id: string; display_name: string }>(
    db,
    sql`SELECT g.id, g.display_name FROM directory_groups g
        JOIN directory_connections c ON c.id = g.connection_id AND c.status = 'active'
        JOIN connection_organizations co ON co.connection_id = g.connection_id AND co.organization_id = ${series.organizationId}::uuid
        WHERE lower(g.display_name) = lower(${name}) AND g.deleted_at IS NULL
        ORDER BY g.display_name LIMIT 2`,
  );
  if (found.length === 0) {
    throw invalidInput(`No group of this organization's directory is called “${name.slice(0, 256)}”.`, { groupName: "Enter a group's name as the directory shows it." });
  }
  if (found.length > 1) {
    throw invalidInput(`Several groups are called “${found[0].display_name}”; rename one in Azure, or exclude its members from a CSV.`, { groupName: "The name is not unique." });
  }
  const done = await excludeGroup(db, actor, { seriesId: series.id, groupId: found[0].id, reason: input.reason });
  return { id: done.id, created: done.created, label: found[0].display_name };
}

/** Lifts a group exclusion: its members come back where a source holds them and nothing else excludes them. */
export async function liftGroupExclusion(db: Executor, actor: Actor | null, input: { seriesId: string; exclusionId: string }): Promise<{ label: string; restored: number }> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  if (!isUuid(input.exclusionId)) throw notFound("That group exclusion");
  return db.transaction(async (tx) => {
    await lockSeriesAudience(tx, series.id);
    const [row] = await tx
      .select()
      .from(seriesGroupExclusions)
      .where(and(eq(seriesGroupExclusions.id, input.exclusionId), eq(seriesGroupExclusions.seriesId, series.id)));
    if (!row) throw notFound("That group exclusion");
    // Its members go with it (ON DELETE CASCADE); a listing still queued finds no exclusion to feed.
    await tx.delete(seriesGroupExclusions).where(eq(seriesGroupExclusions.id, row.id));
    await describeChanges(tx, { added: `exclusion of ${row.label} lifted`, actor: actor!.name || actor!.email });
    const restored = await restoreHeldRecipients(tx, series.id);
    await recordAudit(tx, { kind: "user", actor: actor! }, {
      organizationId: series.organizationId,
      action: "exclusion.group_lift",
      targetType: "series",
      targetId: series.id,
      details: { group: row.label, groupId: row.directoryGroupId, restored },
    });
    return { label: row.label, restored };
  });
}

/** The series' group exclusions, oldest first. */
export async function listGroupExclusions(db: Executor, actor: Actor | null, seriesId: string): Promise<GroupExclusionView[]> {
  const series = await requireSeries(db, actor, seriesId, "editor");
  const rows = await db.select().from(seriesGroupExclusions).where(eq(seriesGroupExclusions.seriesId, series.id)).orderBy(seriesGroupExclusions.createdAt);
  return rows.map((r) => ({
    id: r.id,
    groupId: r.directoryGroupId,
    label: r.label,
    reason: r.reason,
    excludedBy: r.excludedBy,
    createdAt: r.createdAt,
    refreshedAt: r.refreshedAt,
    memberCount: r.memberCount,
  }));
}
