"use server";
import { z } from "zod";
import { runAction } from "@/lib/action";
import { requireAdminArea } from "@/lib/auth/admin-area";
import { createConnection, verifyConnectionDraft } from "@/lib/connections/create";
import { createConnectionInput, credentialsInput } from "@/lib/connections/input-schemas";
import { sandboxPreset } from "@/lib/connections/sandbox-preset";

export async function verifyConnectionDraftAction(input: unknown) {
  return runAction(credentialsInput, input, ({ db, actor }, data) => verifyConnectionDraft(db, actor, data));
}

export async function createConnectionAction(input: unknown) {
  return runAction(createConnectionInput, input, ({ db, actor }, data) => createConnection(db, actor, data));
}

/** Development only (refuses otherwise): the demo tenant's public demo credentials, for admins. */
export async function sandboxPresetAction(input: unknown) {
  return runAction(z.object({}), input ?? {}, async ({ actor }) => {
    requireAdminArea(actor);
    return sandboxPreset();
  });
}
