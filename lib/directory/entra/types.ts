import type { DirectoryCallStats, DirectoryConnectionConfig } from "@/lib/directory/types";

/**
 * What lib/directory/entra needs to reach a tenant. lib/directory/entra knows nothing of storage: callers unseal the secret and
 * pass it in, and nothing here keeps it beyond the credential object.
 */
export type { AssertionCredentialConfig, Cloud, Diagnosis } from "@/lib/directory/types";

/** A connection's config as the Entra implementation reads it: the neutral one (lib/directory/types.ts). */
export type GraphConnectionConfig = DirectoryConnectionConfig;

/** Counters a sync run records in its ledger. */
export type GraphCallStats = DirectoryCallStats;

/** A Graph session for one connection: every call goes through one retry policy and the tenant's in-flight cap. */
/**
 * Per-request options: extra headers, and a signal with which a caller that gave up stops the request, its
 * retries and any wait between them (the promise then rejects with the signal's reason).
 */
export interface GraphRequestInit {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface GraphSession {
  /** A path under the version (`/groups?$top=999`) or an absolute `@odata.nextLink`, followed whole. */
  get<T>(pathOrAbsoluteUrl: string, init?: GraphRequestInit): Promise<T>;
  /** A collection page read as it arrives: its nextLink as soon as Graph has sent it, then the whole page. */
  getListPage<T>(pathOrAbsoluteUrl: string, init?: GraphRequestInit): Promise<ListPageRead<T>>;
  stats: GraphCallStats;
  /** The application permissions in the access token's `roles` claim. */
  tokenRoles(): Promise<string[]>;
}

/**
 * A collection page whose response has begun to arrive. `nextLink` resolves as soon as it is known: from the
 * first bytes when Graph sends @odata.nextLink before "value" (as it does), else once the body is in.
 * `page` resolves with the whole page. Both reject if the body breaks off or is not JSON.
 */
export interface ListPageRead<T> {
  nextLink: Promise<string | null>;
  page: Promise<T>;
}

/** One page of a Graph collection. */
export interface GraphPage<T> {
  value: T[];
  "@odata.nextLink"?: string;
  "@odata.count"?: number;
}
