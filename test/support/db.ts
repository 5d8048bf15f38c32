/**
 * A fresh, migrated database for each test: PGlite in memory (cloned from one migrated template per worker),
 * and, when DATABASE_URL points at a PostgreSQL server, a new database created from the run's migrated
 * template (test/support/postgres-template.ts, a global setup).
 *
 *   describe.each(dbKinds)("on %s", (kind) => {
 *     let h: TestDb;
 *     beforeEach(async () => { h = await createTestDb(kind); });
 *     afterEach(() => h.close());
 *   });
 */
import { randomBytes } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import { inject } from "vitest";
import type { DbHandle } from "@/db/client";
import { migrationsFolder } from "@/db/migrate";
import { adminExec, serverUrl } from "./postgres-template";
import * as schema from "@/db/schema";

export type DbKind = "pglite" | "postgres";
export const dbKinds: DbKind[] = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

export interface TestDb extends DbHandle {
  /** postgres only: a URL for other processes (e.g. a CLI under test) to reach the same database. */
  url?: string;
}

let pgliteTemplate: Promise<PGlite> | undefined;

async function migratedPglite(): Promise<PGlite> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const client = await PGlite.create();
  await migrate(drizzle(client, { schema }), { migrationsFolder });
  return client;
}

export async function createTestDb(kind: DbKind): Promise<TestDb> {
  if (kind === "pglite") {
    pgliteTemplate ??= migratedPglite();
    const client = await (await pgliteTemplate).clone();
    const { drizzle } = await import("drizzle-orm/pglite");
    return {
      db: drizzle(client as PGlite, { schema }) as unknown as DbHandle["db"],
      kind,
      close: () => client.close(),
    };
  }
  const template = inject("postgresTemplate");
  if (!template) throw new Error("No PostgreSQL template: set DATABASE_URL before running the tests.");
  const name = `roster_t_${randomBytes(6).toString("hex")}`;
  await adminExec(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = serverUrl(name);
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgres(url, { max: 10, onnotice: () => {} });
  return {
    db: drizzle(client, { schema }) as unknown as DbHandle["db"],
    kind,
    url,
    close: async () => {
      await client.end({ timeout: 5 });
      await adminExec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
