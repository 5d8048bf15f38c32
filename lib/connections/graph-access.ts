import "server-only";
import type { Executor } from "@/db/client";
import { and, eq, isNull } from "drizzle-orm";
import { directoryGroups, type directoryConnections } from "@/db/schema";
import type { DirectoryProvider, DirectorySession, SessionOptions } from "@/lib/directory/provider";
import { providerForConnection, providerSettingsOf } from "@/lib/directory/registry";
import type { DirectoryConnectionConfig, VerificationResult } from "@/lib/directory/types";
import { notFound } from "@/lib/errors";
import { processTenantGateFor } from "@/lib/sync/tenant-gate";
import { loadConnection } from "./access";
import { connectionCredential } from "./credential-config";

type ConnectionRow = typeof directoryConnections.$inferSelect;

/**
 * Where a stored credential is opened (credential-config.ts unseals it): the value goes straight into the
 * credential and is never returned, logged or stored anywhere else. Callers authorize before they get here.
 */
function configOf(db: Executor, connection: ConnectionRow): DirectoryConnectionConfig {
  return {
    tenantId: connection.tenantId,
    clientId: connection.clientId,
    cloud: connection.cloud,
    graphHost: connection.msgraphHost,
    settings: providerSettingsOf(connection),
    ...connectionCredential(db, connection),
  };
}

/**
 * A session on a stored connection's directory, opened by the connection's provider. `opts` may be computed
 * from the provider (its default retry policy, say).
 */
export async function graphForConnection(
  db: Executor,
  connectionId: string,
  opts?: SessionOptions | ((provider: DirectoryProvider) => SessionOptions),
): Promise<{ graph: DirectorySession; provider: DirectoryProvider; connection: ConnectionRow }> {
  const loaded = await loadConnection(db, connectionId);
  if (!loaded) throw notFound("That directory connection");
  const provider = providerForConnection(loaded.row);
  const options = typeof opts === "function" ? opts(provider) : opts;
  // One credential per connection and secret, reused across sessions and jobs: one token an hour, not one per
  // job. Verification (below) signs in afresh, so newly granted consent shows at once.
  // The tenant's in-flight cap and Retry-After pause live in the database, shared by every process
  // (docs/adr/0007-shared-tenant-throttling.md); a caller may still pass its own gate.
  const gate = options?.gate ?? processTenantGateFor(db);
  return {
    graph: provider.open(configOf(db, loaded.row), { credentialKey: `connection:${loaded.row.id}`, ...options, gate }),
    provider,
    connection: loaded.row,
  };
}

/**
 * Verifies a stored connection with its stored secret. Offering the whole directory, it also checks
 * Member.Read.Hidden on a group with hidden membership its catalog holds, if any.
 */
export async function verifyStoredConnection(db: Executor, connection: ConnectionRow): Promise<VerificationResult> {
  const hidden =
    connection.groupObjectIds.length === 0
      ? await db
          .select({ objectId: directoryGroups.objectId })
          .from(directoryGroups)
          .where(and(eq(directoryGroups.connectionId, connection.id), eq(directoryGroups.visibility, "HiddenMembership"), isNull(directoryGroups.deletedAt)))
          .limit(1)
      : [];
  return providerForConnection(connection).verify(configOf(db, connection), {
    hiddenMembershipGroupId: hidden[0]?.objectId,
    groupObjectIds: connection.groupObjectIds,
    syncContacts: connection.syncContacts,
    secretExpiresOn: connection.secretExpiresOn ?? undefined,
    secretId: connection.secretId ?? undefined,
  });
}
