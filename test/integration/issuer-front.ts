/**
 * Roster's issuer documents served over HTTPS for tests, with the sandbox's certificate (trusted through
 * NODE_EXTRA_CA_CERTS like the sandbox itself). Entra fetches an issuer only over HTTPS, so the product's plain-http
 * test server cannot be the issuer; this front serves the same documents the .well-known routes serve, built by the
 * same functions, from the test's own database.
 */
import https from "node:https";
import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import type { AddressInfo } from "node:net";
import type { Executor } from "@/db/client";
import { createTestDb, type DbKind, type TestDb } from "@/test/support/db";
import { openIdConfiguration } from "@/lib/identity-keys/issuer";
import { publishedJwks } from "@/lib/identity-keys/signing-keys";
import { ensureCertificate } from "@/sandbox/cert";

export interface IssuerFront {
  url: string;
  /** The kids of the JWKS as last served. */
  lastJwksKids: string[];
  /** Answer 503 to everything (Roster unreachable from Entra). */
  down: boolean;
  close(): Promise<void>;
}

export async function startIssuerFront(db: () => Executor): Promise<IssuerFront> {
  const { cert, key } = ensureCertificate();
  const state: IssuerFront = { url: "", lastJwksKids: [], down: false, close: async () => {} };
  const server = https.createServer({ cert, key }, (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (state.down) return reply(503, { error: "unavailable" });
    if (req.url === "/.well-known/openid-configuration") return reply(200, openIdConfiguration(state.url));
    if (req.url === "/.well-known/jwks.json") {
      publishedJwks(db())
        .then((jwks) => {
          state.lastJwksKids = jwks.keys.map((k) => String(k.kid));
          reply(200, jwks);
        })
        .catch(() => reply(503, { error: "unavailable" }));
      return;
    }
    reply(404, { error: "not found" });
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
 * The credential tests' arrangement, registered in the calling describe block: one issuer front for the file, a
 * database of its own for each test, the front up again before each, and (unless `stubIssuerUrl` is false)
 * Roster's issuer URL (OIDC_ISSUER_URL) pointing at the front.
 */
export function issuerFrontPerTest(kind: DbKind, opts: { stubIssuerUrl?: boolean } = {}): { h: TestDb; front: IssuerFront } {
  const ctx = {} as { h: TestDb; front: IssuerFront };
  beforeAll(async () => {
    ctx.front = await startIssuerFront(() => ctx.h.db);
  });
  afterAll(() => ctx.front.close());
  beforeEach(async () => {
    ctx.h = await createTestDb(kind);
    ctx.front.down = false;
    if (opts.stubIssuerUrl !== false) vi.stubEnv("OIDC_ISSUER_URL", ctx.front.url);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await ctx.h.close();
  });
  return ctx;
}

