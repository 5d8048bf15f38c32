import { openDb } from "./client";
import { migrate } from "./migrate";

async function main() {
  const handle = await openDb();
  await migrate(handle);
  console.log(`Migrations applied (${handle.kind === "pglite" ? "embedded PGlite in .data/pglite" : "PostgreSQL"}).`);
  await handle.close();
}

main().catch((error) => {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
