/**
 * Vitest global setup: when DATABASE_URL points at a PostgreSQL server, one migrated template database for the
 * whole run, from which every test's own database is created (test/support/db.ts), and dropped at the end. One
 * template per run rather than per test file: the migrations run once, and no template is left behind.
 */
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Name of the migrated template database; empty when the run has no PostgreSQL. */
    postgresTemplate: string;
  }
}

export function serverUrl(database: string): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function adminExec(statement: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const admin = postgres(serverUrl("postgres"), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(statement);
  } finally {
    await admin.end();
  }
}

export default async function setup(project: TestProject) {
  if (!process.env.DATABASE_URL) {
    project.provide("postgresTemplate", "");
    return;
  }
  const name = `roster_tpl_${process.pid}_${randomBytes(3).toString("hex")}`;
  await adminExec(`CREATE DATABASE ${name}`);
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const { migrationsFolder } = await import("../../db/migrate");
  const schema = await import("../../db/schema");
  const client = postgres(serverUrl(name), { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(client, { schema }), { migrationsFolder });
  } finally {
    await client.end();
  }
  project.provide("postgresTemplate", name);
  return async () => {
    await adminExec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
}
