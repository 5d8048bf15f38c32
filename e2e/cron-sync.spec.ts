/**
 * The scheduler's door on a real `next start`: never a redirect to the login page, 401 without or with a wrong
 * secret, JSON counts with the right one. (Unit tests cover CRON_SECRET unset; lib/sync tests cover the work.)
 */
import { expect, test } from "./support/fixtures";

test("GET /api/cron/sync answers 401 without the secret and JSON counts with it", async ({ app, request }) => {
  const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, { authorization: app.cronSecret }];
  for (const headers of attempts) {
    const res = await request.get("/api/cron/sync", { headers, maxRedirects: 0 });
    expect(res.status()).toBe(401);
    expect(res.headers()["location"]).toBeUndefined();
    expect(await res.json()).toEqual({ error: { code: "unauthenticated", message: "The cron secret is missing or wrong." } });
  }
  const ok = await request.get("/api/cron/sync", { headers: { authorization: `Bearer ${app.cronSecret}` }, maxRedirects: 0 });
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toMatchObject({ due: 0, claimed: 0, completed: 0, failed: 0, remaining: 0 });
});
