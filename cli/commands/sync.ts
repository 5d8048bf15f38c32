import { and, eq, inArray, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { audienceSources, directoryGroups, syncJobs } from "@/db/schema";
import { enqueueJob } from "@/lib/jobs/queue";
import { afterDueWork, prepareDueWork } from "@/lib/sync/cron";
import type { RoundsSummary } from "@/lib/sync/delta-cadence";
import { connectionsWithSyncedGroups, runConnectionRound, type RoundReport } from "@/lib/sync/delta-round";
import { CallRemovalGuard } from "@/lib/sync/removal-guard";
import { applyReviewedSet, runQueuedWork, type WorkEvent, type WorkSummary } from "@/lib/sync/verbs";
import { workerName } from "@/lib/sync/worker";
import { UsageError, type CommandContext, type CommandGroup } from "../command";
import { isUuid } from "@/lib/uuid";

const n = (x: number) => x.toLocaleString("en-US");

/** "[#########-----------]  45% 45,000 / 100,000 members, page 46" (no bar when Graph gave no total). */
export function progressLine(label: string, p: { membersSeen: number; pages: number; expected: number | null }, width = 24): string {
  if (!p.expected) return `${label}: ${n(p.membersSeen)} members so far, page ${n(p.pages)}`;
  const share = Math.min(1, p.membersSeen / p.expected);
  const filled = Math.round(share * width);
  return `${label}: [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${n(p.membersSeen)} / ${n(p.expected)} members, page ${n(p.pages)}`;
}

function reporter(ctx: CommandContext, labels: Map<string, string>) {
  return (event: WorkEvent) => {
    const label = labels.get(event.type === "page" ? event.progress.jobId : event.job.id) ?? "group";
    if (event.type === "claimed") labels.set(event.job.id, labels.get(event.job.id) ?? `job ${event.job.id.slice(0, 8)}`);
    else if (event.type === "page") ctx.progress(progressLine(label, event.progress));
    else ctx.out(`${label}: ${event.outcome.replace("_", " ")}`);
  };
}

function printSummary(ctx: CommandContext, summary: WorkSummary) {
  ctx.out(
    `claimed ${summary.claimed}, completed ${summary.completed}, needs review ${summary.needsReview}, failed ${summary.failed}, ` +
      `interrupted ${summary.interrupted}, remaining ${summary.remaining}`,
  );
}

/** One line per incremental round: what it read and what it changed. */
export function roundLine(r: RoundReport): string {
  const what = r.mode === "full" ? `full pass${r.fullReason && r.fullReason !== "requested" ? ` (${r.fullReason})` : ""}` : "delta round";
  if (r.outcome === "failed") return `connection ${r.connectionId}: ${what} failed, nothing applied: ${r.error?.title ?? "unknown error"}`;
  if (r.outcome === "superseded") return `connection ${r.connectionId}: ${what} not applied (another round committed first)`;
  const drift = r.drift === null ? "" : `, drift ${n(r.drift)}`;
  const held = r.needsReview ? `, ${r.needsReview} held for review` : "";
  return `connection ${r.connectionId}: ${what}, ${n(r.requests)} request${r.requests === 1 ? "" : "s"}; +${n(r.added)} −${n(r.removed)} addresses in ${r.changedSources} group${r.changedSources === 1 ? "" : "s"}${held}${drift}`;
}

function roundsLine(d: RoundsSummary | { error: true }): string {
  if ("error" in d) return "Checking for changes failed (see the log).";
  return `Checked ${d.connections} connection${d.connections === 1 ? "" : "s"} for changes: ${d.deltaRounds} delta round${d.deltaRounds === 1 ? "" : "s"}, ${d.fullPasses} full pass${d.fullPasses === 1 ? "" : "es"}; +${n(d.added)} −${n(d.removed)} addresses${d.needsReview ? `, ${d.needsReview} held for review` : ""}${d.drift === null ? "" : `, drift ${n(d.drift)}`}${d.failed ? `, ${d.failed} failed` : ""}.`;
}

/** Job id → its group's label, for every job that may run now. */
async function activeJobLabels(db: Db): Promise<Map<string, string>> {
  const rows = await db
    .select({ jobId: syncJobs.id, label: audienceSources.label })
    .from(syncJobs)
    .innerJoin(audienceSources, eq(audienceSources.id, syncJobs.sourceId))
    .where(inArray(syncJobs.status, ["queued", "running"]));
  return new Map(rows.map((r) => [r.jobId, r.label]));
}

/** The series' source for a group given by catalog id, Azure object id, or "entire-directory". */
async function findSource(db: Db, seriesId: string, group: string) {
  if (!isUuid(seriesId)) throw new UsageError("--series must be a series id (a UUID).");
  if (group === "entire-directory") {
    const rows = await db.select().from(audienceSources).where(and(eq(audienceSources.seriesId, seriesId), eq(audienceSources.kind, "directory_all")));
    if (rows.length !== 1) throw new UsageError(rows.length ? "Several directories are synced entirely; give a group id instead." : "This series does not sync an entire directory.");
    return rows[0];
  }
  const groups = await db
    .select({ id: directoryGroups.id })
    .from(directoryGroups)
    .where(isUuid(group) ? or(eq(directoryGroups.id, group), eq(directoryGroups.objectId, group)) : eq(directoryGroups.objectId, group));
  if (groups.length === 0) throw new UsageError(`No group ${group} in any connection's catalog.`);
  const [source] = await db
    .select()
    .from(audienceSources)
    .where(and(eq(audienceSources.seriesId, seriesId), inArray(audienceSources.directoryGroupId, groups.map((g) => g.id))));
  if (!source) throw new UsageError(`Group ${group} is not ticked for series ${seriesId}.`);
  return source;
}

export const syncCommands: CommandGroup = {
  name: "sync",
  summary: "Run due directory syncs, one group's sync, or confirm a held-back mass removal",
  defaultSubcommand: "run",
  subcommands: {
    run: {
      summary: "Sync what is due, or one group of one series (with --confirm: apply the removals waiting for review)",
      options: {
        due: { type: "boolean", description: "what the cron does: queue every due group, run all queued work, check every connection for changes" },
        connection: { type: "string", description: "check one connection's synced groups for changes now (a delta round)", placeholder: "connection-id" },
        full: { type: "boolean", description: "a full re-read instead of a delta round (alone: every connection with synced groups)" },
        series: { type: "string", description: "series id", placeholder: "series-id" },
        group: { type: "string", description: "group: catalog id, Azure object id, or entire-directory", placeholder: "group-id" },
        confirm: { type: "boolean", description: "with --series and --group: confirm the mass removal held at Needs review" },
        budget: { type: "string", description: "stop starting new pages after this many seconds (default 3600)", placeholder: "seconds" },
        concurrency: { type: "string", description: "groups synced side by side (default 8)", placeholder: "n" },
      },
      details: [
        "Examples:",
        "  npm run roster -- sync --due",
        "  npm run roster -- sync --connection <connection-id>          (a delta round: changes only)",
        "  npm run roster -- sync --full [--connection <connection-id>] (a full re-read, which also reseeds change tracking)",
        "  npm run roster -- sync --series <series-id> --group <group-id>",
        "  npm run roster -- sync --confirm --series <series-id> --group <group-id>",
        "",
        "Uses the same job queue as the cron route: safe to run beside it; a group already syncing elsewhere is not synced twice.",
      ],
      async run(ctx, { options }) {
        const budgetMs = options.budget ? Number(options.budget) * 1000 : 3_600_000;
        if (!Number.isFinite(budgetMs) || budgetMs <= 0) throw new UsageError("--budget must be a positive number of seconds.");
        const concurrency = options.concurrency ? Number(options.concurrency) : undefined;
        if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)) throw new UsageError("--concurrency must be 1 to 32.");
        const db = await ctx.db();
        const owner = workerName("cli");

        if (options.due) {
          if (options.series || options.group || options.confirm) throw new UsageError("--due takes no --series, --group or --confirm.");
          // What the cron route does (lib/sync/cron.ts): secret expiry, what is due, then the queued work.
          if (options.full || options.connection) throw new UsageError("--due takes no --full or --connection.");
          const { due: queued, connections, dueConnectionIds } = await prepareDueWork(db);
          const { catalogsRefreshed, catalogsFailed, secretsExpired } = connections;
          ctx.out(`Queued ${queued} due group sync${queued === 1 ? "" : "s"}; refreshed ${catalogsRefreshed} group catalog${catalogsRefreshed === 1 ? "" : "s"}${catalogsFailed ? ` (${catalogsFailed} failed)` : ""}.`);
          if (secretsExpired > 0) ctx.out(`${secretsExpired} connection${secretsExpired === 1 ? "'s" : "s'"} client secret expired: marked failing with the fix (see the connection's page).`);
          const removalGuard = new CallRemovalGuard();
          const summary = await runQueuedWork(db, { budgetMs, owner, concurrency, removalGuard, onProgress: reporter(ctx, await activeJobLabels(db)) });
          printSummary(ctx, summary);
          const { delta } = await afterDueWork(db, new Date(), { dueConnectionIds, removalGuard });
          ctx.out(roundsLine(delta));
          return summary.failed > 0 || ("failed" in delta && delta.failed > 0) ? 1 : 0;
        }

        if (options.connection || options.full) {
          if (options.series || options.group || options.confirm) throw new UsageError("--connection and --full take no --series, --group or --confirm.");
          if (options.connection && !isUuid(String(options.connection))) throw new UsageError("--connection must be a connection id (a UUID).");
          const synced = await connectionsWithSyncedGroups(db);
          const ids = options.connection ? [String(options.connection)] : synced;
          if (options.connection && !synced.includes(ids[0])) throw new UsageError(`Connection ${ids[0]} has no synced groups (or is not active).`);
          if (ids.length === 0) {
            ctx.out("No connection has synced groups; nothing to do.");
            return 0;
          }
          let failed = 0;
          for (const id of ids) {
            const r = await runConnectionRound(db, id, { trigger: "operator", full: options.full ? "requested" : undefined, deadline: Date.now() + budgetMs });
            ctx.out(roundLine(r));
            if (r.outcome === "failed") failed++;
          }
          return failed > 0 ? 1 : 0;
        }

        if (!options.series || !options.group) throw new UsageError("Give --due, --connection, --full, or both --series and --group.");
        const source = await findSource(db, String(options.series), String(options.group));
        if (options.confirm) {
          const counts = await applyReviewedSet(db, { sourceId: source.id, by: { kind: "operator", label: "cli" } });
          ctx.out(`${source.label}: applied; ${n(counts.added)} added, ${n(counts.removed)} removed, ${n(counts.total)} addresses now held.`);
          return 0;
        }
        if (!source.selected) throw new UsageError(`${source.label} is not ticked for this series.`);
        const { jobId } = await enqueueJob(db, { sourceId: source.id, seriesId: source.seriesId, connectionId: source.connectionId!, reason: "operator" });
        const summary = await runQueuedWork(db, { budgetMs, owner, jobId, onProgress: reporter(ctx, new Map([[jobId, source.label]])) });
        if (summary.claimed === 0) {
          ctx.out(`${source.label}: already being synced by another worker (or waiting out a throttling pause); nothing done here.`);
          return 1;
        }
        printSummary(ctx, summary);
        return summary.failed > 0 ? 1 : 0;
      },
    },
  },
};
