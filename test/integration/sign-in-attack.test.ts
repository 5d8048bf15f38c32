/**
 * Sign-in under attack: parallel guesses against the lockout, a flood from one client against a known address,
 * a flood of hashes against everyone else's requests, and a session cookie replayed after signing out.
 *
 * scrypt is wrapped (not replaced) so the tests can count the guesses actually evaluated and hold hashes at a
 * gate: the race is then decided by the code, not by timing.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { stat } from "node:fs/promises";
import { decode, encode } from "next-auth/jwt";
import type { Session } from "next-auth";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { makeOrg, makeUser } from "./audience-fixtures";

const scrypts = vi.hoisted(() => ({ started: 0, inFlight: 0, maxInFlight: 0, finished: 0, held: null as null | (() => void)[] }));
vi.mock("node:crypto", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:crypto")>();
  const scrypt = (...args: unknown[]) => {
    const callback = args.pop() as (err: Error | null, key: Buffer) => void;
    scrypts.started++;
    const run = () => {
      scrypts.inFlight++;
      scrypts.maxInFlight = Math.max(scrypts.maxInFlight, scrypts.inFlight);
      (original.scrypt as (...a: unknown[]) => void)(...args, (err: Error | null, key: Buffer) => {
        scrypts.inFlight--;
        scrypts.finished++;
        callback(err, key);
      });
    };
    if (scrypts.held) scrypts.held.push(run);
    else run();
  };
  return { ...original, default: { ...original, scrypt }, scrypt };
});

const current: { db?: TestDb["db"] } = {};
vi.mock("@/lib/db", () => ({ getDb: async () => current.db! }));

const { ACCOUNT_MAX_FAILURES, CLIENT_MAX_FAILURES, MAX_FAILURES, authenticate } = await import("@/lib/auth/sign-in");
const { BusyError, HashLimiter, signInHashes } = await import("@/lib/auth/hash-limiter");
const { hashPassword, OWASP_SCRYPT } = await import("@/lib/auth/password");
const { authOptions } = await import("@/lib/auth/options");
const { actorForSession } = await import("@/lib/auth/session");
const { busyResponse } = await import("@/lib/auth/busy-response");
const { clientAddress } = await import("@/lib/auth/client-address");

const PASSWORD = "correct horse battery staple";
/** Room for every attempt, so only the lockout decides. */
const roomy = () => new HashLimiter(100, 100);
const settle = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: Error & { code?: string }) => ({ ok: false as const, code: error.code, error }),
  );
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};
const resetScrypts = () => Object.assign(scrypts, { started: 0, inFlight: 0, maxInFlight: 0, finished: 0, held: null });

describe.each(dbKinds)("sign-in under attack on %s", (kind) => {
  let h: TestDb;
  let email: string;
  let userId: string;
  const t0 = new Date("2026-01-05T09:00:00Z");

  beforeEach(async () => {
    h = await createTestDb(kind);
    current.db = h.db;
    ({ email, id: userId } = await makeUser(h.db, { org: await makeOrg(h.db), role: "editor", password: PASSWORD }));
    resetScrypts();
  });
  afterEach(async () => {
    for (const run of scrypts.held ?? []) run();
    resetScrypts();
    current.db = undefined;
    await h.close();
  });

  test(`30 parallel wrong guesses: at most ${MAX_FAILURES} are evaluated, the rest are refused as locked`, async () => {
    const hashes = roomy();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => settle(authenticate(h.db, email, `wrong ${i}`, t0, { client: "203.0.113.7", hashes }))),
    );
    expect(scrypts.started).toBeLessThanOrEqual(MAX_FAILURES);
    expect(results.filter((r) => !r.ok && r.code === "unauthenticated")).toHaveLength(MAX_FAILURES);
    expect(results.filter((r) => !r.ok && r.code === "rate_limited")).toHaveLength(30 - MAX_FAILURES);
  });

  test("20 wrong guesses and then the right one, all in flight together: no session", async () => {
    const hashes = roomy();
    scrypts.held = [];
    const wrong = Array.from({ length: 20 }, (_, i) => settle(authenticate(h.db, email, `wrong ${i}`, t0, { client: "203.0.113.7", hashes })));
    let refused = 0;
    for (const w of wrong) void w.then((r) => !r.ok && r.code === "rate_limited" && refused++);
    // Every wrong guess has either reached its hash (held at the gate, not yet counted as failed by old code) or
    // been refused; none has finished hashing.
    await until(() => scrypts.started + refused >= 20);
    const right = settle(authenticate(h.db, email, PASSWORD, t0, { client: "203.0.113.7", hashes }));
    // The right guess is either refused at once or reaches its hash too (old code: nothing had been counted).
    await Promise.race([right, until(() => scrypts.started + refused >= 21)]);
    for (const run of scrypts.held.splice(0)) run();
    scrypts.held = null;
    await Promise.all(wrong);
    const answer = await right;
    expect(answer.ok).toBe(false);
    expect(answer).toMatchObject({ code: "rate_limited" });
  });

  test("a flood from one client does not lock the address for another client", async () => {
    const flood = await Promise.all(
      Array.from({ length: 40 }, (_, i) => settle(authenticate(h.db, email, `wrong ${i}`, t0, { client: "198.51.100.66", hashes: roomy() }))),
    );
    expect(flood.every((r) => !r.ok)).toBe(true);
    expect(await settle(authenticate(h.db, email, "one more", t0, { client: "198.51.100.66" }))).toMatchObject({ code: "rate_limited" });
    await expect(authenticate(h.db, email, PASSWORD, t0, { client: "192.0.2.10" })).resolves.toMatchObject({ id: userId });
  });

  test(`one client spraying many addresses is stopped after ${CLIENT_MAX_FAILURES} failures, even at a fresh address`, async () => {
    for (let i = 0; i < CLIENT_MAX_FAILURES; i++) {
      expect(await settle(authenticate(h.db, `sprayed-${i}@example.test`, "Winter2026!", t0, { client: "198.51.100.66" }))).toMatchObject({
        code: "unauthenticated",
      });
    }
    const next = await settle(authenticate(h.db, email, PASSWORD, t0, { client: "198.51.100.66" }));
    expect(next).toMatchObject({ code: "rate_limited" });
    expect((next as { error?: Error }).error?.message).toMatch(/^Too many failed sign-ins from this network\. Try again in 15 minutes\.$/);
    await expect(authenticate(h.db, email, PASSWORD, t0, { client: "192.0.2.10" })).resolves.toMatchObject({ id: userId });
  });

  test(`an address attacked from many clients is locked after ${ACCOUNT_MAX_FAILURES} failures in all`, async () => {
    for (let i = 0; i < ACCOUNT_MAX_FAILURES; i++) {
      await settle(authenticate(h.db, email, `wrong ${i}`, t0, { client: `10.0.${Math.floor(i / MAX_FAILURES)}.1` }));
    }
    expect(await settle(authenticate(h.db, email, PASSWORD, t0, { client: "192.0.2.10" }))).toMatchObject({ code: "rate_limited" });
  });

  test("a flood of sign-ins runs at most two hashes at once and refuses beyond a short queue with 429 and Retry-After", async () => {
    scrypts.held = [];
    const flood = Array.from({ length: 20 }, (_, i) =>
      settle(authenticate(h.db, `nobody-${i}@example.test`, "guess guess guess", t0, { client: `10.1.0.${i}` })),
    );
    const results = await Promise.all(
      flood.map(async (p, i) => {
        // Refusals answer at once, while the admitted attempts are still held at the gate.
        if (i === flood.length - 1) {
          await until(() => scrypts.started >= signInHashes.concurrent);
          await new Promise((resolve) => setTimeout(resolve, 50));
          for (const run of scrypts.held!.splice(0)) run();
          scrypts.held = null;
        }
        return p;
      }),
    );
    const busy = results.filter((r) => !r.ok && r.error instanceof BusyError);
    expect(busy.length).toBe(20 - signInHashes.concurrent - signInHashes.queue);
    expect(results.filter((r) => !r.ok && r.code === "unauthenticated")).toHaveLength(signInHashes.concurrent + signInHashes.queue);
    expect(scrypts.maxInFlight).toBeLessThanOrEqual(signInHashes.concurrent);
    expect((busy[0] as { code?: string }).code).toBe("rate_limited");

    const response = await busyResponse(
      Response.json({ url: "http://localhost/api/auth/error?error=busy" }, { headers: { location: "/x" } }),
      ((busy[0] as { error?: unknown }).error as InstanceType<typeof BusyError>).retryAfterSeconds,
    );
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.json()).toEqual({ url: "http://localhost/api/auth/error?error=busy" });
  });

  test("20 concurrent sign-ins at OWASP's cost leave the thread pool free for another request", async () => {
    const [victim] = await Promise.all([makeUser(h.db, { password: null })]);
    const owasp = await hashPassword("the real one, at full cost", OWASP_SCRYPT);
    const { users } = await import("@/db/schema");
    const { eq } = await import("drizzle-orm");
    await h.db.update(users).set({ passwordHash: owasp }).where(eq(users.id, victim.id));
    resetScrypts();
    const flood = Array.from({ length: 20 }, (_, i) => settle(authenticate(h.db, victim.email, `guess ${i}`, new Date(), { client: `10.2.0.${i}` })));
    await until(() => scrypts.started >= 1);
    // Another person's request that needs libuv's thread pool (file system, DNS and crypto share its four threads).
    await stat(process.cwd());
    const hashesDoneFirst = scrypts.finished;
    await Promise.all(flood);
    // The bound is in work, not time: the other request did not wait for any hash of the flood to finish.
    expect(hashesDoneFirst).toBe(0);
    expect(scrypts.maxInFlight).toBeLessThanOrEqual(signInHashes.concurrent);
  });

  test("signing out revokes the session: the same cookie, replayed, names nobody", async () => {
    const secret = "a-test-secret-that-is-long-enough-0123456789";
    const user = await authenticate(h.db, email, PASSWORD, t0, { client: "192.0.2.10" });
    const callbacks = authOptions.callbacks!;
    const token = await callbacks.jwt!({ token: { sub: undefined }, user: user as never, account: { provider: "credentials" } as never } as never);
    const cookie = await encode({ token, secret });
    const sessionOf = async (c: string) => {
      const decoded = await decode({ token: c, secret });
      return callbacks.session!({ session: { user: {}, expires: "" } as Session, token: decoded! } as never) as Promise<Session>;
    };
    expect((await actorForSession(h.db, await sessionOf(cookie)))?.userId).toBe(userId);

    await authOptions.events!.signOut!({ token: (await decode({ token: cookie, secret }))!, session: null as never });
    expect(await actorForSession(h.db, await sessionOf(cookie))).toBeNull();

    // Signing in again gives a session that works; a token without any version never does.
    const again = await authenticate(h.db, email, PASSWORD, t0, { client: "192.0.2.10" });
    const fresh = await encode({ token: await callbacks.jwt!({ token: {}, user: again as never, account: { provider: "credentials" } as never } as never), secret });
    expect((await actorForSession(h.db, await sessionOf(fresh)))?.userId).toBe(userId);
    expect(await actorForSession(h.db, { user: { id: userId }, expires: "" } as Session)).toBeNull();
  });
});

describe("client address", () => {
  test.each([
    [{ "x-forwarded-for": "203.0.113.7, 10.0.0.1" }, "203.0.113.7"],
    [new Headers({ "x-forwarded-for": " 2001:DB8::1 " }), "2001:db8::1"],
    [{ "x-forwarded-for": "<script>" }, "unknown"],
    [{}, "unknown"],
    [undefined, "unknown"],
  ])("%o → %s", (headers, expected) => {
    expect(clientAddress(headers)).toBe(expected);
  });
});
