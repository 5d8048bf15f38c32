"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction } from "@/lib/action";
import { excludeAddress, liftExclusion, MAX_REASON_LENGTH } from "@/lib/audience/exclusions";
import { excludeGroupByName, liftGroupExclusion } from "@/lib/sync/group-exclusions";
import { runQueuedWork } from "@/lib/sync/verbs";
import { logError } from "@/lib/log";
import { after } from "next/server";

const seriesId = z.string().uuid("Unknown series.");

const excludeSchema = z.object({
  seriesId,
  email: z.string().trim().min(1, "Enter an email address.").max(254, "That address is too long."),
  reason: z.string().trim().max(MAX_REASON_LENGTH, `Use at most ${MAX_REASON_LENGTH} characters.`).optional().nullable(),
});

export async function excludeAddressAction(input: z.input<typeof excludeSchema>) {
  return runAction(excludeSchema, input, async ({ db, actor }, data) => {
    const result = await excludeAddress(db, actor, data);
    revalidatePath(`/series/${data.seriesId}/audience`);
    return result;
  });
}

const liftSchema = z.object({ seriesId, email: z.string().trim().min(1).max(254) });

export async function liftExclusionAction(input: z.input<typeof liftSchema>) {
  return runAction(liftSchema, input, async ({ db, actor }, data) => {
    const result = await liftExclusion(db, actor, data);
    revalidatePath(`/series/${data.seriesId}/audience`);
    return result;
  });
}

const excludeGroupSchema = z.object({
  seriesId,
  groupName: z.string().trim().min(1, "Enter a group's name.").max(256, "That name is too long."),
  reason: z.string().trim().max(MAX_REASON_LENGTH, `Use at most ${MAX_REASON_LENGTH} characters.`).optional().nullable(),
});

/** "Exclude members of a group": the group's listing is queued and a worker started for it. */
export async function excludeGroupAction(input: z.input<typeof excludeGroupSchema>) {
  return runAction(excludeGroupSchema, input, async ({ db, actor }, data) => {
    const result = await excludeGroupByName(db, actor, data);
    // The group's listing starts right after the response, as the directory dialog's syncs do; the cron finishes it otherwise.
    after(() => runQueuedWork(db, { budgetMs: 50_000 }).then(() => undefined, (error) => logError("group exclusion listing after an editor's request", error)));
    revalidatePath(`/series/${data.seriesId}/audience`);
    return result;
  });
}

const liftGroupSchema = z.object({ seriesId, exclusionId: z.string().uuid("Unknown group exclusion.") });

export async function liftGroupExclusionAction(input: z.input<typeof liftGroupSchema>) {
  return runAction(liftGroupSchema, input, async ({ db, actor }, data) => {
    const result = await liftGroupExclusion(db, actor, data);
    revalidatePath(`/series/${data.seriesId}/audience`);
    return result;
  });
}
