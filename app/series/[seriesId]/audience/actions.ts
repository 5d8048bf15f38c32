"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction } from "@/lib/action";
import { addManualRecipient, removeManualRecipient } from "@/lib/audience/manual";

const seriesId = z.string().uuid("Unknown series.");

const addSchema = z.object({
  seriesId,
  email: z.string().trim().min(1, "Enter an email address.").max(254, "That address is too long."),
  name: z.string().trim().max(200, "Use at most 200 characters.").optional().nullable(),
});

export async function addRecipientAction(input: z.input<typeof addSchema>) {
  return runAction(addSchema, input, async ({ db, actor }, data) => {
    const result = await addManualRecipient(db, actor, data);
    revalidatePath(`/series/${data.seriesId}/audience`);
    return result;
  });
}

const removeSchema = z.object({ seriesId, email: z.string().trim().min(1).max(254) });

export async function removeRecipientAction(input: z.input<typeof removeSchema>) {
  return runAction(removeSchema, input, async ({ db, actor }, data) => {
    const result = await removeManualRecipient(db, actor, data);
    revalidatePath(`/series/${data.seriesId}/audience`);
    return result;
  });
}
