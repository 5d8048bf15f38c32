import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { startListeningChild } from "../../test/support/listen-child";
import { E2E_DIST_DIR, adminUrl, requiredEnv } from "./env";

export interface AppServer {
  baseURL: string;
  databaseUrl: string;
  cronSecret: string;
  /** Every line the server printed so far (stdout and stderr). */
  logs(): string[];
  stop(): Promise<void>;
}

async function admin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/** A database of its own (copied from the migrated template) and a `next start` of its own. */
export async function startAppServer(extraEnv: Record<string, string> = {}): Promise<AppServer> {
  const database = `roster_e2e_${randomBytes(6).toString("hex")}`;
  await admin((sql) => sql.unsafe(`CREATE DATABASE ${database} TEMPLATE ${requiredEnv("E2E_TEMPLATE_DB")}`));
  const databaseUrl = adminUrl(database);
  const cronSecret = randomBytes(24).toString("base64url");
  const secrets = { AUTH_SECRET: randomBytes(32).toString("base64"), ENCRYPTION_KEY: randomBytes(32).toString("base64") };
  // next start must be told its port (NEXTAUTH_URL names it), so the port is picked before the start; a start
  // that finds it taken is made again on another (startListeningChild), never raced.
  const { child, port, lines, exited } = await startListeningChild({
    command: process.execPath,
    args: (port) => ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"],
    ready: /Ready in|- Local:/,
    options: (port) => ({
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_DIST_DIR: E2E_DIST_DIR,
        NEXT_TELEMETRY_DISABLED: "1",
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_MAX: "4",
        ...secrets,
        NEXTAUTH_URL: `http://127.0.0.1:${port}`,
        CRON_SECRET: cronSecret,
        ENTRA_AUTHORITY_HOST: requiredEnv("SANDBOX_URL"),
        GRAPH_BASE_URL: requiredEnv("SANDBOX_URL"),
        ...extraEnv,
      },
    }),
  });
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${lines.join("\n")}`);
    try {
      const res = await fetch(`${baseURL}/login`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next start did not answer in 60 s:\n${lines.join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseURL,
    databaseUrl,
    cronSecret,
    logs: () => [...lines],
    async stop() {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      await admin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    },
  };
}
