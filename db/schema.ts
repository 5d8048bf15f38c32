/**
 * The whole of Roster's domain in one schema. Later features add columns here, not tables.
 *
 * Audience model, in short:
 *   series ──< audience_sources ──< recipient_sources >── recipients (one row per distinct address per series)
 * A source is the manual list, one CSV import, one selected directory group, or the entire directory.
 * A recipient exists exactly while at least one source of its series holds its address; lib/audience keeps
 * that invariant inside the transaction that changes a source.
 *
 * Every reference is a real FOREIGN KEY, the sync's tables included (docs/adr/0010-real-foreign-keys.md: the
 * statement-level trigger keys of migration 0001 cost more to keep than they saved at Graph's page times).
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  customType,
  check,
  foreignKey,
  unique,
} from "drizzle-orm/pg-core";

/** Raw bytes (PostgreSQL bytea), as a Buffer. */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const tstz = (name: string) => timestamp(name, { withTimezone: true });

// ── Shapes of the jsonb columns ──────────────────────────────────────────────
// Typed here ($type) so that a read comes back as what was written, without a re-parse or a cast. The writers
// (lib/jobs, lib/sync/outcomes.ts, lib/connections) build these shapes; the database does not check them.

/** A failure explained for people (lib/directory/types.ts's Diagnosis, as stored). */
export interface StoredDiagnosis {
  code: string;
  title: string;
  fix: string;
  details?: string;
}

/** Members left out of a contribution, by reason. */
export interface SkippedByReason {
  disabled?: number;
  noAddress?: number;
  duplicate?: number;
  contactsOff?: number;
}

/** What the mass-removal guard held back, and the job whose staged set waits for the confirmation. */
export interface ReviewHold {
  current: number;
  wouldRemove: number;
  wouldAdd: number;
  jobId: string;
}

/** A job's result: a sync's counts, a preview's numbers, or the numbers a review holds (each sets its own). */
export interface SyncJobResult {
  added?: number;
  removed?: number;
  recipientsAdded?: number;
  recipientsRemoved?: number;
  total?: number;
  current?: number;
  wouldRemove?: number;
  wouldAdd?: number;
  alreadyPresent?: number;
  skipped?: SkippedByReason;
}

/** One item of a connection's verification checklist (lib/directory/types.ts's ChecklistItem, as stored). */
export interface StoredChecklistItem {
  id: string;
  label: string;
  ok: boolean;
  skipped?: boolean;
  code?: string;
  title?: string;
  fix?: string;
  details?: string;
  note?: string;
}

/** A CSV import's source: { fileName, rows, imported, rejected }. */
export type CsvImportDetails = Record<string, unknown>;

// ── Organizations, people, roles ─────────────────────────────────────────────

export const organizations = pgTable("organizations", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  createdAt: createdAt(),
});

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    /** Trimmed, lower-cased: what sign-in and uniqueness compare. */
    emailNormalized: text("email_normalized").notNull(),
    name: text("name").notNull(),
    /** scrypt hash in PHC-like form; null for users who only sign in with Entra ID SSO. */
    passwordHash: text("password_hash"),
    createdAt: createdAt(),
    lastSignInAt: tstz("last_sign_in_at"),
    /**
     * Travels in every session token and must match: signing out adds one, so a copied cookie of any session
     * of this user stops working at once (lib/auth/session.ts).
     */
    sessionVersion: integer("session_version").notNull().default(0),
  },
  (t) => [uniqueIndex("users_email_normalized_key").on(t.emailNormalized)],
);

export const roleEnum = pgEnum("role", ["admin", "editor"]);

export const memberships = pgTable(
  "memberships",
  {
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    role: roleEnum("role").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.organizationId] }), index("memberships_org_idx").on(t.organizationId)],
);

/**
 * Failed sign-ins per normalized e-mail, known or not, so that the limit reveals nothing about which
 * addresses have accounts.
 */
export const signInThrottle = pgTable("sign_in_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  windowStartedAt: tstz("window_started_at").notNull().defaultNow(),
  lockedUntil: tstz("locked_until"),
});

// ── Series and audiences ─────────────────────────────────────────────────────

export const series = pgTable(
  "series",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("series_org_name_key").on(t.organizationId, t.name)],
);

export const sourceKindEnum = pgEnum("source_kind", ["manual", "csv", "directory_group", "directory_all"]);

/** Editors see these words on each group's badge (docs/design.md, "The sync, precisely": group states). */
export const syncStateEnum = pgEnum("sync_state", [
  "not_synced",
  "queued",
  "syncing",
  "synced",
  "needs_review",
  "error",
]);

export const audienceSources = pgTable(
  "audience_sources",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seriesId: uuid("series_id").notNull().references(() => series.id, { onDelete: "cascade" }),
    kind: sourceKindEnum("kind").notNull(),
    /** Shown next to each recipient: "Manual", the CSV's file name, the group's name, "Entire directory". */
    label: text("label").notNull(),
    connectionId: uuid("connection_id").references(() => directoryConnections.id, { onDelete: "cascade" }),
    directoryGroupId: uuid("directory_group_id").references(() => directoryGroups.id, { onDelete: "cascade" }),
    /** Directory sources: ticked "Sync to audience". Unticked sources keep their row (history) but hold nothing. */
    selected: boolean("selected").notNull().default(true),
    state: syncStateEnum("state").notNull().default("not_synced"),
    memberCount: integer("member_count").notNull().default(0),
    /** Skipped members of the last good sync, by reason: { disabled, noAddress, duplicate, contactsOff }. */
    skipped: jsonb("skipped").$type<SkippedByReason>().notNull().default({}),
    lastSyncedAt: tstz("last_synced_at"),
    lastGoodSyncAt: tstz("last_good_sync_at"),
    /** The diagnosis of the last failure: { code, title, fix, details }. Null when the last run succeeded. */
    lastError: jsonb("last_error").$type<StoredDiagnosis | null>(),
    /** Needs review: { current, wouldRemove, wouldAdd, jobId }. */
    review: jsonb("review").$type<ReviewHold | null>(),
    /** CSV imports: { fileName, rows, imported, rejected }. */
    details: jsonb("details").$type<CsvImportDetails | null>(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("audience_sources_series_idx").on(t.seriesId),
    uniqueIndex("audience_sources_manual_key").on(t.seriesId).where(sql`kind = 'manual'`),
    uniqueIndex("audience_sources_group_key").on(t.seriesId, t.directoryGroupId).where(sql`kind = 'directory_group'`),
    uniqueIndex("audience_sources_all_key").on(t.seriesId, t.connectionId).where(sql`kind = 'directory_all'`),
    // The target of recipient_sources' one key: a holding's source, and its series as the source's.
    unique("audience_sources_id_series_key").on(t.id, t.seriesId),
  ],
);

/** One row per distinct address per series. The display spelling is the first one seen. */
export const recipients = pgTable(
  "recipients",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    seriesId: uuid("series_id").notNull().references(() => series.id, { onDelete: "cascade" }),
    emailNormalized: text("email_normalized").notNull(),
    email: text("email").notNull(),
    name: text("name"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("recipients_series_email_key").on(t.seriesId, t.emailNormalized)],
);

/**
 * Which sources hold which address. Keyed by address rather than recipient id so that a sync applies
 * with set-based SQL straight from staging, without a join to learn ids.
 */
export const recipientSources = pgTable(
  "recipient_sources",
  {
    sourceId: uuid("source_id").notNull(),
    /** The source's series (the key below checks both in one probe), so that audience queries need no join. */
    seriesId: uuid("series_id").notNull(),
    emailNormalized: text("email_normalized").notNull(),
    email: text("email").notNull(),
    name: text("name"),
    /** Directory object id (user or contact) the address came from, for "why is this person here". */
    objectId: text("object_id"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.sourceId, t.emailNormalized] }),
    index("recipient_sources_series_email_idx").on(t.seriesId, t.emailNormalized),
    // One key for both columns: the holding's source exists and belongs to the holding's series (deleting either
    // deletes the holding). One check per inserted holding instead of two, each a query the database runs per row
    // (docs/adr/0010-real-foreign-keys.md, "One key per holding").
    foreignKey({
      name: "recipient_sources_source_series_fk",
      columns: [t.sourceId, t.seriesId],
      foreignColumns: [audienceSources.id, audienceSources.seriesId],
    }).onDelete("cascade"),
  ],
);

// ── Directory connections ────────────────────────────────────────────────────

export const cloudEnum = pgEnum("cloud", ["global", "usgov"]);
export const connectionStatusEnum = pgEnum("connection_status", ["draft", "active"]);
export const connectionHealthEnum = pgEnum("connection_health", ["unknown", "healthy", "degraded", "failing"]);
export const cadenceEnum = pgEnum("sync_cadence", ["weekly", "daily"]);
/**
 * How Roster proves itself to Entra ID for a connection: a client secret the admin pasted, a certificate whose
 * key pair Roster made, or a federated identity credential trusting Roster's own OIDC issuer (lib/identity-keys).
 */
export const credentialKindEnum = pgEnum("credential_kind", ["secret", "certificate", "federated"]);
/**
 * Which directory provider serves a connection (lib/directory/registry.ts; docs/adr/0016-directory-provider-seam.md).
 * Microsoft Entra ID is the only one; connections saved before the column existed are Entra's by its default.
 */
export const directoryProviderEnum = pgEnum("directory_provider", ["entra"]);

/**
 * A connection's provider-specific, non-secret settings, checked by its provider's configSchema
 * (lib/directory/provider.ts). Entra has none: its cloud and Graph host predate the column and keep their own.
 * Whatever is secret stays in the sealed columns.
 */
export type ProviderConfig = Record<string, never>;

export const directoryConnections = pgTable(
  "directory_connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    tenantId: text("tenant_id").notNull(),
    clientId: text("client_id").notNull(),
    cloud: cloudEnum("cloud").notNull().default("global"),
    /**
     * The tenant's Microsoft Graph host (`msgraph_host` of its openid-configuration, saved at verification):
     * graph.microsoft.com, graph.microsoft.us or dod-graph.microsoft.us. Null until verified: the cloud's
     * default host is used.
     */
    msgraphHost: text("msgraph_host"),
    /**
     * Azure's Secret ID (not secret) and the first characters Azure shows as the secret's hint. The secret
     * columns are null for a connection made with a certificate or a federated credential (it never had a
     * secret); `directory_connections_credential_material` requires them while the kind is `secret`.
     */
    secretId: text("secret_id"),
    secretHint: text("secret_hint"),
    /** AES-256-GCM sealed secret value, bound to this row's id (lib/crypto). Never leaves the server. */
    secretSealed: text("secret_sealed"),
    secretKeyId: text("secret_key_id"),
    secretExpiresOn: date("secret_expires_on", { mode: "string" }),
    /** Which credential signs in (see credentialKindEnum). The secret columns stay until the admin retires the secret. */
    credentialKind: credentialKindEnum("credential_kind").notNull().default("secret"),
    /** The directory provider (see directoryProviderEnum) and its own settings. */
    provider: directoryProviderEnum("provider").notNull().default("entra"),
    providerConfig: jsonb("provider_config").$type<ProviderConfig>().notNull().default({}),
    /**
     * The connection's certificate (public PEM, shown and downloadable), its private key sealed like the secret
     * (AAD bound to this row and slot), its SHA-1 thumbprint as the portal shows it and its notAfter. Null
     * unless a certificate was made. `next…` holds the certificate made ahead for rotation (or for a switch from
     * another kind): it signs in only once verified, then takes the current slot.
     */
    certificatePem: text("certificate_pem"),
    certificateKeySealed: text("certificate_key_sealed"),
    certificateThumbprint: text("certificate_thumbprint"),
    certificateExpiresAt: tstz("certificate_expires_at"),
    nextCertificatePem: text("next_certificate_pem"),
    nextCertificateKeySealed: text("next_certificate_key_sealed"),
    nextCertificateThumbprint: text("next_certificate_thumbprint"),
    nextCertificateExpiresAt: tstz("next_certificate_expires_at"),
    /** When the connection stopped using its client secret (switched to another kind): the secret may be deleted in Azure. */
    secretRetiredAt: tstz("secret_retired_at"),
    /** Limits the catalog to these groups when non-empty (the guide's "select groups", at most 15). */
    groupObjectIds: text("group_object_ids").array().notNull().default(sql`'{}'::text[]`),
    useUsernameFallback: boolean("use_username_fallback").notNull().default(false),
    syncContacts: boolean("sync_contacts").notNull().default(false),
    ownerName: text("owner_name").notNull(),
    ownerEmail: text("owner_email").notNull(),
    status: connectionStatusEnum("status").notNull().default("draft"),
    health: connectionHealthEnum("health").notNull().default("unknown"),
    cadence: cadenceEnum("cadence").notNull().default("weekly"),
    /**
     * The mass-removal guard (lib/sync/removal-guard.ts): a run that would remove more than this share (percent)
     * of a group's addresses and more than this many applies nothing and waits in Needs review. The same two
     * figures bound one cron call's removals across the connection's groups.
     */
    reviewSharePercent: integer("review_share_percent").notNull().default(20),
    reviewMinRemovals: integer("review_min_removals").notNull().default(50),
    /** Application permissions seen in the token's roles claim at the last verification. */
    grantedRoles: text("granted_roles").array().notNull().default(sql`'{}'::text[]`),
    /** The last verification's checklist: [{ id, label, ok, title?, fix?, details? }]. */
    lastVerification: jsonb("last_verification").$type<StoredChecklistItem[] | null>(),
    lastVerifiedAt: tstz("last_verified_at"),
    /** The last failure's diagnosis ({ code, title, fix, details }); null when healthy. */
    lastError: jsonb("last_error").$type<StoredDiagnosis | null>(),
    groupsRefreshedAt: tstz("groups_refreshed_at"),
    lastScheduledAt: tstz("last_scheduled_at"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("directory_connections_tenant_idx").on(t.tenantId),
    // The kind that signs in has its material: a secret kind its sealed secret and expiry, a certificate kind its
    // certificate, sealed key, thumbprint and expiry; a federated credential needs nothing stored.
    check(
      "directory_connections_credential_material",
      sql`(${t.credentialKind} <> 'secret' OR (${t.secretId} IS NOT NULL AND ${t.secretHint} IS NOT NULL AND ${t.secretSealed} IS NOT NULL AND ${t.secretKeyId} IS NOT NULL AND ${t.secretExpiresOn} IS NOT NULL))
        AND (${t.credentialKind} <> 'certificate' OR (${t.certificatePem} IS NOT NULL AND ${t.certificateKeySealed} IS NOT NULL AND ${t.certificateThumbprint} IS NOT NULL AND ${t.certificateExpiresAt} IS NOT NULL))`,
    ),
  ],
);

/**
 * A credential the wizard prepared before its connection exists: the id the connection will get (so the
 * federated credential's subject can be shown before saving) and, for a certificate, the key pair made for it,
 * the private key sealed as the connection's own will be. Bound to the admin who prepared it; taken (deleted) by
 * the save that creates the connection, in the same transaction, so an id is never used twice
 * (lib/connections/pending-credential.ts).
 */
export const pendingCredentials = pgTable("pending_credentials", {
  id: uuid("id").primaryKey(),
  createdBy: uuid("created_by")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
  certificatePem: text("certificate_pem"),
  certificateKeySealed: text("certificate_key_sealed"),
  certificateThumbprint: text("certificate_thumbprint"),
  certificateExpiresAt: tstz("certificate_expires_at"),
});

/**
 * Roster's own OIDC signing keys (the issuer of federated client assertions, lib/identity-keys). The private key is
 * sealed like a client secret; the JWKS publishes every key not yet retired, so during a rotation both the old
 * and the new key verify. A key signs from `signsFrom` until a newer key's `signsFrom` has passed.
 */
export const rosterSigningKeys = pgTable("roster_signing_keys", {
  kid: text("kid").primaryKey(),
  privateKeySealed: text("private_key_sealed").notNull(),
  sealingKeyId: text("sealing_key_id").notNull(),
  publicJwk: jsonb("public_jwk").$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
  signsFrom: tstz("signs_from").notNull(),
  /** Dropped from the JWKS from then on; null while no newer key replaces it. */
  retireAt: tstz("retire_at"),
});

/** One connection may serve several organizations (the guide's "all organizations this directory should be available within"). */
export const connectionOrganizations = pgTable(
  "connection_organizations",
  {
    connectionId: uuid("connection_id").notNull().references(() => directoryConnections.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.organizationId] }), index("connection_orgs_org_idx").on(t.organizationId)],
);

export const groupKindEnum = pgEnum("group_kind", ["security", "microsoft365", "distribution", "mail_security", "dynamic"]);

export const directoryGroups = pgTable(
  "directory_groups",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    connectionId: uuid("connection_id").notNull().references(() => directoryConnections.id, { onDelete: "cascade" }),
    /** The group's object id in Entra ID. */
    objectId: text("object_id").notNull(),
    displayName: text("display_name").notNull(),
    description: text("description"),
    mail: text("mail"),
    visibility: text("visibility"),
    kind: groupKindEnum("kind").notNull(),
    /** Set when the catalog refresh no longer finds the group: it is never dropped silently. */
    deletedAt: tstz("deleted_at"),
    lastSeenAt: tstz("last_seen_at").notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("directory_groups_connection_object_key").on(t.connectionId, t.objectId),
    index("directory_groups_connection_name_idx").on(t.connectionId, t.displayName),
  ],
);

// ── Sync jobs, staging and the run ledger ────────────────────────────────────

export const jobStatusEnum = pgEnum("job_status", ["queued", "running", "needs_review", "done", "failed", "cancelled"]);
export const jobModeEnum = pgEnum("job_mode", ["sync", "preview"]);

/**
 * Incremental sync's state per connection (lib/directory/delta-state.ts): the membership graph as a deflated
 * snapshot (lib/directory/membership-graph.ts), the delta links the next round continues from, and when the
 * last delta round and full pass ran. Written in the same transaction as the audience changes of a round, so a
 * round that fails keeps the previous links and graph.
 */
export const directoryDeltaStates = pgTable("directory_delta_states", {
  connectionId: uuid("connection_id")
    .primaryKey()
    .references(() => directoryConnections.id, { onDelete: "cascade" }),
  cursor: jsonb("cursor").notNull(),
  graph: bytea("graph").notNull(),
  graphBytes: integer("graph_bytes").notNull(),
  lastDeltaAt: tstz("last_delta_at"),
  lastFullAt: tstz("last_full_at").notNull(),
  /** Addresses the last full pass found different from what delta rounds had built (should be 0). */
  lastFullDrift: integer("last_full_drift"),
  updatedAt: tstz("updated_at").notNull().defaultNow(),
});

export const syncJobs = pgTable(
  "sync_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sourceId: uuid("source_id").notNull().references(() => audienceSources.id, { onDelete: "cascade" }),
    seriesId: uuid("series_id").notNull().references(() => series.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id").notNull().references(() => directoryConnections.id, { onDelete: "cascade" }),
    mode: jobModeEnum("mode").notNull().default("sync"),
    status: jobStatusEnum("status").notNull().default("queued"),
    /** Why it was queued: selection, manual ("Sync now"), schedule, confirm. */
    reason: text("reason").notNull(),
    requestedBy: uuid("requested_by").references(() => users.id, { onDelete: "set null" }),
    runAfter: tstz("run_after").notNull().defaultNow(),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: tstz("lease_expires_at"),
    attempts: integer("attempts").notNull().default(0),
    /**
     * Attempts that ended without recording any outcome (the worker died, or could not even write the failure
     * down): counted when an expired lease is claimed again. At max_attempts the job fails with a diagnosis
     * instead of running again, so poison data can never keep a group Syncing forever.
     */
    lostAttempts: integer("lost_attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    /** The next page to fetch (Graph's @odata.nextLink); null before the first page and after the last. */
    cursor: text("cursor"),
    enumerationDone: boolean("enumeration_done").notNull().default(false),
    pages: integer("pages").notNull().default(0),
    membersSeen: integer("members_seen").notNull().default(0),
    skippedDisabled: integer("skipped_disabled").notNull().default(0),
    /**
     * Object ids of the disabled users the listing skipped: the apply names "disabled", not "left the group",
     * as the reason their addresses left (lib/audience/holdings.ts, releaseUnstaged).
     */
    disabledObjectIds: text("disabled_object_ids").array().notNull().default(sql`'{}'::text[]`),
    skippedNoAddress: integer("skipped_no_address").notNull().default(0),
    skippedDuplicate: integer("skipped_duplicate").notNull().default(0),
    skippedContactsOff: integer("skipped_contacts_off").notNull().default(0),
    retries: integer("retries").notNull().default(0),
    throttleWaitMs: integer("throttle_wait_ms").notNull().default(0),
    /** How often Graph rejected the saved cursor and the listing started over; bounded (lib/sync/staging.ts). */
    cursorRestarts: integer("cursor_restarts").notNull().default(0),
    /**
     * Set when a 404 on a group first seen moments ago sent the job back to the queue once (directory
     * replication, lib/sync/run-job.ts); the next 404 marks the group deleted.
     */
    replicationRetried: boolean("replication_retried").notNull().default(false),
    /** Preview and needs-review results: { wouldAdd, wouldRemove, alreadyPresent, current }. */
    result: jsonb("result").$type<SyncJobResult | null>(),
    error: jsonb("error").$type<StoredDiagnosis | null>(),
    createdAt: createdAt(),
    startedAt: tstz("started_at"),
    finishedAt: tstz("finished_at"),
  },
  (t) => [
    // At most one active job per series and group: a second "Sync now" joins the first.
    uniqueIndex("sync_jobs_one_active_key")
      .on(t.sourceId, t.mode)
      .where(sql`status in ('queued', 'running')`),
    index("sync_jobs_claim_idx").on(t.status, t.runAfter),
  ],
);

/**
 * Addresses a job has enumerated so far; applied as a whole only when enumeration completes. Written and read
 * with raw SQL (lib/sync/staging.ts), but exported all the same: drizzle-kit knows a table only by its export.
 */
export const syncStaging = pgTable(
  "sync_staging",
  {
    jobId: uuid("job_id").notNull().references(() => syncJobs.id, { onDelete: "cascade" }),
    emailNormalized: text("email_normalized").notNull(),
    email: text("email").notNull(),
    name: text("name"),
    objectId: text("object_id"),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.emailNormalized] })],
);

export const runOutcomeEnum = pgEnum("run_outcome", ["running", "synced", "needs_review", "failed", "interrupted", "previewed"]);
/** How a run read the directory: a full pass (every member listed) or a delta round (changes only, lib/sync/delta-round.ts). */
export const runKindEnum = pgEnum("run_kind", ["full", "delta"]);

/** The ledger behind each badge: one row per attempt at a job. */
export const syncRuns = pgTable(
  "sync_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    jobId: uuid("job_id").references(() => syncJobs.id, { onDelete: "set null" }),
    sourceId: uuid("source_id").notNull().references(() => audienceSources.id, { onDelete: "cascade" }),
    seriesId: uuid("series_id").notNull(),
    outcome: runOutcomeEnum("outcome").notNull().default("running"),
    trigger: text("trigger").notNull(),
    kind: runKindEnum("kind").notNull().default("full"),
    startedAt: tstz("started_at").notNull().defaultNow(),
    finishedAt: tstz("finished_at"),
    pages: integer("pages").notNull().default(0),
    membersSeen: integer("members_seen").notNull().default(0),
    added: integer("added").notNull().default(0),
    removed: integer("removed").notNull().default(0),
    skipped: jsonb("skipped").$type<SkippedByReason>().notNull().default({}),
    retries: integer("retries").notNull().default(0),
    throttleWaitMs: integer("throttle_wait_ms").notNull().default(0),
    error: jsonb("error").$type<StoredDiagnosis | null>(),
  },
  (t) => [index("sync_runs_source_idx").on(t.sourceId, t.startedAt)],
);

// ── Graph throttling shared by every process (lib/sync/tenant-gate.ts) ──────

/** A tenant-wide pause after Graph answered Retry-After: every instance, cron call and CLI waits it out. */
export const graphTenantBudgets = pgTable("graph_tenant_budgets", {
  tenantId: text("tenant_id").primaryKey(),
  pausedUntil: tstz("paused_until").notNull(),
});

/** One row per Graph request in flight for a tenant; a lease frees the slot of a process that died holding it. */
export const graphTenantSlots = pgTable(
  "graph_tenant_slots",
  {
    tenantId: text("tenant_id").notNull(),
    slot: smallint("slot").notNull(),
    holder: text("holder").notNull(),
    leaseExpiresAt: tstz("lease_expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.slot] })],
);

// ── API tokens and exclusions (lib/tokens, lib/audience/exclusions.ts) ───────

/**
 * A per-organization bearer token for the newsletter platform's calls (the unsubscribe endpoint). Only the
 * SHA-256 of the token is kept: the token is 32 random bytes, so a fast hash is enough (nothing to brute-force),
 * and a stolen table opens nothing. The token itself is shown once, when it is created.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    /** Hex SHA-256 of the whole token. */
    tokenHash: text("token_hash").notNull(),
    /** The token's first characters, to tell tokens apart in a list; never enough to use one. */
    tokenPrefix: text("token_prefix").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    lastUsedAt: tstz("last_used_at"),
    revokedAt: tstz("revoked_at"),
  },
  (t) => [uniqueIndex("api_tokens_hash_key").on(t.tokenHash), index("api_tokens_org_idx").on(t.organizationId)],
);

/**
 * An address a series' audience must never hold, whatever source holds it (an unsubscribe, "except
 * Contractors"). Holdings stay as they are, so lifting the exclusion brings the address back exactly when a
 * source still holds it; lib/audience keeps recipients free of excluded addresses inside every writer's
 * transaction.
 */
export const seriesExclusions = pgTable(
  "series_exclusions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seriesId: uuid("series_id").notNull().references(() => series.id, { onDelete: "cascade" }),
    emailNormalized: text("email_normalized").notNull(),
    email: text("email").notNull(),
    reason: text("reason"),
    /** Who excluded it, as shown: a person's name, an API token's label, "cli". */
    excludedBy: text("excluded_by").notNull(),
    excludedByUserId: uuid("excluded_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("series_exclusions_series_email_key").on(t.seriesId, t.emailNormalized)],
);

/**
 * "Exclude members of Contractors" (docs/adr/0014-exclusions-change-log-thresholds.md, "Group exclusions"): an
 * exclusion naming a directory group of the series' connection. Its members, as the sync enumerates them (a job
 * of the group's unselected source, `source_id`), are kept in group_exclusion_members, which the writers' exclusion
 * condition (lib/audience/holdings.ts, notExcluded) reads beside series_exclusions.
 */
export const seriesGroupExclusions = pgTable(
  "series_group_exclusions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seriesId: uuid("series_id").notNull().references(() => series.id, { onDelete: "cascade" }),
    directoryGroupId: uuid("directory_group_id").notNull().references(() => directoryGroups.id, { onDelete: "cascade" }),
    /** The audience source (unselected) whose jobs enumerate the group for this exclusion. */
    sourceId: uuid("source_id").notNull().references(() => audienceSources.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    reason: text("reason"),
    excludedBy: text("excluded_by").notNull(),
    excludedByUserId: uuid("excluded_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    /** The last complete enumeration applied; null until the first. */
    refreshedAt: tstz("refreshed_at"),
    memberCount: integer("member_count").notNull().default(0),
  },
  (t) => [uniqueIndex("series_group_exclusions_group_key").on(t.seriesId, t.directoryGroupId)],
);

export const groupExclusionMembers = pgTable(
  "group_exclusion_members",
  {
    groupExclusionId: uuid("group_exclusion_id").notNull().references(() => seriesGroupExclusions.id, { onDelete: "cascade" }),
    seriesId: uuid("series_id").notNull(),
    emailNormalized: text("email_normalized").notNull(),
    email: text("email").notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupExclusionId, t.emailNormalized] }), index("group_exclusion_members_series_idx").on(t.seriesId, t.emailNormalized)],
);

// ── Change log: who entered and left each audience, address by address (lib/audience/change-log.ts) ──

export const audienceChangeEnum = pgEnum("audience_change", ["added", "removed"]);

/**
 * One row per address that entered or left a series' audience. Written by a statement-level trigger on
 * `recipients` (migration audience_change_log), so it is the set difference of the audience before and after every
 * statement, whoever the writer; the writer names the reason, run and actor in a transaction-local setting.
 * No foreign keys: a sync writes these by the ten thousand, and retention (the cron) bounds the table.
 */
export const audienceChanges = pgTable(
  "audience_changes",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    seriesId: uuid("series_id").notNull(),
    emailNormalized: text("email_normalized").notNull(),
    email: text("email").notNull(),
    change: audienceChangeEnum("change").notNull(),
    /** "joined the group", "left the group", "excluded", "source removed", "added by hand", … */
    reason: text("reason"),
    /** The sync job whose apply made the change (the run of that job that synced). */
    jobId: uuid("job_id"),
    sourceId: uuid("source_id"),
    actor: text("actor"),
    createdAt: createdAt(),
  },
  (t) => [
    index("audience_changes_series_idx").on(t.seriesId, t.createdAt),
    index("audience_changes_job_idx").on(t.jobId).where(sql`job_id IS NOT NULL`),
    index("audience_changes_created_idx").on(t.createdAt),
  ],
);

// ── Audit ────────────────────────────────────────────────────────────────────

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "set null" }),
    /** Null for the system (cron) and for the operator CLI, which sets actorLabel instead. */
    actorUserId: uuid("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    /** What changed. Never a secret: callers pass field names and non-secret values only. */
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index("audit_events_org_idx").on(t.organizationId, t.createdAt), index("audit_events_target_idx").on(t.targetType, t.targetId)],
);

// ── Enum value types ─────────────────────────────────────────────────────────
// The TypeScript side of each pgEnum, derived from it so the two cannot drift apart. lib/directory/types.ts keeps its own
// Cloud and GroupKind: the directory knows nothing of storage.

export type Role = (typeof roleEnum.enumValues)[number];
export type SourceKind = (typeof sourceKindEnum.enumValues)[number];
export type SyncState = (typeof syncStateEnum.enumValues)[number];
export type CloudValue = (typeof cloudEnum.enumValues)[number];
export type ConnectionStatus = (typeof connectionStatusEnum.enumValues)[number];
export type ConnectionHealthValue = (typeof connectionHealthEnum.enumValues)[number];
export type Cadence = (typeof cadenceEnum.enumValues)[number];
export type CredentialKind = (typeof credentialKindEnum.enumValues)[number];
export type DirectoryProviderValue = (typeof directoryProviderEnum.enumValues)[number];
export type GroupKindValue = (typeof groupKindEnum.enumValues)[number];
export type JobStatus = (typeof jobStatusEnum.enumValues)[number];
export type JobMode = (typeof jobModeEnum.enumValues)[number];

// ── Alerts (lib/alerts) ──────────────────────────────────────────────────────

/**
 * One row per thing that happened to a connection and deserves an email: its (kind, event_key) is unique, so a
 * cron call that sees the same expiry, failure or review again inserts nothing and sends nothing. The event key
 * names the episode (the secret and its threshold, the failing episode, the streak's start, the job), not the call.
 */
export const alertEvents = pgTable(
  "alert_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    connectionId: uuid("connection_id").notNull().references(() => directoryConnections.id, { onDelete: "cascade" }),
    /** secret_expiry, connection_failing, connection_recovered, group_error, needs_review, reconcile_drift (lib/alerts/kinds.ts). */
    kind: text("kind").notNull(),
    eventKey: text("event_key").notNull(),
    /** What happened and what to do, as the email and the page say it; never a secret. */
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** A path on this site (the page where the fix is done). */
    path: text("path").notNull(),
    /**
     * pending → sending → sent | retrying (a send that may pass later, tried again from next_attempt_at) | failed
     * (refused for good, or every attempt used); off (the kind is turned off), not_configured (no SMTP), no_recipients.
     */
    emailStatus: text("email_status").notNull().default("pending"),
    recipients: text("recipients").array().notNull().default(sql`'{}'::text[]`),
    /** Sends tried so far, and when a `retrying` alert may be tried again (lib/alerts/deliver.ts). */
    emailAttempts: integer("email_attempts").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at"),
    claimedAt: tstz("claimed_at"),
    emailedAt: tstz("emailed_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("alert_events_event_key").on(t.connectionId, t.kind, t.eventKey),
    index("alert_events_connection_idx").on(t.connectionId, t.createdAt),
    index("alert_events_pending_idx").on(t.emailStatus),
  ],
);

/**
 * Per connection: the alert kinds its admins turned off, and the health last alerted (so "turned failing" and
 * "recovered" are edges claimed once by a conditional update, whatever the number of cron calls in between).
 */
export const connectionAlertSettings = pgTable("connection_alert_settings", {
  connectionId: uuid("connection_id").primaryKey().references(() => directoryConnections.id, { onDelete: "cascade" }),
  disabledKinds: text("disabled_kinds").array().notNull().default(sql`'{}'::text[]`),
  alertedHealth: text("alerted_health"),
  /** Counts failing episodes; names each one's event key. */
  healthEpisode: integer("health_episode").notNull().default(0),
  updatedAt: tstz("updated_at").notNull().defaultNow(),
});

// ── Setup links (lib/setup-links) ────────────────────────────────────────────

/**
 * A one-time link an admin sends to an IT contact to set up a connection (or rotate a connection's secret)
 * without a Roster account. Only the SHA-256 of the token is stored: a database read does not yield a usable link.
 */
export const setupLinks = pgTable(
  "setup_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tokenHash: text("token_hash").notNull(),
    /** create: a new connection for organizationId; rotate: the secret of connectionId. */
    purpose: text("purpose").notNull(),
    organizationId: uuid("organization_id").notNull().references(() => organizations.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id").references(() => directoryConnections.id, { onDelete: "cascade" }),
    contactName: text("contact_name").notNull(),
    contactEmail: text("contact_email").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: tstz("expires_at").notNull(),
    openedAt: tstz("opened_at"),
    completedAt: tstz("completed_at"),
    revokedAt: tstz("revoked_at"),
    /** The connection the link created or rotated. */
    resultConnectionId: uuid("result_connection_id").references(() => directoryConnections.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("setup_links_token_key").on(t.tokenHash), index("setup_links_org_idx").on(t.organizationId, t.createdAt)],
);
