/**
 * Microsoft Entra ID behind the directory-provider seam (lib/directory/provider.ts,
 * docs/adr/0016-directory-provider-seam.md): the interface, made of this folder's modules. Nothing here is new
 * behaviour; each member delegates to the module that did the work before the seam.
 */
import { z } from "zod";
import type { DirectoryProvider, DirectorySession } from "@/lib/directory/provider";
import type { DeltaCursor as OpaqueDeltaCursor, DirectoryConnectionConfig, FailureClass } from "@/lib/directory/types";
import { cloudEndpoints } from "./cloud";
import { openGraph, type OpenGraphOptions } from "./client";
import { DeltaResyncRequired, readDeltaRound, seedFromDirectory, type DeltaCursor } from "./delta";
import { diagnose } from "./diagnose";
import { discoverTenant } from "./discovery";
import { GraphRequestError } from "./errors";
import { getGroup, getGroupsByIds, groupKind, iterateGroups } from "./groups";
import { DEFAULT_MAX_IN_FLIGHT } from "./in-flight";
import { isRejectedCursor, startMemberPage, streamsFor } from "./members";
import { findDirectoryPerson } from "./person";
import { defaultRetryPolicy, isThrottling, isTransient } from "./retry";
import type { GraphSession } from "./types";
import { canReadGroups, CONTACTS_PERMISSION, REQUIRED_PERMISSIONS, verifyDirectoryAccess } from "./verify";

/**
 * Entra's provider-specific settings (directory_connections.provider_config). None yet: the cloud and the
 * tenant's Graph host predate the column and keep their own columns (cloud, msgraph_host).
 */
export const entraConfigSchema = z.object({}).strict();
export type EntraProviderConfig = z.infer<typeof entraConfigSchema>;

/** The token endpoint names the tenant's id: https://login.microsoftonline.com/{tenant id}/oauth2/v2.0/token. */
const GUID_IN_PATH = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\//i;

/**
 * A Graph session seen through the seam. Exported for tests that drive the sync engine with a Graph-shaped
 * fake (test/support/factories.ts); the product opens sessions with `entraProvider.open`.
 */
export function directorySessionOf(graph: GraphSession): DirectorySession {
  return {
    provider: entraProvider,
    get stats() {
      return graph.stats;
    },
    grantedPermissions: () => graph.tokenRoles(),
    iterateGroups: () => iterateGroups(graph),
    getGroupsByIds: (ids) => getGroupsByIds(graph, ids),
    getGroup: (id) => getGroup(graph, id),
    startMemberPage: (stream, cursor, signal) => startMemberPage(graph, stream, cursor, signal),
    findPerson: (address) => findDirectoryPerson(graph, address),
    incremental: {
      readRound: (known, cursor, opts) => readDeltaRound(graph, known, cursor as DeltaCursor, opts),
      seed: (into, sourceGroupIds, opts) => seedFromDirectory(graph, into, sourceGroupIds, opts) as Promise<OpaqueDeltaCursor>,
    },
  };
}

/**
 * A GraphRequestError read for the engine (errors.ts, retry.ts, members.ts, delta.ts decide each answer); a delta
 * round that ended with DeltaResyncRequired reports only that. Anything else (a refused sign-in, a discovery
 * failure, a bug) is no request failure: the diagnosis tells it apart.
 */
function classify(error: unknown, cursor: string | null = null): FailureClass {
  const none: FailureClass = { request: false, transient: false, rejectedCursor: false, resyncRequired: null, notFound: false, forbidden: false, unauthorized: false };
  if (error instanceof DeltaResyncRequired) return { ...none, resyncRequired: error.reason };
  if (!(error instanceof GraphRequestError)) return none;
  return {
    request: true,
    transient: isTransient(error),
    retryAfterMs: isThrottling(error.status) ? error.retryAfterMs : undefined,
    rejectedCursor: isRejectedCursor(error, cursor),
    // Only a delta round's own verdict (DeltaResyncRequired, above): a 410 elsewhere is no change-tracking state.
    resyncRequired: null,
    notFound: error.status === 404,
    forbidden: error.status === 403,
    unauthorized: error.status === 401,
    message: error.message,
  };
}

export const entraProvider: DirectoryProvider = {
  kind: "entra",
  label: "Microsoft Entra ID",
  configSchema: entraConfigSchema,
  defaultMaxInFlight: DEFAULT_MAX_IN_FLIGHT,
  defaultRetryPolicy,
  requiredPermissions: REQUIRED_PERMISSIONS,
  contactsPermission: CONTACTS_PERMISSION,
  open: (config: DirectoryConnectionConfig, options?: OpenGraphOptions) => directorySessionOf(openGraph(config, options)),
  verify: verifyDirectoryAccess,
  canReadGroups,
  async discover(directory, cloud) {
    const discovery = await discoverTenant(directory, cloudEndpoints(cloud));
    if (!discovery.ok) return { ok: false, diagnosis: diagnose(discovery.error) };
    const id = discovery.tokenEndpoint?.match(GUID_IN_PATH)?.[1];
    return { ok: true, tenantId: id ? id.toLowerCase() : null, graphHost: discovery.graphHost ?? null };
  },
  diagnose,
  classify,
  groupKind,
  streamsFor,
};
