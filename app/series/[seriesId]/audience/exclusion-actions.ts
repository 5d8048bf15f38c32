"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction } from "@/lib/action";
import { excludeAddress, liftExclusion, MAX_REASON_LENGTH } from "@/lib/audience/exclusions";

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
