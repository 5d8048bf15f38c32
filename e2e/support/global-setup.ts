import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import * as schema from "../../db/schema";
import { E2E_DIST_DIR, adminUrl } from "./env";

declare global {
  var __rosterSandbox: ChildProcess | undefined;
}

const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";

async function checkPostgres() {
  process.env.DATABASE_URL ||= DEFAULT_DATABASE_URL;
  const sql = postgres(adminUrl(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await sql`select 1`;
  } catch (error) {
    throw new Error(
      `The end-to-end tests need PostgreSQL (each test gets its own database). ` +
        `Could not reach ${new URL(process.env.DATABASE_URL!).host}: ${(error as Error).message}. Set DATABASE_URL.`,
    );
  } finally {
    await sql.end();
  }
}

async function makeTemplate(): Promise<string> {
  const name = `roster_e2e_tpl_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const client = postgres(adminUrl(name), { max: 1, onnotice: () => {} });
  await migrate(drizzle(client, { schema }), { migrationsFolder: "db/migrations" });
  await client.end();
  return name;
}

function build() {
  if (process.env.E2E_SKIP_BUILD === "1" && existsSync(`${E2E_DIST_DIR}/BUILD_ID`)) return;
  const started = Date.now();
  const result = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_DIST_DIR: E2E_DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error("next build failed; see the output above.");
  console.log(`[e2e] production build ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function startSandbox(): Promise<string> {
  const child = spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", "sandbox/main.ts", "--port", "0", "--host", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: process.env,
  });
  globalThis.__rosterSandbox = child;
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`The sandbox tenant did not start in 60 s:\n${out}`)), 60_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(/https:\/\/127\.0\.0\.1:\d+/);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.on("exit", (code) => reject(new Error(`The sandbox tenant exited (${code}):\n${out}`)));
  });
}

export default async function globalSetup() {
  await checkPostgres();
  build();
  process.env.E2E_TEMPLATE_DB = await makeTemplate();
  process.env.SANDBOX_URL = await startSandbox();
  console.log(`[e2e] sandbox tenant at ${process.env.SANDBOX_URL}, template database ${process.env.E2E_TEMPLATE_DB}`);
}
