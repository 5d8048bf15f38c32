/**
 * The cron route's door: 401 without the secret, with a wrong one, and whenever CRON_SECRET is unset (fails
 * closed); with the right one it runs and answers JSON counts. The route handler is called directly.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { isAuthorizedCronCall } from "@/lib/sync/cron";

const current: { db?: TestDb["db"] } = {};
vi.mock("@/lib/db", () => ({
  getDb: async () => {
    if (!current.db) throw new Error("the route reached the database before authorizing");
    return current.db;
  },
}));

const route: { GET: (r: Request) => Promise<Response>; HEAD?: (r: Request) => Response | Promise<Response> } = await import(
  "@/app/api/cron/sync/route"
);
const { GET } = route;

const call = (authorization?: string) =>
  GET(new Request("http://localhost/api/cron/sync", { headers: authorization ? { authorization } : {} }));

describe("cron route authorization", () => {
  const saved = process.env.CRON_SECRET;
  afterEach(() => {
    if (saved === undefined) delete process.env.CRON_SECRET;
    else process.env.CRON_SECRET = saved;
    current.db = undefined;
  });

  test.each([
    ["no header", "s3cret-value-long-enough", undefined],
    ["wrong secret", "s3cret-value-long-enough", "Bearer wrong"],
    ["secret as a prefix", "s3cret-value-long-enough", "Bearer s3cret-value-long-enough-and-more"],
    ["not a bearer", "s3cret-value-long-enough", "Basic s3cret-value-long-enough"],
    ["CRON_SECRET unset, any header", undefined, "Bearer "],
    ["CRON_SECRET unset, 'Bearer undefined'", undefined, "Bearer undefined"],
    ["CRON_SECRET empty", "", "Bearer "],
  ])("401: %s", async (_name, secret, header) => {
    if (secret === undefined) delete process.env.CRON_SECRET;
    else process.env.CRON_SECRET = secret;
    const response = await call(header);
    expect(response.status).toBe(401);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.json()).toEqual({ error: { code: "unauthenticated", message: "The cron secret is missing or wrong." } });
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  test("HEAD with the right secret answers without running a pass (Next would otherwise answer HEAD with GET)", async () => {
    process.env.CRON_SECRET = "the-right-secret-0123456789";
    // current.db is unset: reaching the database throws, so a pass would answer 500, not 405.
    expect(route.HEAD, "the route must export its own HEAD").toBeTypeOf("function");
    const response = await route.HEAD!(
      new Request("http://localhost/api/cron/sync", { method: "HEAD", headers: { authorization: "Bearer the-right-secret-0123456789" } }),
    );
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET");
  });

  test.each([
    ["right", "abc", "Bearer abc", true],
    ["wrong case", "abc", "Bearer ABC", false],
    ["lower-case scheme", "abc", "bearer abc", false],
    ["unset", undefined, "Bearer abc", false],
  ])("isAuthorizedCronCall: %s", (_n, secret, header, expected) => {
    expect(isAuthorizedCronCall(header, secret)).toBe(expected);
  });
});

describe.each(dbKinds)("cron route with the right secret on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
    current.db = h.db;
  });
  afterEach(async () => {
    current.db = undefined;
    delete process.env.CRON_SECRET;
    await h.close();
  });

  test("answers JSON counts", async () => {
    process.env.CRON_SECRET = "the-right-secret-0123456789";
    const response = await call("Bearer the-right-secret-0123456789");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ due: 0, claimed: 0, completed: 0, failed: 0, remaining: 0, connections: { checked: 0 } });
  });
});
