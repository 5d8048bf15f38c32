/**
 * The directory's words, shared by every directory provider and by the product that talks to one through
 * lib/directory/provider.ts (docs/adr/0016-directory-provider-seam.md). Nothing here is Microsoft's: a
 * provider maps its own answers onto these shapes. Types only, no behaviour, no storage.
 */

// ── Connecting ───────────────────────────────────────────────────────────────

/** The national cloud a connection's directory lives in (directory_connections.cloud). */
export type Cloud = "global" | "usgov";

/**
 * Credentials that sign a client assertion instead of sending a secret. A certificate's private key comes
 * unsealed from the caller and lives only in the credential object; a federated assertion is signed on demand
 * by `getAssertion` (Roster's own issuer), so no key is held here at all.
 */
export type AssertionCredentialConfig =
  | { kind: "certificate"; certificatePem: string; privateKeyPem: string; thumbprint: string }
  | { kind: "federated"; issuer: string; subject: string; getAssertion: () => Promise<string> };

/**
 * How a stored connection signs in (lib/connections/credential-config.ts builds it from the sealed columns):
 * a client secret's value, or, with `clientSecret` empty, a certificate or federated credential.
 */
export interface DirectoryCredentialConfig {
  /** The client secret's value; empty when `credential` says the connection signs in otherwise. */
  clientSecret: string;
  /** A certificate or federated credential instead of the client secret. */
  credential?: AssertionCredentialConfig;
}

/**
 * Everything a provider needs to reach one connection's directory. The provider knows nothing of storage:
 * callers unseal the secret and pass it in, and nothing keeps it beyond the credential object.
 */
export interface DirectoryConnectionConfig extends DirectoryCredentialConfig {
  /** The directory's id (Entra: the Directory (tenant) ID). */
  tenantId: string;
  /** The application's id (Entra: the Application (client) ID). */
  clientId: string;
  cloud: Cloud;
  /**
   * The directory API's host for this tenant as discovered at verification (Entra: `msgraph_host`, e.g.
   * graph.microsoft.com, graph.microsoft.us or dod-graph.microsoft.us). Absent until verified: the cloud's
   * default host is used.
   */
  graphHost?: string | null;
  /** The provider's own non-secret settings (directory_connections.provider_config), checked by its configSchema. */
  settings?: Record<string, unknown>;
}

/**
 * What the diagnosis of a refused client assertion knows about the credential that signed it, so the fix can
 * name the exact value to enter. Never a key: the issuer, subject and thumbprint are public.
 */
export interface CredentialContext {
  kind: "secret" | "certificate" | "federated";
  issuer?: string;
  subject?: string;
  thumbprint?: string;
}

/**
 * Roster's one retry policy for a directory's requests (docs/adr/0002-one-retry-layer.md): throttling answers
 * wait what Retry-After asks, other transient failures back off with jitter, attempts are bounded.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out in-process: the caller reschedules instead. */
  maxRetryAfterMs: number;
}

// ── Explaining ───────────────────────────────────────────────────────────────

/** A failure explained for people, in words an admin can act on. */
export type Diagnosis = {
  code: string;
  title: string;
  fix: string;
  /** The directory's raw text, for support, shown behind "Details". */
  details?: string;
};

/** What the caller knows that turns an error into an exact fix. */
export interface DiagnosisContext {
  /** The permission the failed call needed. */
  permission?: string;
  /** The stored secret's expiry (YYYY-MM-DD), for the expired-secret fix. */
  secretExpiresOn?: string;
  /** The secret value entered equals or looks like the Secret ID. */
  secretLooksLikeSecretId?: boolean;
  /** The group a failed call was about. */
  groupObjectId?: string;
  cloud?: Cloud;
  /** The credential that signed in, for the fixes of assertion refusals. */
  credential?: CredentialContext;
}

/**
 * What the sync engine needs to know of a failure, without reading the provider's error type: whether to retry
 * it later, whether the saved page cursor was refused, whether change tracking must start over.
 */
export interface FailureClass {
  /** The failure is a request the directory's API failed (an answer, or none), not a sign-in or anything else. */
  request: boolean;
  /** The provider's retry policy would retry this (throttling, a 5xx, no response, a broken page). */
  transient: boolean;
  /** A throttling answer that said how long to wait (Retry-After), in ms. */
  retryAfterMs?: number;
  /** The saved page cursor is no longer accepted: the listing must start over from its first page. */
  rejectedCursor: boolean;
  /** The saved change-tracking state is no longer accepted: a full enumeration must seed it again. */
  resyncRequired: "expired" | "reset" | null;
  /** The thing asked for does not exist (deleted, or never existed). */
  notFound: boolean;
  /** The directory refused the read (a permission, or a group hiding its membership). */
  forbidden: boolean;
  /** The directory refused the connection's credential or token itself: the connection's failure, not a group's. */
  unauthorized: boolean;
  /** The directory's own text of the failure (for a diagnosis's details), when it sent one. */
  message?: string;
}

// ── Verifying ────────────────────────────────────────────────────────────────

/** One line of the verification checklist: passed, failed with its diagnosis, or not checked. */
export type ChecklistItem = {
  id: string;
  label: string;
  ok: boolean;
  /** Not checked because an earlier step failed (shown as such, never as passed). */
  skipped?: boolean;
  code?: string;
  title?: string;
  fix?: string;
  details?: string;
  /** A passed line's remark, shown with it (e.g. a broader permission allowed the read than the guide recommends). */
  note?: string;
};

export interface VerificationResult {
  ok: boolean;
  checklist: ChecklistItem[];
  /** Permissions the directory says the application holds (empty when it could not sign in). */
  roles: string[];
  /** The first failure, for the connection's health line. */
  diagnosis: Diagnosis | null;
  /** The sign-in step passed: the credentials themselves are right, whatever else failed. */
  credentialsOk: boolean;
  /** The directory API's host as discovered (null when the directory was not found). */
  graphHost: string | null;
}

export interface VerificationOptions {
  groupObjectIds: string[];
  syncContacts: boolean;
  secretExpiresOn?: string;
  secretId?: string;
  /**
   * A group with hidden membership the connection's catalog holds (directory_groups.visibility): with no Group
   * Object IDs the whole directory is offered, so reading hidden memberships is checked on it.
   */
  hiddenMembershipGroupId?: string;
}

// ── Reading ──────────────────────────────────────────────────────────────────

/** Counters a sync run records in its ledger. */
export interface DirectoryCallStats {
  requests: number;
  retries: number;
  throttleWaitMs: number;
}

/** A group's kind, as the catalog stores it (directory_groups.kind). */
export type GroupKind = "security" | "microsoft365" | "distribution" | "mail_security" | "dynamic";

/** A group as the directory describes it. The provider-specific flags classify it (DirectoryProvider.groupKind). */
export interface DirectoryGroupRecord {
  id: string;
  displayName: string | null;
  description: string | null;
  mail: string | null;
  /** "HiddenMembership" when only apps allowed to read hidden memberships may list its members. */
  visibility: string | null;
  groupTypes?: string[] | null;
  mailEnabled?: boolean | null;
  securityEnabled?: boolean | null;
}

/**
 * What one enumeration walks: a group's members (users, and contacts when the connection syncs them), or
 * every user or contact of the directory.
 */
export type MemberStream =
  | {
      kind: "groupMembers";
      groupObjectId: string;
      /** Keep contacts too (the connection's "Sync contacts"). */
      contacts: boolean;
      /** The group hides its membership: listing it needs a permission of its own. */
      hiddenMembership?: boolean;
    }
  | { kind: "directoryUsers" }
  | { kind: "directoryContacts" };

/** One directory object as the contribution rules need it. Contacts have no account: never "disabled". */
export interface DirectoryMember {
  objectType: "user" | "contact";
  id: string;
  displayName: string | null;
  mail: string | null;
  userPrincipalName: string | null;
  /** Null when the directory did not return the property (the app may not read it). */
  accountEnabled: boolean | null;
}

/**
 * An opaque position in a member listing: the provider makes it, the sync stores it (sync_jobs.cursor) and hands
 * it back whole; nobody else reads it.
 */
export type MemberCursor = string;

export interface MemberPage {
  members: DirectoryMember[];
  /** Where the listing continues; null after the last page. */
  nextLink: MemberCursor | null;
  /** The listing's size when the directory sent it, else null. */
  count: number | null;
  /** Contacts on a group's listing that were dropped because the connection does not sync contacts. */
  contactsOff: number;
}

/**
 * A member page whose answer has begun to arrive: `nextLink` resolves as soon as the next page's cursor is known
 * (so the next request can leave while this page is still arriving), `page` with the whole page.
 */
export interface MemberPageRead {
  nextLink: Promise<MemberCursor | null>;
  page: Promise<MemberPage>;
}

export interface DirectoryPerson {
  kind: "user" | "contact";
  objectId: string;
  displayName: string;
  mail: string | null;
  userPrincipalName: string | null;
  /** Contacts have no account: they count as enabled. Null when the directory did not return it. */
  accountEnabled: boolean | null;
  /** Groups it belongs to, directly or through nested groups. */
  groups: { objectId: string; displayName: string }[];
}

// ── Change tracking ──────────────────────────────────────────────────────────

/**
 * Where a connection's change tracking continues (directory_delta_states.cursor): the provider makes it and
 * reads it back; the product only stores it.
 */
export type DeltaCursor = object;

// ── The tenant's request budget ──────────────────────────────────────────────

/**
 * Where a tenant's request budget is kept: at most `limit` requests in flight, and a tenant-wide pause after a
 * Retry-After. The budget is per app and tenant, so every session of one tenant must consult one gate; a
 * deployment with several processes passes a gate they share (lib/sync/tenant-gate.ts keeps it in PostgreSQL).
 */
export interface TenantGate {
  /** Waits out the tenant's pause, then for a free slot. */
  acquire(tenantId: string, limit: number): Promise<TenantSlot>;
  /** Pauses every request of the tenant for `delayMs` from now (a longer pause already set stands). */
  pause(tenantId: string, delayMs: number): Promise<void>;
}

export interface TenantSlot {
  /** Time spent waiting for a tenant-wide throttling pause. */
  pausedMs: number;
  /**
   * Gives the slot back; idempotent, never throws (a shared gate's slot also expires by itself). `more`: the
   * caller is going on with a request of the same chain (a listing page with a next page), so a gate may keep
   * the slot for it a moment instead of giving it up.
   */
  release(hint?: { more?: boolean }): void;
}

/** A slot whose release runs `giveBack` once, however often it is called (TenantSlot.release is idempotent). */
export function tenantSlot(pausedMs: number, giveBack: (more: boolean) => void): TenantSlot {
  let released = false;
  return {
    pausedMs,
    release(hint) {
      if (released) return;
      released = true;
      giveBack(hint?.more === true);
    },
  };
}
