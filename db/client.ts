/**
 * The database handle: PostgreSQL through postgres.js when DATABASE_URL is set, otherwise an embedded
 * PGlite in `.data/pglite` (ROSTER_DATA_DIR moves `.data`). Both speak the same SQL; `Db` hides which.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { SQL } from "drizzle-orm";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** Either the database or an open transaction: every write helper takes this. */
export type Executor = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

export interface DbHandle {
  db: Db;
  kind: "postgres" | "pglite";
  close(): Promise<void>;
}

export function dataDir(): string {
  // Not a bundler-traced path: the data folder is created at run time, outside the build output.
  return path.resolve(/*turbopackIgnore: true*/ process.env.ROSTER_DATA_DIR || ".data");
}

export async function openDb(url = process.env.DATABASE_URL): Promise<DbHandle> {
  if (url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(url, {
      max: Number(process.env.DATABASE_POOL_MAX || 10),
      onnotice: () => {},
      // Sync jobs hold a transaction while they apply; keep idle connections from piling up in serverless.
      idle_timeout: 20,
    });
    return { db: drizzle(client, { schema }) as unknown as Db, kind: "postgres", close: () => client.end({ timeout: 5 }) };
  }
  const dir = path.join(dataDir(), "pglite");
  mkdirSync(dir, { recursive: true });
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const client = await PGlite.create(dir);
  return { db: drizzle(client, { schema }) as unknown as Db, kind: "pglite", close: () => client.close() };
}

/** Rows of a raw `execute`, whichever driver ran it (postgres.js returns an array, PGlite `{ rows }`). */
export async function queryRows<T = Record<string, unknown>>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** Rows affected by a raw `execute` (postgres.js: `count`; PGlite: `affectedRows`). */
export async function executeCount(db: Executor, query: SQL): Promise<number> {
  const result = (await db.execute(query)) as unknown as { count?: number; affectedRows?: number };
  return Number(result.count ?? result.affectedRows ?? 0);
}
