import "server-only";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { audienceSources } from "@/db/schema";
import { requireSeries, type Actor } from "@/lib/auth/actor";
import { notFound, RosterError } from "@/lib/errors";
import { isUuid } from "@/lib/uuid";
import type { ReviewRemovals, SelectionRemovals } from "./types";

/** How many of the leaving addresses "Confirm removals" lists; the rest are counted. */
export const REMOVALS_LISTED = 50;
/** Sources one "who leaves" question may name: more than a dialog unticks at once. */
const MAX_SOURCES = 5_000;

/**
 * Who leaves, the one query behind every "confirm removals" of the directory dialog: `leaving` selects the
 * addresses (email_normalized, email, name) that the sources `sourceIds` would stop holding; the answer counts
 * them, counts those that leave the audience itself (recipients now, and no source outside `sourceIds` holds
 * them), and lists the first `limit` by address (of the leaving addresses, or only of those leaving the
 * audience).
 */
async function whoLeaves(
  db: Executor,
  input: { seriesId: string; sourceIds: string[]; leaving: SQL; list: "all" | "audience"; limit?: number },
): Promise<{ total: number; leavingAudience: number; first: { email: string; name: string | null }[] }> {
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? REMOVALS_LISTED), 1), 500);
  const ids = sql.param(input.sourceIds);
  const leavesAudience = sql`exists (select 1 from recipients r where r.series_id = ${input.seriesId}::uuid and r.email_normalized = l.email_normalized)
      and not exists (
        select 1 from recipient_sources o
        where o.series_id = ${input.seriesId}::uuid and o.email_normalized = l.email_normalized and o.source_id <> all(${ids}::uuid[])
      )`;
  const [counts] = await queryRows<{ total: string | number; alone: string | number }>(
    db,
    sql`with leaving as (${input.leaving})
        select count(*) as total, count(*) filter (where ${leavesAudience}) as alone from leaving l`,
  );
  const first = await queryRows<{ email: string; name: string | null }>(
    db,
    sql`with leaving as (${input.leaving})
        select l.email, l.name from leaving l ${input.list === "audience" ? sql`where ${leavesAudience}` : sql``}
        order by l.email_normalized limit ${limit}`,
  );
  return { total: Number(counts?.total ?? 0), leavingAudience: Number(counts?.alone ?? 0), first: first.map((r) => ({ email: r.email, name: r.name })) };
}

/**
 * Who leaves if the held removals of a group are confirmed: the addresses the group holds now that the run
 * waiting for review did not find (its staged set), in address order, the first REMOVALS_LISTED of them and
 * the count; and how many of them no other source holds, so leave the audience itself.
 */
export async function reviewRemovals(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; sourceId: string; limit?: number },
): Promise<ReviewRemovals> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  if (!isUuid(input.sourceId)) throw notFound("That group");
  const [source] = await db
    .select()
    .from(audienceSources)
    .where(
      and(
        eq(audienceSources.id, input.sourceId),
        eq(audienceSources.seriesId, series.id),
        inArray(audienceSources.kind, ["directory_group", "directory_all"]),
      ),
    );
  if (!source) throw notFound("That group");
  const jobId = (source.review as { jobId?: unknown } | null)?.jobId;
  if (source.state !== "needs_review" || typeof jobId !== "string" || !isUuid(jobId)) {
    throw new RosterError("conflict", "This group has no removals waiting for review.");
  }
  const leaving = sql`select rs.email_normalized, rs.email, rs.name from recipient_sources rs
      where rs.source_id = ${source.id}::uuid
        and not exists (select 1 from sync_staging st where st.job_id = ${jobId}::uuid and st.email_normalized = rs.email_normalized)`;
  const found = await whoLeaves(db, { seriesId: series.id, sourceIds: [source.id], leaving, list: "all", limit: input.limit });
  return { sourceId: source.id, label: source.label, ...found };
}

/**
 * Who leaves if these ticked directory sources (groups, the entire directory) are unticked ("Update audience"
 * with groups unticked): every address they hold, and of those the recipients no other source holds, which
 * are the ones listed. Only the series' own directory sources; anything else is "not found".
 */
export async function selectionRemovals(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; sourceIds: string[]; limit?: number },
): Promise<SelectionRemovals> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  const wanted = [...new Set(input.sourceIds)];
  if (wanted.length === 0 || wanted.length > MAX_SOURCES || wanted.some((id) => !isUuid(id))) throw notFound("That group");
  const sources = await db
    .select({ id: audienceSources.id, label: audienceSources.label })
    .from(audienceSources)
    .where(
      and(
        inArray(audienceSources.id, wanted),
        eq(audienceSources.seriesId, series.id),
        inArray(audienceSources.kind, ["directory_group", "directory_all"]),
      ),
    );
  if (sources.length !== wanted.length) throw notFound("That group");
  const leaving = sql`select distinct on (rs.email_normalized) rs.email_normalized, rs.email, rs.name from recipient_sources rs
      where rs.series_id = ${series.id}::uuid and rs.source_id = any(${sql.param(wanted)}::uuid[])
      order by rs.email_normalized`;
  const found = await whoLeaves(db, { seriesId: series.id, sourceIds: wanted, leaving, list: "audience", limit: input.limit });
  return { sourceIds: wanted, labels: sources.map((s) => s.label).sort((a, b) => a.localeCompare(b)), ...found };
}
