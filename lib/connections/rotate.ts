import "server-only";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { directoryConnections } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { connectionSecretAad, sealSecret } from "@/lib/crypto/seal";
import { invalidInput } from "@/lib/errors";
import { providerForConnection } from "@/lib/directory/registry";
import { asUser, requireAdminOfEveryServed, requireConnectionAdmin } from "./access";
import { recordConnectionAudit } from "./audit";
import { refreshCatalogQuietly, secretHintOf } from "./create";
import { fieldsNeedAttention, validateSecret } from "./validation";
import { healthOf, summarizeVerification, verificationColumns, type VerificationSummary } from "./verification";

export type RotateSecretResult =
  /** secretId is the secret Roster now uses; previousSecretId the one it no longer uses, which can be deleted in Azure. */
  | { rotated: true; secretId: string; previousSecretId: string | null; verification: VerificationSummary }
  | { rotated: false; verification: VerificationSummary };

/**
 * Replaces a connection's client secret, but only with one that works: the new secret must sign in before it
 * replaces the old, so a typo during rotation cannot break a working connection.
 */
export async function rotateSecret(
  db: Executor,
  actor: Actor | null,
  input: { connectionId: string; secretId?: unknown; secretValue?: unknown; secretExpiresOn?: unknown },
): Promise<RotateSecretResult> {
  const by = asUser(actor);
  const loaded = await requireConnectionAdmin(db, by, input.connectionId);
  requireAdminOfEveryServed(by, loaded, "rotate its secret");
  const { row, organizations } = loaded;
  const secret = validateSecret(input);
  if (!secret.ok) throw invalidInput(fieldsNeedAttention(secret.fields), secret.fields);
  const result = await providerForConnection(row).verify(
    { tenantId: row.tenantId, clientId: row.clientId, cloud: row.cloud, clientSecret: secret.value.secretValue },
    { groupObjectIds: row.groupObjectIds, syncContacts: row.syncContacts, secretExpiresOn: secret.value.secretExpiresOn, secretId: secret.value.secretId },
  );
  const verification = summarizeVerification(result);
  if (!result.credentialsOk) return { rotated: false, verification };

  const sealed = sealSecret(secret.value.secretValue, connectionSecretAad(row.id));
  const health = healthOf(result);
  await db.transaction(async (tx) => {
    await tx
      .update(directoryConnections)
      .set({
        secretId: secret.value.secretId,
        secretHint: secretHintOf(secret.value.secretValue),
        secretSealed: sealed.sealed,
        secretKeyId: sealed.keyId,
        secretExpiresOn: secret.value.secretExpiresOn,
        // A verified new secret is the credential from now on, whatever the connection used before.
        credentialKind: "secret",
        secretRetiredAt: null,
        ...verificationColumns(result, row.status),
        updatedAt: new Date(),
      })
      .where(eq(directoryConnections.id, row.id));
    await recordConnectionAudit(tx, by, "connection.rotate_secret", row.id, organizations.map((o) => o.id), {
      previousSecretId: row.secretId,
      secretId: secret.value.secretId,
      secretExpiresOn: secret.value.secretExpiresOn,
      health,
    });
  });
  if (result.ok) await refreshCatalogQuietly(db, row.id);
  return { rotated: true, secretId: secret.value.secretId, previousSecretId: row.secretId, verification };
}
