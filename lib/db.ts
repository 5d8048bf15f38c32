import "server-only";
import { openDb, type Db, type DbHandle } from "@/db/client";
import { migrate } from "@/db/migrate";
import { readEnv } from "@/lib/env";

/**
 * One database handle per server process, cached on globalThis so that development's module reloading does
 * not open a new pool (or a second PGlite on the same folder) on every edit.
 */
const globalForDb = globalThis as unknown as { rosterDb?: Promise<DbHandle> };

export function getDbHandle(): Promise<DbHandle> {
  globalForDb.rosterDb ??= (async () => {
    const handle = await openDb(readEnv().DATABASE_URL);
    // Development and the embedded database migrate on start; production runs `npm run db:migrate` on deploy.
    if (process.env.NODE_ENV !== "production" || handle.kind === "pglite" || process.env.ROSTER_MIGRATE_ON_START === "1") {
      await migrate(handle);
    }
    return handle;
  })();
  return globalForDb.rosterDb;
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}
