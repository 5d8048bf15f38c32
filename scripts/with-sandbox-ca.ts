/**
 * Runs a command with the sandbox tenant's certificate trusted. Node reads NODE_EXTRA_CA_CERTS only when a
 * process starts, so the certificate is made first and the command started after, with the variable set.
 * TLS verification stays on everywhere.
 */
import { spawn } from "node:child_process";
import { ensureCertificate } from "../sandbox/cert";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: tsx scripts/with-sandbox-ca.ts <command> [args…]");
  process.exit(2);
}
const { certPath } = ensureCertificate();
const child = spawn(command, args, {
  stdio: "inherit",
  shell: process.platform === "win32",
  env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath, PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}` },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
