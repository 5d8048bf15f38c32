/**
 * What lib/graph needs to reach a tenant. lib/graph knows nothing of storage: callers unseal the secret and
 * pass it in, and nothing here keeps it beyond the credential object.
 */
export type Cloud = "global" | "usgov";

export interface GraphConnectionConfig {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  cloud: Cloud;
}

/** Counters a sync run records in its ledger. */
export interface GraphCallStats {
  requests: number;
  retries: number;
  throttleWaitMs: number;
}
