import { GraphRequestError } from "./errors";
import { graphItems } from "./paging";
import type { GraphSession } from "./types";
import type { DirectoryGroupRecord, GroupKind } from "@/lib/directory/types";

/** The guide's group attributes, plus what classification needs (groupTypes, mailEnabled, securityEnabled). */
export const GROUP_SELECT = "id,displayName,description,mail,visibility,groupTypes,mailEnabled,securityEnabled";

export type { DirectoryGroupRecord, GroupKind } from "@/lib/directory/types";

/**
 * Graph's group kinds (stack-notes): dynamic membership is named first because it is what an admin most needs
 * to know about a group (members change by rule); then Microsoft 365 (Unified); then by mail/security flags.
 */
export function groupKind(group: Pick<DirectoryGroupRecord, "groupTypes" | "mailEnabled" | "securityEnabled">): GroupKind {
  const types = group.groupTypes ?? [];
  if (types.includes("DynamicMembership")) return "dynamic";
  if (types.includes("Unified")) return "microsoft365";
  if (group.mailEnabled && group.securityEnabled) return "mail_security";
  if (group.mailEnabled) return "distribution";
  return "security";
}

/** Every group of the tenant (dynamic distribution groups are Exchange objects and never appear in Graph). */
export function iterateGroups(graph: GraphSession, pageSize = 999): AsyncGenerator<DirectoryGroupRecord> {
  return graphItems<DirectoryGroupRecord>(graph, `/groups?$top=${pageSize}&$select=${GROUP_SELECT}`);
}

/**
 * The most values Graph takes in one `in (…)`: a longer list is refused, so ids go in batches of this size.
 * https://learn.microsoft.com/en-us/graph/filter-query-parameter (the `in` operator; the limit of 15 is not
 * stated there: it is what Graph enforces on directory objects, modelled so in the sandbox).
 */
export const MAX_IN_VALUES = 15;

/**
 * The groups with these object ids, one `$filter=id in (…)` request per 15 ids (a standard query: `in` on id
 * needs no ConsistencyLevel). An id Graph does not return is not in the directory (deleted, or never existed).
 * https://learn.microsoft.com/en-us/graph/api/group-list
 */
export async function getGroupsByIds(graph: GraphSession, objectIds: string[]): Promise<DirectoryGroupRecord[]> {
  const ids = [...new Set(objectIds.map((id) => id.trim().toLowerCase()).filter(Boolean))];
  const found: DirectoryGroupRecord[] = [];
  for (let i = 0; i < ids.length; i += MAX_IN_VALUES) {
    const batch = ids.slice(i, i + MAX_IN_VALUES);
    const filter = `id in (${batch.map((id) => `'${id.replace(/'/g, "''")}'`).join(",")})`;
    for await (const group of graphItems<DirectoryGroupRecord>(graph, `/groups?$filter=${encodeURIComponent(filter)}&$select=${GROUP_SELECT}&$top=999`)) {
      found.push(group);
    }
  }
  return found;
}

/** One group by object id; null when Graph answers 404 (deleted in Azure, or never existed). */
export async function getGroup(graph: GraphSession, objectId: string): Promise<DirectoryGroupRecord | null> {
  try {
    return await graph.get<DirectoryGroupRecord>(`/groups/${encodeURIComponent(objectId)}?$select=${GROUP_SELECT}`);
  } catch (error) {
    if (error instanceof GraphRequestError && error.status === 404) return null;
    throw error;
  }
}
