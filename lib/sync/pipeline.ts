import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db, type Executor } from "@/db/client";
import { logError } from "@/lib/log";
import type { PageContribution } from "./contribution";

/**
 * The pipelined apply: on PostgreSQL, a first sync writes each page into the audience tables while the next
 * page is on its way from Graph, inside one transaction that commits only when the whole listing is in, so the
 * last page is followed by a short final step instead of the whole apply.
 *
 * It is an accelerator, never the record. Every page is still staged and committed with the cursor (resume,
 * crash, review and the fallback all work from staging); the mirror is a second, uncommitted copy of the same
 * pages in the audience tables. Whenever the pipeline stops early (another writer wants the series, an error,
 * a restarted listing, the budget) its transaction rolls back and the job applies from staging as usual.
 *
 * Two ways, chosen when it opens:
 *  - the whole audience, when the series is quiet (no other job of the series queued, and its audience lock,
 *    lockSeriesAudience, free right now): it takes that lock, the one every writer of the series takes, and
 *    writes both the source's holdings and the series' new recipients, so after the last page only removals
 *    remain;
 *  - the holdings only, when the series is busy (several groups of one series syncing together): without the
 *    lock, it writes only rows keyed by its own source, which no one else writes. After the last page it takes
 *    the lock and adds the recipients its holdings lack, in one anti-join, instead of the whole apply.
 * Either way it never makes anyone wait long: after every page, and twice a second while it waits for one, it
 * checks whether any transaction is waiting on it; if one is, it rolls back at once and the job falls back to
 * its staging.
 *
 * Not on PGlite: one embedded connection cannot hold a transaction open beside the staging writes.
 */

/** What the mirror has written so far, in its uncommitted transaction, and what staging holds beside it. */
export interface Mirrored {
  /** Whether the pipeline holds the series' audience lock and writes recipients too (else holdings only). */
  holdsSeries: boolean;
  /** Addresses the source held when the pipeline opened (only the source's own job changes them). */
  heldBefore: number;
  /** Addresses staged in this attempt, as the staging statements reported them. */
  staged: number;
  /** Addresses the source newly holds. */
  added: number;
  /** Recipients new to the series (holding the series only; else the final step adds them). */
  created: number;
  /** Time spent in the mirror's statements. */
  statementMs: number;
}

export type PipelineStop = "contended" | "behind" | "error" | "abandoned";

/**
 * Rows the mirror may fall behind the listing. Beyond that the database, not Graph, is the slow side, and
 * writing every page twice (staging and mirror) would slow the listing down: the pipeline gives up and the job
 * applies from staging in one set-based pass, the cheaper way when nothing is left to hide behind.
 */
const MAX_BEHIND_ROWS = 3_000;
/** Pipelines one process runs at once: each holds a pooled connection for the length of its listing. */
const MAX_OPEN = 2;
/** While it waits for a page, the pipeline looks for waiters this often. */
const IDLE_CHECK_MS = 500;

let open = 0;

/**
 * A postgres.js pool can hold a transaction on one connection while staging commits on another; PGlite, one
 * embedded connection, cannot. Told apart by the client drizzle wraps.
 */
function canPipeline(db: Executor): boolean {
  const client = (db as { $client?: { reserve?: unknown } }).$client;
  return typeof client?.reserve === "function";
}

/** True when some transaction waits on this one (a lock it holds): the pipeline then gives way. */
const WAITERS = sql`EXISTS (SELECT 1 FROM pg_locks
                            WHERE locktype = 'transactionid' AND NOT granted
                              AND transactionid = mod(pg_current_xact_id()::text::bigint, 4294967296)::text::xid)`;

class Stop extends Error {
  constructor(readonly reason: PipelineStop) {
    super(`pipeline stopped: ${reason}`);
  }
}

type FinalStep<T> = (tx: Executor, mirrored: Mirrored) => Promise<T>;

export class AudiencePipeline {
  readonly mirrored: Mirrored = { holdsSeries: false, heldBefore: 0, staged: 0, added: 0, created: 0, statementMs: 0 };
  /** Why the pipeline stopped before its final step, if it did. */
  stopped: PipelineStop | null = null;

  private pages: PageContribution[] = [];
  private queuedRows = 0;
  private final: { step: FinalStep<unknown> } | null = null;
  private finalError: { error: unknown } | null = null;
  private finalValue: unknown;
  private wakeMirror: (() => void) | null = null;
  private readonly ended: Promise<void>;

  private constructor(
    private readonly db: Db,
    private readonly input: { jobId: string; sourceId: string; seriesId: string },
    onStarted: (started: boolean) => void,
  ) {
    this.ended = this.run(onStarted);
  }

  /**
   * Opens a pipeline for a job's first attempt, or returns null when it should apply from staging alone
   * (PGlite, or the process's pipelines all in use).
   */
  static async open(db: Executor, input: { jobId: string; sourceId: string; seriesId: string }): Promise<AudiencePipeline | null> {
    if (!canPipeline(db) || open >= MAX_OPEN) return null;
    open++;
    let started!: (ok: boolean) => void;
    const ready = new Promise<boolean>((resolve) => (started = resolve));
    const pipeline = new AudiencePipeline(db as Db, input, started);
    void pipeline.ended.finally(() => open--);
    return (await ready) ? pipeline : null;
  }

  private async run(onStarted: (started: boolean) => void): Promise<void> {
    const { jobId, sourceId, seriesId } = this.input;
    let started = false;
    try {
      await this.db.transaction(async (tx) => {
        const [gate] = await queryRows<{ others: boolean; held: number }>(
          tx,
          sql`SELECT EXISTS (SELECT 1 FROM sync_jobs WHERE series_id = ${seriesId}::uuid AND id <> ${jobId}::uuid
                               AND status IN ('queued', 'running')) AS others,
                     (SELECT count(*) FROM recipient_sources WHERE source_id = ${sourceId}::uuid)::int AS held`,
        );
        // Counted now, while the first page is still on its way, so that the final step needs no count.
        this.mirrored.heldBefore = Number(gate.held);
        if (!gate.others) {
          const locked = await queryRows(tx, sql`SELECT id FROM series WHERE id = ${seriesId}::uuid FOR NO KEY UPDATE SKIP LOCKED`);
          this.mirrored.holdsSeries = locked.length > 0;
        }
        started = true;
        onStarted(true);

        for (;;) {
          const page = await this.nextPage(tx);
          if (!page) break;
          const t = performance.now();
          const rows = sql`INSERT INTO recipient_sources (source_id, series_id, email_normalized, email, name, object_id)
                  SELECT ${sourceId}::uuid, ${seriesId}::uuid, t.k, t.e, t.n, t.o
                  FROM unnest(${sql.param(page.keys)}::text[], ${sql.param(page.emails)}::text[],
                              ${sql.param(page.names)}::text[], ${sql.param(page.objectIds)}::text[]) AS t(k, e, n, o)
                  ON CONFLICT (source_id, email_normalized) DO NOTHING`;
          const [r] = await queryRows<{ added: number; created: number; contended: boolean }>(
            tx,
            this.mirrored.holdsSeries
              ? sql`WITH added AS (${rows} RETURNING email_normalized, email, name),
                    created AS (
                      INSERT INTO recipients (series_id, email_normalized, email, name)
                      SELECT ${seriesId}::uuid, a.email_normalized, a.email, a.name FROM added a
                      ON CONFLICT (series_id, email_normalized) DO NOTHING
                      RETURNING 1
                    )
                    SELECT (SELECT count(*) FROM added)::int AS added, (SELECT count(*) FROM created)::int AS created, ${WAITERS} AS contended`
              : sql`WITH added AS (${rows} RETURNING 1)
                    SELECT (SELECT count(*) FROM added)::int AS added, 0 AS created, ${WAITERS} AS contended`,
          );
          this.mirrored.statementMs += performance.now() - t;
          this.mirrored.added += Number(r.added);
          this.mirrored.created += Number(r.created);
          if (r.contended) throw new Stop("contended");
        }

        const t = performance.now();
        try {
          this.finalValue = await this.final!.step(tx, this.mirrored);
        } catch (error) {
          this.finalError = { error };
          throw error;
        } finally {
          this.mirrored.statementMs += performance.now() - t;
        }
      });
    } catch (error) {
      if (this.finalError) return;
      if (error instanceof Stop) this.stopped = error.reason;
      else {
        logError(`sync job ${jobId}: the pipelined apply stopped; applying from staging instead`, error);
        this.stopped = "error";
      }
    } finally {
      if (!started) onStarted(false);
    }
  }

  /** The next page to mirror, or null once the final step is due. Rolls back (Stop) when it should give way. */
  private async nextPage(tx: Executor): Promise<PageContribution | null> {
    for (;;) {
      if (this.stopped) throw new Stop(this.stopped);
      const page = this.pages.shift();
      if (page) {
        this.queuedRows -= page.keys.length;
        return page;
      }
      if (this.final) return null;
      const woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), IDLE_CHECK_MS);
        this.wakeMirror = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.wakeMirror = null;
      if (!woken) {
        const [w] = await queryRows<{ contended: boolean }>(tx, sql`SELECT ${WAITERS} AS contended`);
        if (w?.contended) throw new Stop("contended");
      }
    }
  }

  /** Hands a staged page to the mirror. Never waits: a mirror too far behind gives up instead (MAX_BEHIND_ROWS). */
  offer(page: PageContribution): void {
    if (this.stopped || this.final) return;
    this.pages.push(page);
    this.queuedRows += page.keys.length;
    if (this.queuedRows > MAX_BEHIND_ROWS) {
      this.stopped = "behind";
      this.pages = [];
    }
    this.wakeMirror?.();
  }

  /**
   * Runs the final step in the pipeline's transaction once every page is mirrored, and commits. Returns
   * `{ value }`, or null when the pipeline had stopped (the caller applies from staging). An error thrown by the
   * step rolls everything back and is rethrown.
   */
  async finish<T>(step: FinalStep<T>): Promise<{ value: T } | null> {
    if (!this.stopped) {
      this.final = { step };
      this.wakeMirror?.();
    }
    await this.ended;
    if (this.finalError) throw this.finalError.error;
    if (this.stopped || !this.final) return null;
    return { value: this.finalValue as T };
  }

  /** Staging took `addresses` more (every staging statement reports it, whether or not the mirror keeps up). */
  noteStaged(addresses: number): void {
    this.mirrored.staged += addresses;
  }

  /** Stops mirroring and rolls back (idempotent); resolves once the connection is released. */
  async abandon(): Promise<void> {
    if (!this.final && !this.stopped) this.stopped = "abandoned";
    this.pages = [];
    this.wakeMirror?.();
    await this.ended;
  }
}
