"use server";
import { z } from "zod";
import { runAction } from "@/lib/action";
import { requireAdminArea } from "@/lib/auth/admin-area";
import { createConnection, verifyConnectionDraft } from "@/lib/connections/create";
import { createConnectionInput, credentialsInput, prepareWizardCredentialInput } from "@/lib/connections/input-schemas";
import { prepareWizardCredential } from "@/lib/connections/pending-credential";
import { sandboxPreset } from "@/lib/connections/sandbox-preset";

export async function verifyConnectionDraftAction(input: unknown) {
  return runAction(credentialsInput, input, ({ db, actor }, data) => verifyConnectionDraft(db, actor, data));
}

export async function createConnectionAction(input: unknown) {
  return runAction(createConnectionInput, input, ({ db, actor }, data) => createConnection(db, actor, data));
}

/** The federated values (and, when asked, the certificate) for the connection being set up; public parts only. */
export async function prepareWizardCredentialAction(input: unknown) {
  return runAction(prepareWizardCredentialInput, input, ({ db, actor }, data) => prepareWizardCredential(db, actor, data));
}

/** Development only (refuses otherwise): the demo tenant's public demo credentials, for admins. */
export async function sandboxPresetAction(input: unknown) {
  return runAction(z.object({}), input ?? {}, async ({ actor }) => {
    requireAdminArea(actor);
    return sandboxPreset();
  });
}
