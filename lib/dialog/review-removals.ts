import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { audienceSources } from "@/db/schema";
import { requireSeries, type Actor } from "@/lib/auth/actor";
import { notFound, RosterError } from "@/lib/errors";
import { isUuid } from "@/lib/uuid";
import type { ReviewRemovals } from "./types";

/** How many of the leaving addresses "Confirm removals" lists; the rest are counted. */
export const REMOVALS_LISTED = 50;


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
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? REMOVALS_LISTED), 1), 500);
  const leaving = sql`select rs.email_normalized, rs.email, rs.name from recipient_sources rs
      where rs.source_id = ${source.id}::uuid
        and not exists (select 1 from sync_staging st where st.job_id = ${jobId}::uuid and st.email_normalized = rs.email_normalized)`;
  const [counts] = await queryRows<{ total: string | number; alone: string | number }>(
    db,
    sql`with leaving as (${leaving})
        select count(*) as total,
               count(*) filter (where not exists (
                 select 1 from recipient_sources o
                 where o.series_id = ${series.id}::uuid and o.email_normalized = l.email_normalized and o.source_id <> ${source.id}::uuid
               )) as alone
        from leaving l`,
  );
  const first = await queryRows<{ email: string; name: string | null }>(
    db,
    sql`with leaving as (${leaving}) select email, name from leaving order by email_normalized limit ${limit}`,
  );
  return {
    sourceId: source.id,
    label: source.label,
    total: Number(counts?.total ?? 0),
    first: first.map((r) => ({ email: r.email, name: r.name })),
    leavingAudience: Number(counts?.alone ?? 0),
  };
}
