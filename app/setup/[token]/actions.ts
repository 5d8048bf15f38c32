"use server";
import { createConnectionInput, credentialsInput, prepareWizardCredentialInput, rotateSecretInput } from "@/lib/connections/input-schemas";
import { runSetupAction } from "@/lib/setup-links/action";
import { completeSetupCreate, prepareSetupCredential, rotateViaSetupLink, verifySetupDraft } from "@/lib/setup-links/complete";

// Each takes the link's token first (bound on the page); nothing here reads the session.

export async function verifySetupDraftAction(token: string, input: unknown) {
  return runSetupAction(token, credentialsInput, input, (db, ctx, data) => verifySetupDraft(db, ctx, data));
}

export async function prepareSetupCredentialAction(token: string, input: unknown) {
  return runSetupAction(token, prepareWizardCredentialInput, input, (db, ctx, data) => prepareSetupCredential(db, ctx, data));
}

export async function completeSetupAction(token: string, input: unknown) {
  return runSetupAction(token, createConnectionInput, input, (db, ctx, data) => completeSetupCreate(db, ctx, data));
}

export async function rotateViaSetupLinkAction(token: string, input: unknown) {
  return runSetupAction(token, rotateSecretInput, input, (db, ctx, data) => rotateViaSetupLink(db, ctx, data));
}
