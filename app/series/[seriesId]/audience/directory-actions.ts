"use server";
/**
 * The "Manage from directory" dialog's writes. Each goes through runAction (zod, session → actor) and a
 * lib verb that authorizes itself against the series; queued work is started right after the response with
 * after(), so a ticked group starts syncing at once instead of waiting for the cron.
 */
import { after } from "next/server";
import { z } from "zod";
import type { Db } from "@/db/client";
import { runAction } from "@/lib/action";
import { explainAudienceMember } from "@/lib/why/audience";
import { personLookupThroughConnections } from "@/lib/why/person-lookup";
import { logError } from "@/lib/log";
import { confirmReview, requestFullReread, requestPreview, runQueuedWork, syncNow, updateSelection } from "@/lib/sync/verbs";
import { isUuid } from "@/lib/uuid";

/** What one after() slice may spend; the cron finishes anything left. */
const AFTER_BUDGET_MS = 50_000;

function startQueuedWork(db: Db) {
  after(async () => {
    try {
      await runQueuedWork(db, { budgetMs: AFTER_BUDGET_MS });
    } catch (error) {
      logError("queued directory work after an editor's request", error);
    }
  });
}

const uuid = (what: string) => z.string().refine(isUuid, `${what} is not valid.`);

const selectionSchema = z.object({
  seriesId: uuid("The series"),
  connectionId: uuid("The directory"),
  groupIds: z.array(uuid("A group")).max(50_000, "Too many groups in one update."),
  entireDirectory: z.boolean(),
});

export async function updateAudienceFromDirectory(input: z.infer<typeof selectionSchema>) {
  return runAction(selectionSchema, input, async ({ db, actor }, data) => {
    const result = await updateSelection(db, actor, data);
    startQueuedWork(db);
    return result;
  });
}

const sourceSchema = z.object({ seriesId: uuid("The series"), sourceId: uuid("The group") });

/** "Sync now": a delta round of the group's connection (seconds), or a queued full sync when it has none yet. */
export async function syncDirectoryGroupNow(input: z.infer<typeof sourceSchema>) {
  return runAction(sourceSchema, input, async ({ db, actor }, data) => {
    const result = await syncNow(db, actor, { sourceId: data.sourceId });
    if (result.kind === "queued") startQueuedWork(db);
    return result;
  });
}

/** "Full re-read" (the second choice, for support): the group's members listed whole again, as a queued sync. */
export async function rereadDirectoryGroup(input: z.infer<typeof sourceSchema>) {
  return runAction(sourceSchema, input, async ({ db, actor }, data) => {
    const jobId = await requestFullReread(db, actor, { sourceId: data.sourceId });
    startQueuedWork(db);
    return { jobId };
  });
}

export async function confirmDirectoryReview(input: z.infer<typeof sourceSchema>) {
  return runAction(sourceSchema, input, async ({ db, actor }, data) => {
    const result = await confirmReview(db, actor, { sourceId: data.sourceId });
    startQueuedWork(db);
    return result;
  });
}

const previewSchema = z.object({ seriesId: uuid("The series"), groupId: uuid("The group") });

export async function previewDirectoryGroup(input: z.infer<typeof previewSchema>) {
  return runAction(previewSchema, input, async ({ db, actor }, data) => {
    const jobId = await requestPreview(db, actor, data);
    startQueuedWork(db);
    return { jobId };
  });
}

const whySchema = z.object({
  seriesId: uuid("The series"),
  email: z.string().trim().min(1, "Enter an email address.").max(320, "That address is too long."),
});

export async function explainAudienceAddress(input: z.infer<typeof whySchema>) {
  return runAction(whySchema, input, ({ db, actor }, data) => explainAudienceMember(db, actor, data, personLookupThroughConnections));
}
