"use server";
import { z } from "zod";
import { runAction } from "@/lib/action";
import { updateAlertSettings } from "@/lib/alerts/settings";

const alertSettingsInput = z.object({ connectionId: z.string().max(64), enabledKinds: z.array(z.string().max(40)).max(20) });

export async function updateAlertSettingsAction(input: unknown) {
  return runAction(alertSettingsInput, input, ({ db, actor }, data) => updateAlertSettings(db, actor, data));
}
