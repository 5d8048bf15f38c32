"use server";
import { runAction } from "@/lib/action";
import { deleteConnection } from "@/lib/connections/delete";
import { connectionIdInput, prepareCertificateInput, rotateSecretInput, switchCredentialInput, updateOptionsInput } from "@/lib/connections/input-schemas";
import { updateConnectionOptions } from "@/lib/connections/options";
import { refreshConnectionGroups } from "@/lib/connections/queries";
import { rotateSecret } from "@/lib/connections/rotate";
import { prepareCertificate, switchCredential } from "@/lib/connections/switch-credential";
import { verifyConnection } from "@/lib/connections/verify";

export async function verifyConnectionAction(input: unknown) {
  return runAction(connectionIdInput, input, ({ db, actor }, data) => verifyConnection(db, actor, data.connectionId));
}

export async function refreshGroupsAction(input: unknown) {
  return runAction(connectionIdInput, input, ({ db, actor }, data) => refreshConnectionGroups(db, actor, data.connectionId));
}

export async function rotateSecretAction(input: unknown) {
  return runAction(rotateSecretInput, input, ({ db, actor }, data) => rotateSecret(db, actor, data));
}

export async function updateConnectionOptionsAction(input: unknown) {
  return runAction(updateOptionsInput, input, ({ db, actor }, data) => updateConnectionOptions(db, actor, data));
}

export async function deleteConnectionAction(input: unknown) {
  return runAction(connectionIdInput, input, ({ db, actor }, data) => deleteConnection(db, actor, data));
}

/** Makes the next certificate; the result carries the public certificate and thumbprint only. */
export async function prepareCertificateAction(input: unknown) {
  return runAction(prepareCertificateInput, input, ({ db, actor }, data) => prepareCertificate(db, actor, data));
}

export async function switchCredentialAction(input: unknown) {
  return runAction(switchCredentialInput, input, ({ db, actor }, data) => switchCredential(db, actor, data));
}
