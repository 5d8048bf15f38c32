import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { audienceSources, directoryGroups } from "@/db/schema";
import { recordAudit, type AuditEntry } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/actor";
import { lockSeriesAudience, releaseHoldings } from "@/lib/audience/holdings";
import { requireSeriesConnectionOrContribution } from "@/lib/dialog/connections";
import { invalidInput } from "@/lib/errors";
import { unservedRefusal } from "./access";
import { isUuid } from "@/lib/uuid";
import { cancelSourceJobs, enqueueJob } from "@/lib/jobs/queue";

export const ENTIRE_DIRECTORY_LABEL = "Entire directory";
/** More ticked groups than any dialog shows at once; a bound on one request's work, not a product limit. */
export const MAX_SELECTED_GROUPS = 5_000;

export interface SelectionInput {
  seriesId: string;
  connectionId: string;
  /** directory_groups.id of every group to be ticked; all other groups of this connection are unticked. */
  groupIds: string[];
  entireDirectory: boolean;
}

type Source = typeof audienceSources.$inferSelect;

/**
 * "Update audience": makes the series' ticked groups (and the entire directory) of one connection exactly the
 * given set, in one transaction. Newly ticked sources are queued for a sync; unticked ones give up what they
 * held (recipients other sources also hold stay), lose their active jobs, and show Not synced.
 */
export async function updateSelection(db: Executor, actor: Actor | null, input: SelectionInput): Promise<{ queued: number; removed: number }> {
  // A connection that stopped serving the organization still lists what the series holds from it, so that
  // it can be removed; nothing can be ticked on it.
  const { series, connection, served } = await requireSeriesConnectionOrContribution(db, actor, input.seriesId, input.connectionId);
  const wanted = [...new Set(input.groupIds)];
  if (wanted.length > MAX_SELECTED_GROUPS) throw invalidInput(`Select at most ${MAX_SELECTED_GROUPS.toLocaleString("en-US")} groups at once.`);
  if (wanted.some((id) => !isUuid(id))) throw invalidInput("Some selected groups are not in this directory's group list.", { groupIds: "Unknown group." });
  if (input.entireDirectory && connection.groupObjectIds.length > 0) {
    throw invalidInput("“Sync entire directory” is unavailable: this connection is limited to selected groups.", {
      entireDirectory: "This connection is limited to selected groups; an admin can clear the list of Group Object IDs.",
    });
  }

  return db.transaction(async (tx) => {
    // Serializes selection changes of one series (and with every other audience writer).
    await lockSeriesAudience(tx, series.id);
    const groups = wanted.length
      ? await tx
          .select()
          .from(directoryGroups)
          .where(and(eq(directoryGroups.connectionId, connection.id), inArray(directoryGroups.id, wanted)))
      : [];
    if (groups.length !== wanted.length) throw invalidInput("Some selected groups are not in this directory's group list.", { groupIds: "Unknown group." });

    const existing = await tx
      .select()
      .from(audienceSources)
      .where(
        and(
          eq(audienceSources.seriesId, series.id),
          eq(audienceSources.connectionId, connection.id),
          inArray(audienceSources.kind, ["directory_group", "directory_all"]),
        ),
      );
    const byGroup = new Map(existing.filter((s) => s.kind === "directory_group").map((s) => [s.directoryGroupId!, s]));
    const all = existing.find((s) => s.kind === "directory_all");

    let queued = 0;
    let removed = 0;
    // One entry per source ticked or unticked, written in this transaction (docs/design.md, "Audit log").
    const audit: AuditEntry[] = [];
    const entry = (action: "selection.tick" | "selection.untick", sourceId: string, label: string, details: Record<string, unknown>): AuditEntry => ({
      organizationId: series.organizationId,
      action,
      targetType: "audience_source",
      targetId: sourceId,
      details: { seriesId: series.id, connectionId: connection.id, label, ...details },
    });
    const tick = async (source: Source | undefined, create: () => Promise<string>, label: string, deleted: boolean, entire = false) => {
      if (source?.selected) return;
      if (!served) throw unservedRefusal();
      if (deleted) throw invalidInput(`“${label}” was deleted in Azure and cannot be added.`, { groupIds: "Deleted in Azure." });
      let sourceId: string;
      if (source) {
        sourceId = source.id;
        await tx
          .update(audienceSources)
          .set({ selected: true, state: "queued", label, lastError: null, review: null, updatedAt: new Date() })
          .where(eq(audienceSources.id, source.id));
      } else {
        sourceId = await create();
      }
      await enqueueJob(tx, { sourceId, seriesId: series.id, connectionId: connection.id, reason: "selection", requestedBy: actor!.userId });
      audit.push(entry("selection.tick", sourceId, label, entire ? { entireDirectory: true } : {}));
      queued++;
    };
    const untick = async (source: Source) => {
      await cancelSourceJobs(tx, source.id);
      const released = await releaseHoldings(tx, { seriesId: series.id, sourceId: source.id, why: { removed: "source removed", actor: actor!.name || actor!.email } });
      await tx
        .update(audienceSources)
        .set({ selected: false, state: "not_synced", memberCount: 0, skipped: {}, lastError: null, review: null, updatedAt: new Date() })
        .where(eq(audienceSources.id, source.id));
      audit.push(entry("selection.untick", source.id, source.label, { ...(source.kind === "directory_all" ? { entireDirectory: true } : {}), recipientsRemoved: released.removed }));
      removed++;
    };
    const insertSource = async (values: Partial<Source> & Pick<Source, "kind" | "label">) => {
      const [row] = await tx
        .insert(audienceSources)
        .values({ seriesId: series.id, connectionId: connection.id, selected: true, state: "queued", createdBy: actor!.userId, ...values })
        .returning({ id: audienceSources.id });
      return row.id;
    };

    for (const group of groups) {
      await tick(byGroup.get(group.id), () => insertSource({ kind: "directory_group", label: group.displayName, directoryGroupId: group.id }), group.displayName, group.deletedAt !== null);
    }
    const wantedSet = new Set(wanted);
    for (const source of existing) {
      if (source.kind === "directory_group" && source.selected && !wantedSet.has(source.directoryGroupId!)) await untick(source);
    }
    if (input.entireDirectory) {
      await tick(all, () => insertSource({ kind: "directory_all", label: ENTIRE_DIRECTORY_LABEL }), ENTIRE_DIRECTORY_LABEL, false, true);
    } else if (all?.selected) {
      await untick(all);
    }

    await recordAudit(tx, { kind: "user", actor: actor! }, audit);
    return { queued, removed };
  });
}
