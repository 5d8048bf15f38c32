/**
 * The sandbox's TLS certificate: generated once into `.data/sandbox/` and reused after, so a process started with
 * NODE_EXTRA_CA_CERTS=<certPath> trusts every later start of the sandbox. Node reads that variable only when a
 * process starts, which is why the file must exist before the trusting process runs (`tsx sandbox/cert.ts`).
 *
 * The certificate is its own CA (basicConstraints CA:TRUE) so that Node accepts it as an extra root, and names
 * localhost and 127.0.0.1 so both spellings of the sandbox URL verify. TLS verification is never turned off.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export interface SandboxCertificate {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

export function ensureCertificate(dir = ".data/sandbox"): SandboxCertificate {
  const folder = path.resolve(dir);
  const certPath = path.join(folder, "cert.pem");
  const keyPath = path.join(folder, "key.pem");
  if (!fs.existsSync(certPath) || !fs.existsSync(keyPath)) generate(folder, certPath, keyPath);
  return { certPath, keyPath, cert: fs.readFileSync(certPath, "utf8"), key: fs.readFileSync(keyPath, "utf8") };
}

// selfsigned 5 is async-only while this API is synchronous (scripts call it before spawning children), so the
// generation runs in a short-lived child Node process and we wait for it.
const GENERATOR = `
const selfsigned = require(process.env.SANDBOX_SELFSIGNED);
const fs = require("fs");
const path = require("path");
const out = process.env.SANDBOX_CERT_OUT;
const notAfterDate = new Date(); notAfterDate.setFullYear(notAfterDate.getFullYear() + 10);
selfsigned.generate([{ name: "commonName", value: "localhost" }, { name: "organizationName", value: "Roster sandbox tenant" }], {
  keySize: 2048, algorithm: "sha256", notBeforeDate: new Date(Date.now() - 60000), notAfterDate,
  extensions: [
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }] },
  ],
}).then((pems) => {
  fs.writeFileSync(path.join(out, "key.pem"), pems.private, { mode: 0o600 });
  fs.writeFileSync(path.join(out, "cert.pem"), pems.cert);
}).catch((e) => { console.error(e); process.exit(1); });
`;

function generate(folder: string, certPath: string, keyPath: string): void {
  fs.mkdirSync(folder, { recursive: true });
  // Generate into a private folder, then move into place under a lock: parallel test workers may race here, and
  // a key from one run paired with a certificate from another would break TLS for everyone.
  const staging = fs.mkdtempSync(path.join(folder, ".gen-"));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, SANDBOX_SELFSIGNED: resolveSelfsigned(), SANDBOX_CERT_OUT: staging };
    delete env.NODE_OPTIONS; // a loader (tsx, vitest) is not needed by the plain CommonJS generator
    execFileSync(process.execPath, ["-e", GENERATOR], { env, stdio: ["ignore", "ignore", "inherit"], timeout: 60_000 });
    withLock(path.join(folder, ".lock"), () => {
      if (fs.existsSync(certPath) && fs.existsSync(keyPath)) return; // another process won the race
      fs.renameSync(path.join(staging, "key.pem"), keyPath);
      fs.renameSync(path.join(staging, "cert.pem"), certPath);
    });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function resolveSelfsigned(): string {
  try {
    return createRequire(import.meta.url).resolve("selfsigned");
  } catch {
    return createRequire(path.join(process.cwd(), "package.json")).resolve("selfsigned");
  }
}

function withLock(lockDir: string, fn: () => void): void {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir); // atomic: exactly one process creates it
      break;
    } catch {
      if (Date.now() > deadline) fs.rmSync(lockDir, { recursive: true, force: true }); // stale lock
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && /sandbox[\\/]cert(\.ts)?$/.test(process.argv[1])) {
  const dir = process.argv[2];
  console.log(ensureCertificate(dir).certPath);
}
