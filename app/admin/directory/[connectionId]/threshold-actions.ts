"use server";
import { z } from "zod";
import { runAction } from "@/lib/action";
import { updateConnectionThreshold } from "@/lib/connections/thresholds";

// The figures arrive as typed; lib/connections/thresholds.ts says what is wrong with each.
const thresholdInput = z.object({
  connectionId: z.string().max(64),
  sharePercent: z.union([z.string().max(20), z.number()]),
  minRemovals: z.union([z.string().max(20), z.number()]),
});

export async function updateThresholdAction(input: unknown) {
  return runAction(thresholdInput, input, ({ db, actor }, data) => updateConnectionThreshold(db, actor, data));
}
