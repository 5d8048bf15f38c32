/**
 * The directory-provider seam (docs/adr/0016-directory-provider-seam.md): what the sync engine, connections,
 * the "why" lookup and the UI may ask of a directory. Microsoft Entra ID (lib/directory/entra/provider.ts) is the
 * first implementation; lib/directory/registry.ts hands out the provider of a connection, and is the only file
 * outside lib/directory/entra that imports it (enforced by `npm run lint`).
 *
 * A provider knows nothing of storage: it takes the unsealed credential and the settings it needs as arguments.
 */
import type { z } from "zod";
import type { DirectoryProviderValue } from "@/db/schema";
import type { GraphChange, MembershipGraph } from "@/lib/directory/membership-graph";
import type {
  Cloud,
  DeltaCursor,
  Diagnosis,
  DiagnosisContext,
  DirectoryCallStats,
  DirectoryConnectionConfig,
  DirectoryGroupRecord,
  DirectoryPerson,
  FailureClass,
  GroupKind,
  MemberCursor,
  MemberPageRead,
  MemberStream,
  RetryPolicy,
  TenantGate,
  VerificationOptions,
  VerificationResult,
} from "./types";

/** The providers Roster knows: directory_connections.provider's pgEnum. */
export type DirectoryProviderKind = DirectoryProviderValue;

export interface SessionOptions {
  /** Cap on this tenant's requests in flight, across every session that shares the gate. */
  maxInFlight?: number;
  /** Overrides of the provider's default retry policy (e.g. a worker bounding how long one Retry-After may make it sleep). */
  retryPolicy?: Partial<RetryPolicy>;
  /**
   * How long a request may go without progress (no response head yet, or no body bytes since the last ones)
   * before it is abandoned and retried like a failed one (the Graph client itself sets no timeout at all).
   */
  idleTimeoutMs?: number;
  /** Where the tenant's in-flight cap and Retry-After pause live; by default this process's memory only. */
  gate?: TenantGate;
  /** Background work says "low", so the directory throttles it first (Graph: `x-ms-throttle-priority`). */
  priority?: "low" | "normal" | "high";
  /**
   * Reuse the credential (and so its token, valid about an hour) of earlier sessions opened with this key and
   * the same secret; a rotated secret gets a new one. Without a key every session signs in afresh, which is
   * what verification wants: a new token shows newly consented permissions at once.
   */
  credentialKey?: string;
}

/** What a sync source lists: one group, or (groupObjectId null) the whole directory. */
export interface MemberSource {
  groupObjectId: string | null;
  syncContacts: boolean;
  hiddenMembership?: boolean;
}

export interface DeltaRound {
  /** Every change of the round, in order, ready for MembershipGraph.apply (which must not have seen them). */
  changes: GraphChange[];
  cursor: DeltaCursor;
  /** Groups newly nested under a source and read whole during the round. */
  newGroups: string[];
}

/**
 * Change tracking, for providers that have it: one round from a saved cursor, or a full read that seeds the
 * membership graph and a new cursor. A round that fails throws; the caller keeps its previous cursor and graph.
 * A cursor the directory no longer accepts ends the round with an error `classify` reports as `resyncRequired`.
 */
export interface IncrementalReads {
  readRound(known: MembershipGraph, cursor: DeltaCursor, opts: { contacts: boolean; maxPageSize?: number }): Promise<DeltaRound>;
  seed(into: MembershipGraph, sourceGroupIds: string[], opts: { contacts: boolean }): Promise<DeltaCursor>;
}

/** One connection's open session: every read goes through the provider's retry policy and the tenant's gate. */
export interface DirectorySession {
  /** The provider that opened it: the engine asks it about the session's failures (`classify`). */
  readonly provider: DirectoryProvider;
  readonly stats: DirectoryCallStats;
  /** The permissions the directory says the application holds (Entra: the access token's `roles` claim). */
  grantedPermissions(): Promise<string[]>;
  /** Every group of the directory. */
  iterateGroups(): AsyncIterable<DirectoryGroupRecord>;
  /** The groups with these ids; an id not returned is not in the directory. */
  getGroupsByIds(ids: string[]): Promise<DirectoryGroupRecord[]>;
  /** One group; null when the directory has none with this id. */
  getGroup(id: string): Promise<DirectoryGroupRecord | null>;
  /**
   * Requests one member page (`cursor` null: the stream's first) and resolves once its answer has begun to
   * arrive. A cursor made for another stream, or one the directory refuses, rejects with an error `classify`
   * reports as `rejectedCursor`. Aborting `signal` abandons the request, its retries and any wait between them.
   */
  startMemberPage(stream: MemberStream | undefined, cursor: MemberCursor | null, signal?: AbortSignal): Promise<MemberPageRead>;
  /** The user or contact with this address, with its groups; null when the directory has none. */
  findPerson(address: string): Promise<DirectoryPerson | null>;
  incremental?: IncrementalReads;
}

/** What discovering a directory by its id or one of its domains answers. */
export type DirectoryDiscovery = { ok: true; tenantId: string | null; graphHost: string | null } | { ok: false; diagnosis: Diagnosis };

export interface DirectoryProvider {
  readonly kind: DirectoryProviderKind;
  /** The provider's name, as people read it. */
  readonly label: string;
  /** The provider-specific, non-secret settings of a connection (directory_connections.provider_config). */
  readonly configSchema: z.ZodType<Record<string, unknown>>;
  /** The default cap on a tenant's requests in flight; the worker runs as many jobs side by side. */
  readonly defaultMaxInFlight: number;
  readonly defaultRetryPolicy: RetryPolicy;
  /** The permissions the connection guide asks for, and the one syncing contacts adds (null: none). */
  readonly requiredPermissions: readonly string[];
  readonly contactsPermission: string | null;

  open(config: DirectoryConnectionConfig, options?: SessionOptions): DirectorySession;
  /** The wizard's and the connection page's checklist: every line passes or fails with its cause and fix. */
  verify(config: DirectoryConnectionConfig, options: VerificationOptions): Promise<VerificationResult>;
  /** Whether the group catalog can be read after this verification. */
  canReadGroups(result: VerificationResult): boolean;
  /** Finds the directory behind an id or domain in a cloud. */
  discover(directory: string, cloud: Cloud): Promise<DirectoryDiscovery>;
  /** Any failure of reaching the directory, as what an admin should do. */
  diagnose(error: unknown, context?: DiagnosisContext): Diagnosis;
  /** What the sync engine needs to know of a failure (`cursor`: the page cursor the failed read started from). */
  classify(error: unknown, cursor?: MemberCursor | null): FailureClass;
  groupKind(group: DirectoryGroupRecord): GroupKind;
  /** The streams a source walks, in order. */
  streamsFor(source: MemberSource): MemberStream[];
}
