/**
 * The cost of the triggers on `recipients` (docs/adr/0014-exclusions-change-log-thresholds.md): the exclusion
 * check (statement-level, AFTER INSERT, migration statement_exclusion_check; the writers' own statements leave
 * excluded addresses out, so it only refuses a statement that did not) and the change log (statement-level,
 * AFTER INSERT / AFTER DELETE with transition tables, migration audience_change_log). One directory apply of
 * BENCH_ROWS staged addresses into an empty audience, and the apply that removes them all again, through the
 * product's own applyStagedSet, with the triggers on and off, alternately, back to back. Prints figures;
 * judges nothing.
 *
 *   npm run bench -- triggers   (or as part of the whole `npm run bench`)
 *   BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432), BENCH_ROWS (100000), BENCH_ROUNDS (3),
 *   BENCH_EXCLUSIONS (1000, the series' exclusions)
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDb, type Db } from "../db/client";
import { migrationsFolder } from "../db/migrate";
import { applyStagedSet } from "../lib/sync/apply";

const SERVER = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432";
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EXCLUSIONS = Number(process.env.BENCH_EXCLUSIONS ?? 1_000);
const TRIGGERS = ["recipients_refuse_excluded", "recipients_added_log", "recipients_removed_log"];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runTriggersBench(): Promise<Record<string, number | string>> {
  const name = `roster_triggers_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(`${SERVER}/postgres`, { onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const handle = await openDb(`${SERVER}/${name}`);
  try {
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await migrate(handle.db as any, { migrationsFolder });
    const db = handle.db;
    const { seriesId, sourceId, fullJob, emptyJob } = await arrange(db);
    const modes = { on: TRIGGERS, off: [], guard: [TRIGGERS[0]], log: TRIGGERS.slice(1) } as const;
    type Mode = keyof typeof modes;
    const timings = Object.fromEntries(Object.keys(modes).map((k) => [k, { add: [] as number[], remove: [] as number[] }])) as Record<Mode, { add: number[]; remove: number[] }>;
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of Object.keys(modes) as Mode[]) {
        const enabled: readonly string[] = modes[mode];
        for (const t of TRIGGERS) await db.execute(sql.raw(`ALTER TABLE recipients ${enabled.includes(t) ? "ENABLE" : "DISABLE"} TRIGGER ${t}`));
        await db.execute(sql`VACUUM ANALYZE recipients`).catch(() => undefined);
        const apply = async (jobId: string) => {
          const started = performance.now();
          const counts = await db.transaction((tx) => applyStagedSet(tx, { jobId, sourceId, seriesId, guard: false }));
          return { ms: performance.now() - started, counts };
        };
        const add = await apply(fullJob);
        if (add.counts.recipientsAdded !== ROWS - EXCLUSIONS) throw new Error(`the apply added ${add.counts.recipientsAdded}, not ${ROWS - EXCLUSIONS}`);
        const remove = await apply(emptyJob);
        timings[mode].add.push(add.ms);
        timings[mode].remove.push(remove.ms);
        await db.execute(sql`TRUNCATE audience_changes`);
      }
    }
    for (const t of TRIGGERS) await db.execute(sql.raw(`ALTER TABLE recipients ENABLE TRIGGER ${t}`));
    const m = (mode: Mode, kind: "add" | "remove") => median(timings[mode][kind]);
    const per100k = (ms: number) => Math.round((ms * 100_000) / ROWS);
    const pct = (on: number, off: number) => `${Math.round(((on - off) / off) * 100)} %`;
    return {
      [`triggers: apply adding ${ROWS.toLocaleString("en-US")} (ms, with / without)`]: `${Math.round(m("on", "add"))} / ${Math.round(m("off", "add"))}`,
      [`triggers: apply removing ${ROWS.toLocaleString("en-US")} (ms, with / without)`]: `${Math.round(m("on", "remove"))} / ${Math.round(m("off", "remove"))}`,
      "triggers: cost per 100,000 added (ms)": per100k(m("on", "add") - m("off", "add")),
      "triggers: cost per 100,000 removed (ms)": per100k(m("on", "remove") - m("off", "remove")),
      "triggers: exclusion check alone, per 100,000 added (ms)": per100k(m("guard", "add") - m("off", "add")),
      "triggers: change log alone, per 100,000 added / removed (ms)": `${per100k(m("log", "add") - m("off", "add"))} / ${per100k(m("log", "remove") - m("off", "remove"))}`,
      "triggers: share of the adding apply": pct(m("on", "add"), m("off", "add")),
      "triggers: share of the removing apply": pct(m("on", "remove"), m("off", "remove")),
      "triggers: rounds (median of)": ROUNDS,
    };
  } finally {
    await handle.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** A series with one directory source, EXCLUSIONS exclusions, a job with ROWS staged addresses and one with none. */
async function arrange(db: Db) {
  const one = async <T>(q: ReturnType<typeof sql>) => ((await db.execute(q)) as unknown as T[])[0];
  const org = await one<{ id: string }>(sql`INSERT INTO organizations (name) VALUES ('Bench') RETURNING id`);
  const series = await one<{ id: string }>(sql`INSERT INTO series (organization_id, name) VALUES (${org.id}::uuid, 'Bench') RETURNING id`);
  const connection = await one<{ id: string }>(
    sql`INSERT INTO directory_connections (name, tenant_id, client_id, secret_id, secret_hint, secret_sealed, secret_key_id, secret_expires_on, owner_name, owner_email, status)
        VALUES ('Bench', 'tenant', 'client', 'sid', 'abc', 'sealed', 'k1', '2099-01-01', 'Owner', 'owner@example.test', 'active') RETURNING id`,
  );
  const source = await one<{ id: string }>(
    sql`INSERT INTO audience_sources (series_id, kind, label, connection_id, selected) VALUES (${series.id}::uuid, 'directory_all', 'Entire directory', ${connection.id}::uuid, true) RETURNING id`,
  );
  const job = async () =>
    (
      await one<{ id: string }>(
        sql`INSERT INTO sync_jobs (source_id, series_id, connection_id, reason, status) VALUES (${source.id}::uuid, ${series.id}::uuid, ${connection.id}::uuid, 'bench', 'done') RETURNING id`,
      )
    ).id;
  const fullJob = await job();
  const emptyJob = await job();
  await db.execute(
    sql`INSERT INTO sync_staging (job_id, email_normalized, email, name, object_id)
        SELECT ${fullJob}::uuid, 'user' || lpad(i::text, 7, '0') || '@bench.example', 'User' || lpad(i::text, 7, '0') || '@bench.example', 'User ' || i, 'u-' || i
        FROM generate_series(1, ${ROWS}) AS i`,
  );
  // Every hundredth address is excluded: the apply's anti-join leaves those out, the check looks for them.
  await db.execute(
    sql`INSERT INTO series_exclusions (series_id, email_normalized, email, excluded_by)
        SELECT ${series.id}::uuid, 'user' || lpad(i::text, 7, '0') || '@bench.example', 'user' || lpad(i::text, 7, '0') || '@bench.example', 'bench'
        FROM generate_series(1, ${ROWS}, ${Math.max(1, Math.floor(ROWS / EXCLUSIONS))}) AS i LIMIT ${EXCLUSIONS}`,
  );
  await db.execute(sql`ANALYZE`);
  return { seriesId: series.id, sourceId: source.id, fullJob, emptyJob };
}
