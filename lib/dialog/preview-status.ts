import "server-only";
import { and, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { syncJobs } from "@/db/schema";
import { requireSeries, type Actor } from "@/lib/auth/actor";
import { notFound } from "@/lib/errors";
import { asDiagnosis, asSkipped } from "./source-states";
import type { PreviewStatus } from "./types";
import { isUuid } from "@/lib/uuid";

/** A preview job of this series, as the dialog polls it until it is done. */
export async function previewStatus(db: Executor, actor: Actor | null, input: { seriesId: string; jobId: string }): Promise<PreviewStatus> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  if (!isUuid(input.jobId)) throw notFound("That preview");
  const [job] = await db
    .select()
    .from(syncJobs)
    .where(and(eq(syncJobs.id, input.jobId), eq(syncJobs.seriesId, series.id), eq(syncJobs.mode, "preview")));
  if (!job) throw notFound("That preview");
  const r = job.result as Record<string, unknown> | null;
  return {
    jobId: job.id,
    status: job.status,
    membersSeen: job.membersSeen,
    result:
      job.status === "done" && r
        ? {
            wouldAdd: Number(r.wouldAdd ?? 0),
            alreadyPresent: Number(r.alreadyPresent ?? 0),
            skipped: asSkipped(r.skipped),
            total: Number(r.total ?? 0),
          }
        : null,
    error: asDiagnosis(job.error),
  };
}
