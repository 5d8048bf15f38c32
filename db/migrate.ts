import path from "node:path";
import type { DbHandle } from "./client";

// Resolved from the project root: the app, the CLI and the tests all run there (a bundled __dirname is not the source folder).
export const migrationsFolder = path.resolve(process.cwd(), "db/migrations");

/** Applies drizzle-kit's committed migrations; safe to call on every start. */
export async function migrate(handle: DbHandle): Promise<void> {
  if (handle.kind === "pglite") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await migrate(handle.db as any, { migrationsFolder });
  } else {
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await migrate(handle.db as any, { migrationsFolder });
  }
}
