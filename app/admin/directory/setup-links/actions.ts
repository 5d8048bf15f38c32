"use server";
import { z } from "zod";
import { runAction } from "@/lib/action";
import { createSetupLink } from "@/lib/setup-links/create";
import { revokeSetupLink } from "@/lib/setup-links/manage";

const createSetupLinkInput = z.object({
  purpose: z.enum(["create", "rotate"]),
  organizationId: z.string().max(64).optional(),
  connectionId: z.string().max(64).optional(),
  contactName: z.string().max(200, "Keep this under 200 characters."),
  contactEmail: z.string().max(254, "Keep this under 254 characters."),
});

export async function createSetupLinkAction(input: unknown) {
  return runAction(createSetupLinkInput, input, ({ db, actor }, data) => createSetupLink(db, actor, data));
}

export async function revokeSetupLinkAction(input: unknown) {
  return runAction(z.object({ linkId: z.string().max(64) }), input, ({ db, actor }, data) => revokeSetupLink(db, actor, data.linkId));
}
