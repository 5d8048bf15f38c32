/**
 * How fresh a connection's synced groups are, in the dialog's words: "Checked for changes 4 min ago · last full
 * pass Monday" (incremental sync, docs/adr/0012-incremental-sync-membership-graph.md). Pure: the dialog passes
 * the time it renders at. Days are UTC, as the schedule's are.
 */
export interface Freshness {
  /** The last delta round (ISO), null before the first. */
  lastDeltaAt: string | null;
  /** The last full pass that seeded or reconciled the incremental state (ISO). */
  lastFullAt: string;
  /** Addresses that pass found delta had missed (null when it was not a reconcile). */
  lastFullDrift: number | null;
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "just now", "4 min ago", "3 h ago", "2 days ago". */
export function agoText(at: Date, now: Date): string {
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return `${days} day${days === 1 ? "" : "s"} ago`;
}

/** "today", "yesterday", a weekday within the last 6 days ("Monday"), else "on 12 Nov". */
export function dayText(at: Date, now: Date): string {
  const day = (d: Date) => Math.floor(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) / 86_400_000);
  const back = day(now) - day(at);
  if (back <= 0) return "today";
  if (back === 1) return "yesterday";
  if (back < 7) return WEEKDAYS[at.getUTCDay()];
  return `on ${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]}`;
}

export function freshnessLine(f: Freshness, now: Date): string {
  const checked = f.lastDeltaAt ? `Checked for changes ${agoText(new Date(f.lastDeltaAt), now)}` : "Not checked for changes yet";
  const drift = f.lastFullDrift ? ` (it found ${f.lastFullDrift} difference${f.lastFullDrift === 1 ? "" : "s"} the checks had missed)` : "";
  return `${checked} · last full pass ${dayText(new Date(f.lastFullAt), now)}${drift}`;
}

/** What "Sync now" tells the editor after a delta round. */
export function syncNowNotice(label: string, r: { outcome: "synced" | "needs_review" | "failed" | "unchanged"; added: number; removed: number }): string {
  if (r.outcome === "needs_review") return `“${label}” would lose many recipients at once: the changes wait in Needs review.`;
  if (r.outcome === "failed") return `“${label}” was deleted in Azure; it keeps its members until you untick it.`;
  if (r.added === 0 && r.removed === 0) return `“${label}” is up to date: no changes in the directory.`;
  return `“${label}” is up to date: ${r.added} joined, ${r.removed} left.`;
}
