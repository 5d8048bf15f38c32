/**
 * What lib/directory/entra needs to reach a tenant. lib/directory/entra knows nothing of storage: callers unseal the secret and
 * pass it in, and nothing here keeps it beyond the credential object.
 */
export type Cloud = "global" | "usgov";

export interface GraphConnectionConfig {
  tenantId: string;
  clientId: string;
  /** The client secret's value; empty when `credential` says the connection signs in otherwise. */
  clientSecret: string;
  /** A certificate or federated credential instead of the client secret (credential.ts). */
  credential?: AssertionCredentialConfig;
  cloud: Cloud;
  /**
   * Microsoft Graph's host for this tenant, from `msgraph_host` in its openid-configuration (saved at
   * verification): graph.microsoft.com, graph.microsoft.us or dod-graph.microsoft.us. Absent for connections
   * verified before it was saved: the cloud's default host is used.
   */
  graphHost?: string | null;
}

/**
 * Credentials that sign a client assertion instead of sending a secret. A certificate's private key comes
 * unsealed from the caller and lives only in the credential object; a federated assertion is signed on demand
 * by `getAssertion` (Roster's own issuer), so no key is held here at all.
 */
export type AssertionCredentialConfig =
  | { kind: "certificate"; certificatePem: string; privateKeyPem: string; thumbprint: string }
  | { kind: "federated"; issuer: string; subject: string; getAssertion: () => Promise<string> };

/** Counters a sync run records in its ledger. */
export interface GraphCallStats {
  requests: number;
  retries: number;
  throttleWaitMs: number;
}

/** A Graph session for one connection: every call goes through one retry policy and the tenant's in-flight cap. */
export interface GraphSession {
  /** A path under the version (`/groups?$top=999`) or an absolute `@odata.nextLink`, followed whole. */
  get<T>(pathOrAbsoluteUrl: string, init?: { headers?: Record<string, string> }): Promise<T>;
  /** A collection page read as it arrives: its nextLink as soon as Graph has sent it, then the whole page. */
  getListPage<T>(pathOrAbsoluteUrl: string, init?: { headers?: Record<string, string> }): Promise<ListPageRead<T>>;
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

/** Graph's diagnosis of a failure, in words an admin can act on. */
export type Diagnosis = {
  code: string;
  title: string;
  fix: string;
  /** The raw Entra or Graph text, for support, shown behind "Details". */
  details?: string;
};
