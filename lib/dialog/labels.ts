/** The words editors see (docs/design.md, "UI contract"); shared by the read models and the dialog. */
import type { GroupKind, SkippedCounts, SyncState } from "./types";

export const stateLabel: Record<SyncState, string> = {
  not_synced: "Not synced",
  queued: "Queued",
  syncing: "Syncing",
  synced: "Synced",
  needs_review: "Needs review",
  error: "Error",
};

export const kindLabel: Record<GroupKind, string> = {
  security: "Security",
  microsoft365: "Microsoft 365",
  distribution: "Distribution list",
  mail_security: "Mail-enabled security",
  dynamic: "Dynamic",
};

/** Why members were left out, in the order editors read them. */
export const skippedReasonLabel: Record<string, string> = {
  disabled: "disabled",
  noAddress: "no address",
  duplicate: "duplicate",
  contactsOff: "contacts not synced",
};

/** "3 disabled · 2 no address"; reasons with zero are left out. Unknown reasons keep their key. */
export function describeSkipped(skipped: SkippedCounts, format: (n: number) => string = String): string {
  const known = Object.keys(skippedReasonLabel);
  const keys = [...known, ...Object.keys(skipped).filter((k) => !known.includes(k)).sort()];
  return keys
    .filter((k) => (skipped[k] ?? 0) > 0)
    .map((k) => `${format(skipped[k] ?? 0)} ${skippedReasonLabel[k] ?? k}`)
    .join(" · ");
}

export function totalSkipped(skipped: SkippedCounts): number {
  return Object.values(skipped).reduce<number>((sum, n) => sum + (n ?? 0), 0);
}
