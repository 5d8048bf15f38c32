"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction } from "@/lib/action";
import { previewImportRemoval, removeImport } from "@/lib/audience/csv-sources";

const schema = z.object({ seriesId: z.string().uuid("Unknown series."), sourceId: z.string().uuid("Unknown import.") });

export async function previewImportRemovalAction(input: z.input<typeof schema>) {
  return runAction(schema, input, ({ db, actor }, data) => previewImportRemoval(db, actor, data));
}

export async function removeImportAction(input: z.input<typeof schema>) {
  return runAction(schema, input, async ({ db, actor }, data) => {
    const result = await removeImport(db, actor, data);
    revalidatePath(`/series/${data.seriesId}/audience`);
    return result;
  });
}
