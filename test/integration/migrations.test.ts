import { afterEach, describe, expect, test } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { makeConnection, makeOrgWithUser } from "../support/factories";

describe.each(dbKinds)("migrations on %s", (kind) => {
  let h: TestDb | undefined;
  afterEach(async () => h?.close());

  test("apply from empty and create every table of the domain", async () => {
    h = await createTestDb(kind);
    const rows = await queryRows<{ table_name: string }>(
      h.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        "organizations", "users", "memberships", "series", "audience_sources", "recipients", "recipient_sources",
        "directory_connections", "connection_organizations", "directory_groups", "sync_jobs", "sync_staging",
        "sync_runs", "audit_events", "sign_in_throttle",
      ]),
    );
    // The sync's tables reference their parents through real foreign keys (migration 0015), no trigger keys left.
    const keys = await queryRows<{ name: string }>(
      h.db,
      sql`SELECT conname AS name FROM pg_constraint WHERE contype = 'f'
            AND conrelid IN ('recipients'::regclass, 'recipient_sources'::regclass, 'sync_staging'::regclass) ORDER BY conname`,
    );
    // recipient_sources has one key on (source_id, series_id) since migration 0024 (one check per holding).
    expect(keys.map((k) => k.name)).toEqual([
      "recipient_sources_source_series_fk",
      "recipients_series_id_series_id_fk",
      "sync_staging_job_id_sync_jobs_id_fk",
    ]);
    const triggers = await queryRows(h.db, sql`SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND (tgname LIKE '%\_key' OR tgname LIKE '%\_cascade' OR tgname LIKE '%\_fixed')`);
    expect(triggers).toEqual([]);
    expect(await queryRows(h.db, sql`SELECT proname FROM pg_proc WHERE proname LIKE 'roster\_key\_%'`)).toEqual([]);
  });
});

/**
 * The foreign keys of the sync's tables (restored by migration 0015 in place of 0001's statement-level trigger
 * keys, docs/adr/0010-real-foreign-keys.md): every guarantee the triggers gave, and a key for
 * recipient_sources.series_id, on both databases.
 */
/** The database's own error under drizzle's "Failed query" wrapper: its code, message and detail. */
async function dbError(query: Promise<unknown>): Promise<{ code?: string; message: string; detail?: string }> {
  type PgError = Error & { code?: string; detail?: string; cause?: PgError };
  const error = await query.then(
    () => null,
    (e: unknown) => e as PgError,
  );
  if (!error) throw new Error("the statement succeeded");
  const cause = error.cause ?? error;
  return { code: cause.code, message: cause.message, detail: cause.detail };
}

describe.each(dbKinds)("the sync tables' foreign keys on %s", (kind) => {
  let h: TestDb | undefined;
  afterEach(async () => h?.close());

  const missing = "00000000-0000-4000-8000-000000000000";

  async function arrange(db: TestDb["db"]) {
    const { org, series } = await makeOrgWithUser(db);
    const connection = await makeConnection(db, [org.id]);
    const [source] = await queryRows<{ id: string }>(
      db,
      sql`INSERT INTO audience_sources (series_id, kind, label) VALUES (${series.id}, 'manual', 'Manual') RETURNING id`,
    );
    const [job] = await queryRows<{ id: string }>(
      db,
      sql`INSERT INTO sync_jobs (source_id, series_id, connection_id, reason) VALUES (${source.id}, ${series.id}, ${connection.id}, 'test') RETURNING id`,
    );
    return { org: org.id, series: series.id, source: source.id, job: job.id };
  }

  const count = async (db: TestDb["db"], query: ReturnType<typeof sql>) => Number((await queryRows<{ n: number }>(db, query))[0].n);

  test("an insert naming a missing parent fails, in any statement that names one, and inserts nothing", async () => {
    h = await createTestDb(kind);
    const k = await arrange(h.db);
    const errors = [
      await dbError(h.db.execute(sql`INSERT INTO recipient_sources (source_id, series_id, email_normalized, email)
                                     VALUES (${k.source}, ${k.series}, 'a@x.test', 'a@x.test'), (${missing}, ${k.series}, 'b@x.test', 'b@x.test')`)),
      await dbError(h.db.execute(sql`INSERT INTO recipient_sources (source_id, series_id, email_normalized, email)
                                     VALUES (${k.source}, ${missing}, 'c@x.test', 'c@x.test')`)),
      // A series that exists but is not the source's.
      await dbError(h.db.execute(sql`INSERT INTO recipient_sources (source_id, series_id, email_normalized, email)
                                     VALUES (${k.source}, ${(await arrange(h.db)).series}, 'd@x.test', 'd@x.test')`)),
      await dbError(h.db.execute(sql`INSERT INTO recipients (series_id, email_normalized, email) VALUES (${missing}, 'a@x.test', 'a@x.test')`)),
      await dbError(h.db.execute(sql`INSERT INTO sync_staging (job_id, email_normalized, email) VALUES (${missing}, 'a@x.test', 'a@x.test')`)),
    ];
    expect(errors.map((e) => e.code)).toEqual(["23503", "23503", "23503", "23503", "23503"]);
    expect(await count(h.db, sql`SELECT (SELECT count(*) FROM recipient_sources) + (SELECT count(*) FROM recipients) + (SELECT count(*) FROM sync_staging) AS n`)).toBe(0);
  });

  test("the error says which key and which parent, like a foreign key's", async () => {
    h = await createTestDb(kind);
    await arrange(h.db);
    const error = await dbError(h.db.execute(sql`INSERT INTO recipients (series_id, email_normalized, email) VALUES (${missing}, 'a@x.test', 'a@x.test')`));
    expect(error).toMatchObject({ code: "23503", message: expect.stringContaining('"recipients"') });
    expect(error.detail).toContain('"series"');
    expect(error.detail).toContain(missing);
  });

  test("rows naming existing parents go in, whatever their number", async () => {
    h = await createTestDb(kind);
    const k = await arrange(h.db);
    await h.db.execute(sql`INSERT INTO recipient_sources (source_id, series_id, email_normalized, email)
                           SELECT ${k.source}::uuid, ${k.series}::uuid, 'u' || g || '@x.test', 'u' || g || '@x.test' FROM generate_series(1, 2000) g`);
    await h.db.execute(sql`INSERT INTO recipients (series_id, email_normalized, email)
                           SELECT ${k.series}::uuid, 'u' || g || '@x.test', 'u' || g || '@x.test' FROM generate_series(1, 2000) g`);
    await h.db.execute(sql`INSERT INTO sync_staging (job_id, email_normalized, email)
                           SELECT ${k.job}::uuid, 'u' || g || '@x.test', 'u' || g || '@x.test' FROM generate_series(1, 2000) g`);
    expect(await count(h.db, sql`SELECT count(*) AS n FROM recipient_sources`)).toBe(2000);
  });

  test("deleting a parent deletes its children, also through a cascade from further up", async () => {
    h = await createTestDb(kind);
    const k = await arrange(h.db);
    const other = await arrange(h.db);
    for (const x of [k, other]) {
      await h.db.execute(sql`INSERT INTO recipient_sources (source_id, series_id, email_normalized, email) VALUES (${x.source}, ${x.series}, 'a@x.test', 'a@x.test')`);
      await h.db.execute(sql`INSERT INTO recipients (series_id, email_normalized, email) VALUES (${x.series}, 'a@x.test', 'a@x.test')`);
      await h.db.execute(sql`INSERT INTO sync_staging (job_id, email_normalized, email) VALUES (${x.job}, 'a@x.test', 'a@x.test')`);
    }
    await h.db.execute(sql`DELETE FROM sync_jobs WHERE id = ${k.job}`);
    expect(await count(h.db, sql`SELECT count(*) AS n FROM sync_staging`)).toBe(1);
    await h.db.execute(sql`DELETE FROM audience_sources WHERE id = ${k.source}`);
    expect(await count(h.db, sql`SELECT count(*) AS n FROM recipient_sources`)).toBe(1);
    // organizations → series → recipients, and → sources → holdings.
    await h.db.execute(sql`DELETE FROM organizations WHERE id = ${other.org}`);
    expect(await count(h.db, sql`SELECT (SELECT count(*) FROM recipient_sources) + (SELECT count(*) FROM sync_staging) AS n`)).toBe(0);
    expect(await count(h.db, sql`SELECT count(*) AS n FROM recipients`)).toBe(1);
    await h.db.execute(sql`DELETE FROM series WHERE id = ${k.series}`);
    expect(await count(h.db, sql`SELECT count(*) AS n FROM recipients`)).toBe(0);
  });

  test("a referenced parent's key cannot change, nor a child's key point at a missing parent", async () => {
    h = await createTestDb(kind);
    const k = await arrange(h.db);
    await h.db.execute(sql`INSERT INTO recipient_sources (source_id, series_id, email_normalized, email) VALUES (${k.source}, ${k.series}, 'a@x.test', 'a@x.test')`);
    await h.db.execute(sql`INSERT INTO recipients (series_id, email_normalized, email) VALUES (${k.series}, 'a@x.test', 'a@x.test')`);
    await h.db.execute(sql`INSERT INTO sync_staging (job_id, email_normalized, email) VALUES (${k.job}, 'a@x.test', 'a@x.test')`);
    const codes = [
      await dbError(h.db.execute(sql`UPDATE recipient_sources SET source_id = ${missing}`)),
      await dbError(h.db.execute(sql`UPDATE recipient_sources SET series_id = ${missing}`)),
      await dbError(h.db.execute(sql`UPDATE series SET id = ${missing} WHERE id = ${k.series}`)),
      await dbError(h.db.execute(sql`UPDATE audience_sources SET id = ${missing} WHERE id = ${k.source}`)),
      await dbError(h.db.execute(sql`UPDATE sync_jobs SET id = ${missing} WHERE id = ${k.job}`)),
    ].map((e) => e.code);
    expect(codes).toEqual(["23503", "23503", "23503", "23503", "23503"]);
    // Other columns still update.
    await h.db.execute(sql`UPDATE recipient_sources SET name = 'Ann' WHERE source_id = ${k.source}`);
  });
});

describe("the sync tables' foreign keys under concurrency (PostgreSQL)", () => {
  let h: TestDb | undefined;
  afterEach(async () => h?.close());

  test.runIf(dbKinds.includes("postgres"))("a parent deleted while an uncommitted insert names it waits, then takes the new rows with it", async () => {
    h = await createTestDb("postgres");
    const db = h.db;
    const [org] = await queryRows<{ id: string }>(db, sql`INSERT INTO organizations (name) VALUES ('Keys') RETURNING id`);
    const [series] = await queryRows<{ id: string }>(db, sql`INSERT INTO series (organization_id, name) VALUES (${org.id}, 'S') RETURNING id`);
    const [source] = await queryRows<{ id: string }>(db, sql`INSERT INTO audience_sources (series_id, kind, label) VALUES (${series.id}, 'manual', 'M') RETURNING id`);
    let deleted: Promise<unknown> | undefined;
    let deleteSettledEarly = false;
    await db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO recipient_sources (source_id, series_id, email_normalized, email) VALUES (${source.id}, ${series.id}, 'a@x.test', 'a@x.test')`);
      deleted = db.execute(sql`DELETE FROM audience_sources WHERE id = ${source.id}`);
      void deleted.then(() => (deleteSettledEarly = true));
      await new Promise((r) => setTimeout(r, 300));
    });
    expect(deleteSettledEarly).toBe(false);
    await deleted;
    expect(Number((await queryRows<{ n: number }>(db, sql`SELECT count(*) AS n FROM recipient_sources`))[0].n)).toBe(0);
  });

  test.runIf(dbKinds.includes("postgres"))("an insert naming a parent deleted by a transaction that commits first fails", async () => {
    h = await createTestDb("postgres");
    const db = h.db;
    const [org] = await queryRows<{ id: string }>(db, sql`INSERT INTO organizations (name) VALUES ('Keys') RETURNING id`);
    const [series] = await queryRows<{ id: string }>(db, sql`INSERT INTO series (organization_id, name) VALUES (${org.id}, 'S') RETURNING id`);
    const [source] = await queryRows<{ id: string }>(db, sql`INSERT INTO audience_sources (series_id, kind, label) VALUES (${series.id}, 'manual', 'M') RETURNING id`);
    let inserted: Promise<unknown> | undefined;
    await db.transaction(async (tx) => {
      await tx.execute(sql`DELETE FROM audience_sources WHERE id = ${source.id}`);
      inserted = db.execute(sql`INSERT INTO recipient_sources (source_id, series_id, email_normalized, email) VALUES (${source.id}, ${series.id}, 'a@x.test', 'a@x.test')`);
      inserted.catch(() => {});
      await new Promise((r) => setTimeout(r, 300));
    });
    expect((await dbError(inserted!)).code).toBe("23503");
    expect(Number((await queryRows<{ n: number }>(db, sql`SELECT count(*) AS n FROM recipient_sources`))[0].n)).toBe(0);
  });
});
