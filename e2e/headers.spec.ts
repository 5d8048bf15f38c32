/**
 * Security headers on real responses of the production build: set once in next.config.ts, present on pages,
 * APIs and errors, and strict enough that no page can be framed, while the app still hydrates and works.
 */
import { expect, test } from "./support/fixtures";

const expectSecurityHeaders = (headers: Record<string, string>) => {
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).toContain("object-src 'none'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
};

test("pages, APIs and not-found answers carry the security headers", async ({ request }) => {
  for (const path of ["/login", "/api/auth/csrf", "/no-such-page", "/api/cron/sync"]) {
    const response = await request.get(path, { maxRedirects: 0 });
    expectSecurityHeaders(response.headers());
  }
});

test("a signed-in page works under the policy and cannot be framed, even by its own origin", async ({ page, make, signIn, baseURL }) => {
  const org = await make.org("Northwind");
  const editor = await make.user({ org, role: "editor" });
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await signIn(page, editor.email, editor.password);
  const response = await page.goto("/");
  expectSecurityHeaders(response!.headers());
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Series" })).toBeVisible();
  expect(violations).toEqual([]);

  // A page of Roster's own origin (the not-found page) that tries to frame a signed-in page.
  await page.goto("/no-such-page");
  await page.evaluate((src) => {
    const frame = document.createElement("iframe");
    frame.src = src;
    frame.title = "framed";
    document.body.append(frame);
  }, `${baseURL}/`);
  const framed = page.frameLocator('iframe[title="framed"]');
  await expect(page.locator('iframe[title="framed"]')).toBeAttached();
  await expect(framed.getByRole("navigation", { name: "Main" })).toHaveCount(0);
});

test("the dialog's work kick is refused from another origin, and answered from Roster's own", async ({ page, make, signIn, baseURL }) => {
  const org = await make.org("Northwind");
  const editor = await make.user({ org, role: "editor" });
  const series = await make.series({ org });
  await signIn(page, editor.email, editor.password);
  const path = `/api/series/${series.id}/directory/work`;
  const foreign = await page.request.post(path, { headers: { origin: "https://attacker.example" } });
  expect(foreign.status()).toBe(403);
  const own = await page.request.post(path, { headers: { origin: new URL(baseURL!).origin } });
  expect(own.status()).toBe(200);
  expect(await own.json()).toEqual({ kicked: false });
});
