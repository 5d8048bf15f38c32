/**
 * Roster as Entra sees its issuer in the browser tests: an HTTPS front, with the sandbox's certificate (trusted by
 * the sandbox through NODE_EXTRA_CA_CERTS), that forwards `/.well-known/*` to the test's own `next start`, so the
 * sandbox fetches the product's real discovery document and JWKS. Entra fetches an issuer over HTTPS only
 * (docs/adr/0009-certificate-and-federated-credentials.md, decision 4), and TLS verification is never turned off,
 * so the app's plain-http port cannot be the issuer itself. The app is started with OIDC_ISSUER_URL naming the
 * front, which is why the front starts first and learns the app's address after.
 */
import { createDecipheriv, randomBytes } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { startAppServer, type AppServer } from "./app-server";
import { test as base } from "./fixtures";

export interface IssuerFront {
  url: string;
  /** The app the front forwards to; set once it has started. */
  target: string;
  /** Paths the front forwarded (what the sandbox fetched). */
  fetched: string[];
  close(): Promise<void>;
}

export async function startIssuerFront(): Promise<IssuerFront> {
  // The certificate the run trusts (scripts/with-sandbox-ca.ts sets NODE_EXTRA_CA_CERTS to it), its key beside it.
  const certPath = process.env.NODE_EXTRA_CA_CERTS;
  if (!certPath) throw new Error("NODE_EXTRA_CA_CERTS is not set: run the end-to-end tests through scripts/with-sandbox-ca.ts.");
  const cert = fs.readFileSync(certPath, "utf8");
  const key = fs.readFileSync(path.join(path.dirname(certPath), "key.pem"), "utf8");
  const state: IssuerFront = { url: "", target: "", fetched: [], close: async () => {} };
  const server = https.createServer({ cert, key }, (req, res) => {
    const path = req.url ?? "/";
    if (!path.startsWith("/.well-known/") || !state.target) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    state.fetched.push(path);
    fetch(`${state.target}${path}`)
      .then(async (answer) => {
        res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
        res.end(Buffer.from(await answer.arrayBuffer()));
      })
      .catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/**
 * The usual fixtures, with the app behind an issuer front and its sealing key known to the test, so a test can
 * open what the app sealed (signing keys, certificate keys) and look for it where it must never be.
 */
export const test = base.extend<{ front: IssuerFront; encryptionKey: string }>({
  encryptionKey: async ({}, use) => use(randomBytes(32).toString("base64")),
  front: async ({}, use) => {
    const front = await startIssuerFront();
    await use(front);
    await front.close();
  },
  app: async ({ front, encryptionKey }, use) => {
    const app: AppServer = await startAppServer({ OIDC_ISSUER_URL: front.url, ENCRYPTION_KEY: encryptionKey });
    front.target = app.baseURL;
    await use(app);
    await app.stop();
  },
});

export { expect } from "./fixtures";

/**
 * Opens a value the app sealed (lib/crypto/seal.ts's format `v1.<keyId>.<iv>.<ciphertext>.<tag>`, AES-256-GCM with
 * the row's associated data), so the test knows the exact private key it must never find in a response or a log.
 */
export function openSealed(sealed: string, associatedData: string, encryptionKey: string): string {
  const [version, , iv, ciphertext, tag] = sealed.split(".");
  if (version !== "v1") throw new Error("not a sealed value");
  const decipher = createDecipheriv("aes-256-gcm", Buffer.from(encryptionKey, "base64"), Buffer.from(iv, "base64url"), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}
