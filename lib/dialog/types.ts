import type { Cadence, ConnectionHealthValue, GroupKindValue, JobStatus, SyncState } from "@/db/schema";
/**
 * What the directory dialog's JSON routes return. Plain data only (dates as ISO strings) so the same types
 * describe the server read models and the client that polls them.
 */
// Types only from the schema: components import these lists, and the schema module must stay out of their bundle.
export type GroupKind = GroupKindValue;
export type { SyncState };

export const groupKinds: GroupKind[] = ["security", "microsoft365", "distribution", "mail_security", "dynamic"];
export const syncStates: SyncState[] = ["not_synced", "queued", "syncing", "synced", "needs_review", "error"];

/** A failure explained for people: what went wrong, what to do about it. */
export interface Diagnosis {
  code: string;
  title: string;
  fix: string;
  details?: string;
}

/** Members left out of a contribution, by reason (docs/design.md, "Diagnoses": "counts differ from Azure"). */
export interface SkippedCounts {
  disabled?: number;
  noAddress?: number;
  duplicate?: number;
  contactsOff?: number;
  [reason: string]: number | undefined;
}

/** One row of the catalog as the dialog lists it. */
export interface DirectoryGroupRow {
  id: string;
  objectId: string;
  displayName: string;
  mail: string | null;
  kind: GroupKind;
  /** The catalog refresh no longer finds it in Azure. */
  deleted: boolean;
  /** Ticked "Sync to audience" for this series. */
  selected: boolean;
  state: SyncState;
}

export interface GroupPage {
  groups: DirectoryGroupRow[];
  /** Groups matching the search and filters, over all pages. */
  total: number;
  nextOffset: number | null;
}

export interface SyncRunSummary {
  id: string;
  outcome: "running" | "synced" | "needs_review" | "failed" | "interrupted" | "previewed";
  trigger: string;
  /** How the run read the directory: a full pass (every member) or a delta round (changes only). */
  kind: "full" | "delta";
  startedAt: string;
  finishedAt: string | null;
  membersSeen: number;
  added: number;
  removed: number;
  skipped: SkippedCounts;
  error: Diagnosis | null;
  /** A run held for review: what it would have done had it applied. */
  review: ReviewNumbers | null;
}

export interface ReviewNumbers {
  current: number;
  wouldRemove: number;
  wouldAdd: number;
  /** Held by the scheduled run's connection-wide guard: the connection's addresses and what the run had removed before. */
  connection?: { current: number; removedBefore: number };
}

/** Everything a group's row and details show about its place in this series' audience. */
export interface SourceStateView {
  sourceId: string;
  /** directory_groups.id; null for the entire directory. */
  groupId: string | null;
  kind: "directory_group" | "directory_all";
  label: string;
  selected: boolean;
  state: SyncState;
  /** While queued or syncing: how far the current run got. */
  progress: { membersSeen: number; pages: number } | null;
  /**
   * While queued after a transient failure (Graph unavailable, a stalled page): the job waits to resume from
   * where it stopped. What failed, when it tries again, and which of its bounded retries that will be.
   */
  retry: { error: Diagnosis; at: string; attempt: number; of: number } | null;
  memberCount: number;
  skipped: SkippedCounts;
  lastSyncedAt: string | null;
  lastGoodSyncAt: string | null;
  lastError: Diagnosis | null;
  review: ReviewNumbers | null;
  lastRuns: SyncRunSummary[];
}

import type { Freshness } from "./freshness";

export interface ConnectionChoice {
  id: string;
  name: string;
}

export interface ConnectionSummary extends ConnectionChoice {
  /** The last verification's verdict; "failing" means syncs will fail until an admin fixes the connection. */
  health: ConnectionHealthValue;
  /** The connection is limited to the Group Object IDs an admin listed: the entire directory is not offered. */
  limitedToSelectedGroups: boolean;
  syncContacts: boolean;
  /** How often the scheduler refreshes synced groups. */
  cadence: Cadence;
  useUsernameFallback: boolean;
  groupsRefreshedAt: string | null;
  catalogSize: number;
  /** Incremental sync's last delta round and full pass; null while the connection keeps no incremental state. */
  freshness: Freshness | null;
}

/** How often the dialog asks for states while a sync is queued or running (the bench models the same poll). */
export const LIVE_POLL_MS = 1500;

/** What the dialog polls while anything is queued or syncing. */
export interface DirectoryOverview {
  connections: ConnectionChoice[];
  connection: ConnectionSummary | null;
  sources: SourceStateView[];
  selectedGroupIds: string[];
  entireDirectory: SourceStateView | null;
  /** Some source is queued or syncing: keep polling. */
  anyActive: boolean;
  recipientCount: number;
}

/** Who leaves the audience if an editor confirms a group's held removals: the first addresses and how many. */
export interface ReviewRemovals {
  sourceId: string;
  label: string;
  /** Addresses the group holds now and would no longer hold. */
  total: number;
  /** The first of them, by address. */
  first: { email: string; name: string | null }[];
  /** Of the group's addresses that leave, those no other source holds (they leave the audience itself). */
  leavingAudience: number;
}

/**
 * Who leaves the audience if an editor unticks these groups (or "Sync entire directory"): how many addresses
 * they hold, how many of them leave the audience (no other source holds them), and the first of those.
 */
export interface SelectionRemovals {
  sourceIds: string[];
  labels: string[];
  total: number;
  first: { email: string; name: string | null }[];
  leavingAudience: number;
}

/** A preview job as the dialog polls it. */
export interface PreviewStatus {
  jobId: string;
  status: JobStatus;
  membersSeen: number;
  result: { wouldAdd: number; alreadyPresent: number; skipped: SkippedCounts; total: number } | null;
  error: Diagnosis | null;
}
