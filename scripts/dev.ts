/**
 * `npm run dev`: the whole demo with no setup and no Azure account. Migrates and seeds the embedded database,
 * starts the sandbox tenant over HTTPS with its own certificate, and starts Next with that certificate trusted
 * (NODE_EXTRA_CA_CERTS is read only at process start, hence a child process).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dataDir, openDb } from "../db/client";
import { readEnv } from "../lib/env";
import { migrate } from "../db/migrate";
import { seedDemo } from "../lib/seed/demo";
import { ensureCertificate } from "../sandbox/cert";
import { startDevMailbox } from "./dev-mailbox";

const PORT = process.env.PORT || "3000";
const SANDBOX_PORT = process.env.SANDBOX_PORT || "4443";
const children: ChildProcess[] = [];

function stopAll(code = 0) {
  for (const child of children) child.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

function startSandbox(certPath: string): Promise<string> {
  const child = spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", "sandbox/main.ts", "--port", SANDBOX_PORT], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      process.stdout.write(text.replace(/^/gm, "[sandbox] "));
      out += text;
      const match = out.match(/https:\/\/(?:127\.0\.0\.1|localhost):\d+/);
      if (match) resolve(match[0]);
    });
    child.on("exit", (code) => reject(new Error(`The sandbox tenant exited with code ${code}. Is port ${SANDBOX_PORT} free? (SANDBOX_PORT moves it.)`)));
  });
}

async function main() {
  const handle = await openDb(readEnv().DATABASE_URL); // also checks the whole configuration, naming what is wrong
  await migrate(handle);
  const demo = await seedDemo(handle.db);
  await handle.close(); // PGlite allows one process per folder: Next opens it next.

  const { certPath } = ensureCertificate();
  const sandboxUrl = await startSandbox(certPath);
  // Emails (alerts, setup links) go to a catcher in this process unless SMTP_URL names a real server.
  const mailbox = process.env.SMTP_URL ? null : await startDevMailbox(dataDir());

  const next = spawn(process.execPath, ["node_modules/next/dist/bin/next", "dev", "-p", PORT], {
    stdio: "inherit",
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: certPath,
      ENTRA_AUTHORITY_HOST: process.env.ENTRA_AUTHORITY_HOST || sandboxUrl,
      GRAPH_BASE_URL: process.env.GRAPH_BASE_URL || sandboxUrl,
      NEXTAUTH_URL: process.env.NEXTAUTH_URL || `http://localhost:${PORT}`,
      ...(mailbox ? { SMTP_URL: mailbox.url, MAIL_FROM: process.env.MAIL_FROM || "Roster (development) <roster@localhost.localdomain>" } : {}),
    },
  });
  children.push(next);
  next.on("exit", (code) => stopAll(code ?? 0));

  console.log(`
  Roster is starting on http://localhost:${PORT}
  Sandbox tenant (stands in for Entra ID and Microsoft Graph): ${sandboxUrl}
  Emails Roster sends: ${mailbox ? `printed here with [mail], and kept in ${mailbox.folder}` : `sent through SMTP_URL`}
  Sign in as:
${demo.signIns.map((s) => `    ${s.role.padEnd(6)} ${s.email} / ${s.password}`).join("\n")}
`);
}

main().catch((error) => {
  console.error(`npm run dev failed: ${error instanceof Error ? error.message : String(error)}`);
  stopAll(1);
});
