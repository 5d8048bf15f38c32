import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import type { PageContribution } from "./contribution";

/**
 * Where a job's enumeration is saved page by page (cursor: which stream, and the nextLink of the page to fetch
 * next). Stored as JSON text in sync_jobs.cursor.
 */
export interface EnumerationCursor {
  /** Index into the source's streams (users, then contacts). */
  stream: number;
  /** The nextLink to follow; null = the stream's first page. */
  next: string | null;
}

export function parseCursor(text: string | null): EnumerationCursor {
  if (!text) return { stream: 0, next: null };
  try {
    const c = JSON.parse(text) as Partial<EnumerationCursor>;
    return { stream: Number(c.stream) || 0, next: typeof c.next === "string" ? c.next : null };
  } catch {
    return { stream: 0, next: null };
  }
}

export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`sync job ${jobId} is no longer held by this worker (lease expired or job cancelled)`);
    this.name = "LeaseLostError";
  }
}

/**
 * Stages one page and records the job's progress in a single statement, so the page's rows and the cursor
 * that points past them commit together: a worker that dies between pages leaves a cursor that matches its
 * staging exactly, and the next claim neither repeats nor misses a page. The job row is locked and its lease
 * checked in the same statement; a worker that lost its lease stages nothing.
 *
 * Addresses travel as four arrays bound to `unnest` (four bind parameters whatever the page size). Duplicates
 * collapse on the staging key and are counted: rows offered minus rows inserted.
 */
export async function stagePage(
  db: Executor,
  input: {
    jobId: string;
    owner: string;
    leaseMs: number;
    page: PageContribution;
    /** Graph pages this statement stages (several when the database fell behind the reader). */
    pageCount: number;
    membersSeen: number;
    cursor: EnumerationCursor | null;
    retries: number;
    throttleWaitMs: number;
  },
): Promise<{ pages: number; membersSeen: number; staged: number }> {
  const { page } = input;
  const done = input.cursor === null;
  const rows = await queryRows<{ pages: number; members_seen: number; staged: number }>(
    db,
    sql`WITH cfg AS (
          -- Commit without waiting for the WAL flush, for this statement's own transaction only. Safe: staged rows
          -- and the cursor commit together, so a crash can only lose the last pages and the cursor that passed
          -- them as one; the job resumes from an earlier, consistent page. The apply still commits durably.
          SELECT set_config('synchronous_commit', 'off', true) AS v
        ), j AS (
          SELECT sync_jobs.id FROM sync_jobs, cfg
          WHERE sync_jobs.id = ${input.jobId}::uuid AND lease_owner = ${input.owner} AND status = 'running'
          FOR UPDATE OF sync_jobs
        ), ins AS (
          INSERT INTO sync_staging (job_id, email_normalized, email, name, object_id)
          SELECT j.id, t.k, t.e, t.n, t.o
          FROM j, unnest(${sql.param(page.keys)}::text[], ${sql.param(page.emails)}::text[],
                         ${sql.param(page.names)}::text[], ${sql.param(page.objectIds)}::text[]) AS t(k, e, n, o)
          ON CONFLICT (job_id, email_normalized) DO NOTHING
          RETURNING 1
        )
        UPDATE sync_jobs SET
          cursor = ${done ? null : JSON.stringify(input.cursor)},
          enumeration_done = ${done},
          pages = pages + ${input.pageCount},
          members_seen = members_seen + ${input.membersSeen},
          skipped_disabled = skipped_disabled + ${page.disabled},
          disabled_object_ids = disabled_object_ids || ${sql.param(page.disabledIds)}::text[],
          skipped_no_address = skipped_no_address + ${page.noAddress},
          skipped_contacts_off = skipped_contacts_off + ${page.contactsOff},
          skipped_duplicate = skipped_duplicate + (${page.keys.length} - (SELECT count(*) FROM ins)),
          retries = retries + ${input.retries},
          throttle_wait_ms = throttle_wait_ms + ${Math.round(input.throttleWaitMs)},
          lease_expires_at = now() + ${input.leaseMs} * interval '1 millisecond'
        WHERE id IN (SELECT id FROM j)
        RETURNING pages, members_seen, (SELECT count(*) FROM ins)::int AS staged`,
  );
  if (!rows[0]) throw new LeaseLostError(input.jobId);
  // staged: the addresses this statement added to staging (duplicates of earlier pages excluded).
  return { pages: Number(rows[0].pages), membersSeen: Number(rows[0].members_seen), staged: Number(rows[0].staged) };
}

/**
 * Starts a job's enumeration over (Graph no longer accepts its cursor): what was staged came from a listing
 * Graph has abandoned, so it is dropped with the counters, rather than mixed with a new listing. Returns how
 * many times this job has now started over (counted across attempts, so the caller can bound it).
 */
export async function restartEnumeration(db: Executor, jobId: string, owner: string): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await queryRows<{ cursor_restarts: number }>(
      tx,
      sql`UPDATE sync_jobs SET cursor = NULL, enumeration_done = false, pages = 0, members_seen = 0,
            skipped_disabled = 0, disabled_object_ids = '{}', skipped_no_address = 0, skipped_duplicate = 0, skipped_contacts_off = 0, cursor_restarts = cursor_restarts + 1
          WHERE id = ${jobId}::uuid AND lease_owner = ${owner} AND status = 'running'
          RETURNING cursor_restarts`,
    );
    if (!rows[0]) throw new LeaseLostError(jobId);
    await tx.execute(sql`DELETE FROM sync_staging WHERE job_id = ${jobId}::uuid`);
    return Number(rows[0].cursor_restarts);
  });
}

/**
 * Stages a whole set at once for a job that is not listing pages: what a delta round computed a source should
 * hold, kept for the confirmation when the mass-removal guard stopped it (lib/sync/delta-round.ts). Replaces
 * whatever the job had staged. Rows travel as arrays bound to `unnest`, in chunks.
 */
export async function stageWholeSet(
  tx: Executor,
  jobId: string,
  rows: Array<{ emailNormalized: string; email: string; name: string | null; objectId: string | null }>,
): Promise<void> {
  await tx.execute(sql`DELETE FROM sync_staging WHERE job_id = ${jobId}::uuid`);
  for (let i = 0; i < rows.length; i += 10_000) {
    const chunk = rows.slice(i, i + 10_000);
    await tx.execute(
      sql`INSERT INTO sync_staging (job_id, email_normalized, email, name, object_id)
          SELECT ${jobId}::uuid, t.k, t.e, t.n, t.o
          FROM unnest(${sql.param(chunk.map((r) => r.emailNormalized))}::text[], ${sql.param(chunk.map((r) => r.email))}::text[],
                      ${sql.param(chunk.map((r) => r.name))}::text[], ${sql.param(chunk.map((r) => r.objectId))}::text[]) AS t(k, e, n, o)
          ON CONFLICT (job_id, email_normalized) DO NOTHING`,
    );
  }
}
