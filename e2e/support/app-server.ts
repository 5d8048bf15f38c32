import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import postgres from "postgres";
import { E2E_DIST_DIR, adminUrl, requiredEnv } from "./env";

export interface AppServer {
  baseURL: string;
  databaseUrl: string;
  cronSecret: string;
  /** Every line the server printed so far (stdout and stderr). */
  logs(): string[];
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
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
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const cronSecret = randomBytes(24).toString("base64url");
  const lines: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_DIST_DIR: E2E_DIST_DIR,
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: "4",
      AUTH_SECRET: randomBytes(32).toString("base64"),
      NEXTAUTH_URL: baseURL,
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      CRON_SECRET: cronSecret,
      ENTRA_AUTHORITY_HOST: requiredEnv("SANDBOX_URL"),
      GRAPH_BASE_URL: requiredEnv("SANDBOX_URL"),
      ...extraEnv,
    },
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = "";
    stream.on("data", (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
    });
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
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
