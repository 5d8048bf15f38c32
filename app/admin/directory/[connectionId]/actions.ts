"use server";
import { runAction } from "@/lib/action";
import { deleteConnection } from "@/lib/connections/delete";
import { connectionIdInput, rotateSecretInput, updateOptionsInput } from "@/lib/connections/input-schemas";
import { updateConnectionOptions } from "@/lib/connections/options";
import { refreshConnectionGroups } from "@/lib/connections/queries";
import { rotateSecret } from "@/lib/connections/rotate";
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
