import "server-only";
import type { Executor } from "@/db/client";
import type { DirectorySession } from "@/lib/directory/provider";
import type { Diagnosis, MemberStream } from "@/lib/directory/types";
import { looksLikeMissingUserRead, pageContribution, type ContributionRules, type PageContribution } from "./contribution";
import { hiddenMembershipDiagnosis, missingUserReadDiagnosis, SyncFailure } from "./failure";
import { PageReader, type FetchedPage } from "./page-reader";
import { parseCursor, restartEnumeration, stagePage, type EnumerationCursor } from "./staging";

export interface EnumerationProgress {
  jobId: string;
  pages: number;
  membersSeen: number;
  /** The current listing's size when Graph reported it (@odata.count), else null. */
  expected: number | null;
}

export interface EnumerateInput {
  jobId: string;
  owner: string;
  leaseMs: number;
  cursor: string | null;
  streams: MemberStream[];
  rules: ContributionRules;
  /** Epoch ms: no page is requested after this (but the first); the job is handed back with its cursor. */
  deadline: number;
  onPage?: (progress: EnumerationProgress) => void;
}

/** "complete": every page is staged. "paused": the time budget ran out first; the cursor is saved. */
export type EnumerationResult = "complete" | "paused";

/**
 * How often one job's listing may start over because Graph rejected its cursor. A skiptoken expires, and a
 * listing that keeps losing its place (a slow run over a very large group) would otherwise start over forever.
 */
export const MAX_CURSOR_RESTARTS = 3;

export function listingRestartsDiagnosis(restarts: number): Diagnosis {
  return {
    code: "listing_restarts",
    title: "Microsoft Graph kept rejecting the listing's page cursor",
    fix:
      `The member listing started over ${restarts} times because Microsoft Graph no longer accepted the link to its next page. ` +
      "Nothing was applied; the audience keeps its last good sync. Sync again later; if it keeps happening, the group is changing faster than it can be listed.",
  };
}

/** Pages merged into one staging statement at most (about 8,000 rows): bounds a statement's size. */
const MAX_PAGES_PER_STATEMENT = 8;

type PageItem = Extract<FetchedPage, { page: unknown }>;

function merge(items: PageItem[], rules: ContributionRules): { contribution: PageContribution; members: number } {
  const out: PageContribution = { keys: [], emails: [], names: [], objectIds: [], disabled: 0, disabledIds: [], noAddress: 0, contactsOff: 0 };
  let members = 0;
  for (const { page } of items) {
    const c = pageContribution(page.members, rules);
    out.keys.push(...c.keys);
    out.emails.push(...c.emails);
    out.names.push(...c.names);
    out.objectIds.push(...c.objectIds);
    out.disabled += c.disabled;
    out.disabledIds.push(...c.disabledIds);
    out.noAddress += c.noAddress;
    out.contactsOff += page.contactsOff;
    // Members read from Azure include the contacts left out, so "read = in the audience + skipped" reconciles.
    members += page.members.length + page.contactsOff;
  }
  return { contribution: out, members };
}

/**
 * A refused listing of a hidden-membership group: Graph lists such a group's members only to an app granted
 * Member.Read.Hidden (https://learn.microsoft.com/en-us/graph/api/group-list-transitivemembers), so the fix
 * names that permission rather than the general member-read one.
 */
function listingFailure(graph: DirectorySession, error: unknown, stream: MemberStream | undefined): unknown {
  const failure = graph.provider.classify(error);
  if (stream?.kind === "groupMembers" && stream.hiddenMembership && failure.request && failure.forbidden) {
    return new SyncFailure("group", hiddenMembershipDiagnosis(stream.groupObjectId, failure.message));
  }
  return error;
}

/**
 * Streams a source's members into staging. A PageReader requests pages back to back while pages already
 * read are classified and staged, so database work hides behind Graph's latency; each staging statement
 * commits its pages with the cursor past them, so a run cut short (budget, crash) resumes exactly there.
 */
export async function enumerateIntoStaging(db: Executor, graph: DirectorySession, input: EnumerateInput): Promise<EnumerationResult> {
  let statsSeen = { retries: graph.stats.retries, throttleWaitMs: graph.stats.throttleWaitMs };
  let expected: number | null = null;
  let reader = new PageReader(graph, input.streams, parseCursor(input.cursor), input.deadline);
  let last: EnumerationCursor | null | undefined; // undefined: nothing staged in this attempt yet

  const stage = async (items: PageItem[]) => {
    for (const { page } of items) {
      if (looksLikeMissingUserRead(page.members)) throw new SyncFailure("connection", missingUserReadDiagnosis());
      if (page.count !== null) expected = page.count;
    }
    const { contribution, members } = merge(items, input.rules);
    const stats = { retries: graph.stats.retries, throttleWaitMs: graph.stats.throttleWaitMs };
    const next = items[items.length - 1].next;
    const { pages, membersSeen } = await stagePage(db, {
      jobId: input.jobId,
      owner: input.owner,
      leaseMs: input.leaseMs,
      page: contribution,
      pageCount: items.length,
      membersSeen: members,
      cursor: next,
      retries: stats.retries - statsSeen.retries,
      throttleWaitMs: stats.throttleWaitMs - statsSeen.throttleWaitMs,
    });
    statsSeen = stats;
    last = next;
    input.onPage?.({ jobId: input.jobId, pages, membersSeen, expected });
  };

  try {
    for (;;) {
      const items = await reader.take();
      if (!items) return last === null ? "complete" : "paused";
      // Let the reader's next request leave first: its dispatch is a chain of microtasks that classifying and
      // serializing a page (a few ms of CPU) would otherwise delay, adding that time to every page of the chain.
      await new Promise<void>((resolve) => setImmediate(resolve));
      let batch: PageItem[] = [];
      for (const item of items) {
        if ("error" in item) {
          if (batch.length) await stage(batch);
          batch = [];
          // Graph no longer accepts the saved cursor (an expired skiptoken): start the listing over, a bounded
          // number of times per job (the count survives the job's attempts).
          if (graph.provider.classify(item.error, item.at.next).rejectedCursor) {
            reader.stop();
            const restarts = await restartEnumeration(db, input.jobId, input.owner);
            if (restarts > MAX_CURSOR_RESTARTS) throw new SyncFailure("group", listingRestartsDiagnosis(MAX_CURSOR_RESTARTS));
            last = undefined;
            reader = new PageReader(graph, input.streams, { stream: 0, next: null }, input.deadline);
            break;
          }
          throw listingFailure(graph, item.error, input.streams[item.at.stream]);
        }
        batch.push(item);
        if (batch.length === MAX_PAGES_PER_STATEMENT) {
          await stage(batch);
          batch = [];
        }
      }
      if (batch.length) await stage(batch);
      if (last === null) return "complete";
    }
  } finally {
    reader.stop();
  }
}
