import { describeSkipped, totalSkipped } from "@/lib/dialog/labels";
import type { GroupKind, SkippedCounts, SourceStateView, SyncState } from "@/lib/dialog/types";
import { formatCount, formatTime, plural } from "./format";

/**
 * The line under a group's name that explains its badge: progress while syncing, count, time and skipped
 * members per reason once synced (so Azure's member count can be reconciled from the screen), what failed
 * and how to fix it on error, the numbers behind a review.
 */
export function GroupStatus({ state, source, pendingTick }: { state: SyncState; source?: SourceStateView; pendingTick: boolean | null }) {
  if (pendingTick === true) return <p className="text-sm text-slate-600">Will be added when you press Update audience.</p>;
  if (pendingTick === false) return <p className="text-sm text-slate-600">Will be removed when you press Update audience.</p>;
  if (!source || state === "not_synced") return null;
  switch (state) {
    case "queued":
      if (source.retry) {
        return (
          <div className="text-sm text-amber-900">
            <p>
              Retrying at {formatTime(source.retry.at)} (attempt {source.retry.attempt} of {source.retry.of}): {source.retry.error.title}
            </p>
            <p className="text-slate-700">
              {source.progress?.membersSeen
                ? `It resumes where it stopped (${plural(source.progress.membersSeen, "member")} read); the audience is unchanged meanwhile.`
                : "The audience is unchanged meanwhile."}
            </p>
          </div>
        );
      }
      return <p className="text-sm text-slate-600">Waiting to start…</p>;
    case "syncing":
      // Running, but no page read yet (signing in, the first request on its way): not "0 members so far".
      if (!source.progress?.pages && !source.progress?.membersSeen) return <p className="text-sm text-blue-800">Starting…</p>;
      return (
        <p className="text-sm text-blue-800">
          {formatCount(source.progress?.membersSeen ?? 0)} members so far
          {source.progress?.pages ? ` (${plural(source.progress.pages, "page")})` : ""}
        </p>
      );
    case "synced":
      return <SyncedSummary source={source} />;
    case "needs_review":
      return source.review ? (
        <p className="text-sm text-orange-900">
          This sync would remove {formatCount(source.review.wouldRemove)} of {formatCount(source.review.current)} addresses
          {source.review.wouldAdd ? ` and add ${formatCount(source.review.wouldAdd)}` : ""}
          {source.review.connection
            ? `, after this scheduled run had already removed ${formatCount(source.review.connection.removedBefore)} of the directory's ${formatCount(source.review.connection.current)} addresses`
            : ""}
          . Nothing has been removed yet: confirm if that is expected.
        </p>
      ) : (
        <p className="text-sm text-orange-900">This sync would remove many addresses. Nothing has been removed yet.</p>
      );
    case "error":
      if (source.lastError?.code === "group_deleted") {
        // The diagnosis says what happened and what the audience keeps; nothing else needs repeating.
        return (
          <div className="text-sm text-red-900">
            <p className="font-medium">{source.lastError.title}</p>
            {source.lastError.fix ? <p>{source.lastError.fix}</p> : null}
          </div>
        );
      }
      return (
        <div className="text-sm text-red-900">
          <p className="font-medium">{source.lastError?.title ?? "The last sync failed."}</p>
          {source.lastError?.fix ? <p>{source.lastError.fix}</p> : null}
          <p className="text-slate-700">
            {source.lastGoodSyncAt
              ? `The audience keeps this group's members from the last good sync: ${formatTime(source.lastGoodSyncAt)}.`
              : "This group has not synced successfully yet (no last good sync), so it holds no one."}
          </p>
          {source.lastError?.details ? (
            <details className="text-slate-700">
              <summary className="cursor-pointer">Technical details for your IT team</summary>
              <p className="mt-1 break-words font-mono text-xs">{source.lastError.details}</p>
            </details>
          ) : null}
        </div>
      );
    default:
      return null;
  }
}

/**
 * Reconciles Azure's count with the audience's: members read from Azure = members in the audience + skipped
 * (by reason), for the last sync that applied.
 */
function SyncedSummary({ source }: { source: SourceStateView }) {
  const skipped = totalSkipped(source.skipped);
  const read = source.lastRuns.find((r) => r.outcome === "synced")?.membersSeen;
  return (
    <p className="text-sm text-slate-700">
      {read ? `${plural(read, "member")} in Azure → ` : ""}
      {formatCount(source.memberCount)} in the audience · synced {formatTime(source.lastSyncedAt)}
      {skipped > 0 ? (
        <>
          {" "}
          · <span className="whitespace-nowrap">skipped: {describeSkipped(source.skipped, formatCount)}</span>
        </>
      ) : (
        " · none skipped"
      )}
    </p>
  );
}

/** Kinds of group whose members can include org contacts (mail-enabled groups, distribution lists). */
const kindsWithContacts: GroupKind[] = ["distribution", "mail_security"];

/**
 * Why a distribution list's count in Azure is larger than its count here when "Sync contacts" is off: its
 * contacts are not read at all. The number is given when the sync counted them (skipped.contactsOff).
 */
export function contactsNotSynced(kind: GroupKind, syncContacts: boolean, skipped: SkippedCounts): string | null {
  if (syncContacts || !kindsWithContacts.includes(kind)) return null;
  const n = skipped.contactsOff ?? 0;
  if (n > 0) return `${plural(n, "contact")} not synced (Sync contacts is off)`;
  return "Contacts in this list are not synced (Sync contacts is off)";
}
