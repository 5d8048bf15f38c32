import "server-only";
import { sql } from "drizzle-orm";
import { executeCount, queryRows, type Executor } from "@/db/client";
import { series as seriesTable } from "@/db/schema";
import { recordAudit, actorName, type AuditActor } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/actor";
import { requireSeries } from "@/lib/auth/actor";
import { isValidEmail, normalizeEmail } from "@/lib/email";
import { invalidInput } from "@/lib/errors";
import { storableText } from "@/lib/text/sanitize";
import { describeChanges } from "./change-log";
import { groupExclusionOf } from "./group-exclusions";
import { lockSeriesAudience, notExcluded } from "./holdings";

/**
 * Exclusions per series (docs/design.md, "Exclusions"): an excluded address never has a recipients row,
 * whatever source holds it. Holdings are left alone, so lifting an exclusion brings the address back exactly
 * when a source still holds it. Each change takes the series' audience lock, like every other audience writer,
 * so an exclusion and a concurrent sync cannot interleave into a recipient that should not exist.
 */
export const MAX_REASON_LENGTH = 500;

export interface ExclusionRow {
  email: string;
  reason: string | null;
  excludedBy: string;
  createdAt: Date;
}

type SeriesRow = typeof seriesTable.$inferSelect;

export function checkReason(reason: string | null | undefined): string | null {
  const text = storableText(reason ?? "").trim();
  if (text.length > MAX_REASON_LENGTH) throw invalidInput(`The reason is too long: use at most ${MAX_REASON_LENGTH} characters.`, { reason: `Use at most ${MAX_REASON_LENGTH} characters.` });
  return text || null;
}

function checkEmail(raw: unknown): string {
  const email = typeof raw === "string" ? storableText(raw).trim() : "";
  if (!email) throw invalidInput("Give the email address to exclude.", { email: "Enter an email address." });
  if (!isValidEmail(email)) throw invalidInput(`"${email.slice(0, 254)}" is not a valid email address.`, { email: "Enter a valid email address, like name@example.com." });
  return email;
}

export interface ExcludeResult {
  email: string;
  /** False when the address was already excluded (nothing changed). */
  created: boolean;
  /** True when the address was in the audience and has now left it. */
  leftAudience: boolean;
}

/** Excludes addresses of a series already authorized by the caller, in one transaction with its audit entry. */
export async function applyExclusions(
  db: Executor,
  by: AuditActor,
  series: SeriesRow,
  rows: { email: string }[],
  reason: string | null,
  audit: { action: "exclusion.add" | "exclusion.import"; details?: Record<string, unknown> } = { action: "exclusion.add" },
): Promise<{ created: string[]; leftAudience: string[] }> {
  const seen = new Map<string, string>();
  for (const r of rows) if (!seen.has(normalizeEmail(r.email))) seen.set(normalizeEmail(r.email), r.email.trim());
  const keys = sql.param([...seen.keys()]);
  const emails = sql.param([...seen.values()]);
  const userId = by.kind === "user" ? by.actor.userId : null;
  return db.transaction(async (tx) => {
    await lockSeriesAudience(tx, series.id);
    await describeChanges(tx, { removed: reason ? `excluded: ${reason}` : "excluded", actor: actorName(by) });
    const created = await queryRows<{ email_normalized: string }>(
      tx,
      sql`INSERT INTO series_exclusions (series_id, email_normalized, email, reason, excluded_by, excluded_by_user_id)
          SELECT ${series.id}::uuid, t.k, t.e, ${reason}, ${actorName(by)}, ${userId}::uuid
          FROM unnest(${keys}::text[], ${emails}::text[]) AS t(k, e)
          ON CONFLICT (series_id, email_normalized) DO NOTHING
          RETURNING email_normalized`,
    );
    const left = await queryRows<{ email_normalized: string }>(
      tx,
      sql`DELETE FROM recipients r
          WHERE r.series_id = ${series.id}::uuid AND r.email_normalized = ANY(${keys}::text[])
          RETURNING r.email_normalized`,
    );
    if (created.length > 0) {
      const details = audit.action === "exclusion.add" ? { email: seen.get(created[0].email_normalized), reason } : { ...audit.details, excluded: created.length, reason };
      await recordAudit(tx, by, { organizationId: series.organizationId, action: audit.action, targetType: "series", targetId: series.id, details });
    }
    return { created: created.map((r) => r.email_normalized), leftAudience: left.map((r) => r.email_normalized) };
  });
}

/** Lifts one exclusion: the address comes back only if a source of the series still holds it. */
export async function liftExclusionOf(db: Executor, by: AuditActor, series: SeriesRow, rawEmail: unknown): Promise<{ email: string; lifted: boolean; restored: boolean }> {
  const email = checkEmail(rawEmail);
  const key = normalizeEmail(email);
  return db.transaction(async (tx) => {
    await lockSeriesAudience(tx, series.id);
    const gone = await executeCount(tx, sql`DELETE FROM series_exclusions WHERE series_id = ${series.id}::uuid AND email_normalized = ${key}`);
    if (gone === 0) return { email, lifted: false, restored: false };
    await describeChanges(tx, { added: "exclusion lifted", actor: actorName(by) });
    // The first holding's spelling and name, as if the address were being added now by its oldest source.
    const restored = await executeCount(
      tx,
      sql`INSERT INTO recipients (series_id, email_normalized, email, name)
          SELECT rs.series_id, rs.email_normalized, rs.email, rs.name FROM recipient_sources rs
          WHERE rs.series_id = ${series.id}::uuid AND rs.email_normalized = ${key}
            AND ${notExcluded(series.id, "rs.email_normalized")}
          ORDER BY rs.created_at LIMIT 1
          ON CONFLICT (series_id, email_normalized) DO NOTHING`,
    );
    await recordAudit(tx, by, { organizationId: series.organizationId, action: "exclusion.lift", targetType: "series", targetId: series.id, details: { email, restored: restored > 0 } });
    return { email, lifted: true, restored: restored > 0 };
  });
}

/** Excludes one address of a series on behalf of an already-authorized caller (a person or an API token). */
export async function excludeAddressOf(db: Executor, by: AuditActor, series: SeriesRow, input: { email: unknown; reason?: string | null }): Promise<ExcludeResult> {
  const email = checkEmail(input.email);
  const reason = checkReason(input.reason);
  const { created, leftAudience } = await applyExclusions(db, by, series, [{ email }], reason);
  return { email, created: created.length > 0, leftAudience: leftAudience.length > 0 };
}

/** "Exclude an address" on the Audience page. Editors and admins of the series' organization only. */
export async function excludeAddress(db: Executor, actor: Actor | null, input: { seriesId: string; email: string; reason?: string | null }): Promise<ExcludeResult> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  return excludeAddressOf(db, { kind: "user", actor: actor! }, series, input);
}

export async function liftExclusion(db: Executor, actor: Actor | null, input: { seriesId: string; email: string }) {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  return liftExclusionOf(db, { kind: "user", actor: actor! }, series, input.email);
}

/** The exclusion of one address, if any: for the "why" lookup. The caller has authorized the series. */
export async function exclusionOf(db: Executor, seriesId: string, email: string): Promise<ExclusionRow | null> {
  const [row] = await queryRows<{ email: string; reason: string | null; excluded_by: string; created_at: string | Date }>(
    db,
    sql`SELECT email, reason, excluded_by, created_at FROM series_exclusions
        WHERE series_id = ${seriesId}::uuid AND email_normalized = ${normalizeEmail(email)}`,
  );
  if (row) return { email: row.email, reason: row.reason, excludedBy: row.excluded_by, createdAt: new Date(row.created_at) };
  // Otherwise a group the series excludes may hold it ("excluded by Ada on 3 Dec: member of Contractors: …").
  const group = await groupExclusionOf(db, seriesId, email);
  return group ? { email, reason: `member of ${group.label}${group.reason ? `: ${group.reason}` : ""}`, excludedBy: group.excludedBy, createdAt: group.createdAt } : null;
}

export interface ExclusionListRow extends ExclusionRow {
  /** Whether a source of the series holds the address (it would be a recipient but for the exclusion). */
  held: boolean;
}

/** The series' exclusions, newest first, with whether a source holds each address. */
export async function listExclusions(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; q?: string | null; limit?: number },
): Promise<{ rows: ExclusionListRow[]; total: number }> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  const q = input.q?.trim().slice(0, 200) ?? "";
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const where = q ? sql`x.series_id = ${series.id}::uuid AND x.email ILIKE ${like}` : sql`x.series_id = ${series.id}::uuid`;
  const [{ n }] = await queryRows<{ n: number | string }>(db, sql`SELECT count(*) AS n FROM series_exclusions x WHERE ${where}`);
  const rows = await queryRows<{ email: string; reason: string | null; excluded_by: string; created_at: string | Date; held: boolean }>(
    db,
    sql`SELECT x.email, x.reason, x.excluded_by, x.created_at,
               EXISTS (SELECT 1 FROM recipient_sources rs WHERE rs.series_id = x.series_id AND rs.email_normalized = x.email_normalized) AS held
        FROM series_exclusions x WHERE ${where}
        ORDER BY x.created_at DESC, x.email_normalized LIMIT ${Math.min(Math.max(input.limit ?? 200, 1), 1000)}`,
  );
  return {
    total: Number(n),
    rows: rows.map((r) => ({ email: r.email, reason: r.reason, excludedBy: r.excluded_by, createdAt: new Date(r.created_at), held: Boolean(r.held) })),
  };
}

export async function countExclusions(db: Executor, seriesId: string): Promise<number> {
  // Addresses excluded one by one or as members of an excluded group, each once.
  const [{ n }] = await queryRows<{ n: number | string }>(
    db,
    sql`SELECT count(*) AS n FROM (
          SELECT email_normalized FROM series_exclusions WHERE series_id = ${seriesId}::uuid
          UNION SELECT email_normalized FROM group_exclusion_members WHERE series_id = ${seriesId}::uuid) t`,
  );
  return Number(n);
}
