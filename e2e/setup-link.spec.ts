/**
 * Setup links end to end (issue 14): an admin sends a link; the email is read from a real SMTP server in this
 * test's process (listening on port 0, its port handed to the app's `next start`, so nothing races for it); the
 * IT contact opens it in a browser with no Roster session, completes the wizard against the sandbox tenant, and
 * reaches nothing else; the admin then sees the new connection and the notice.
 */
import { connectionOrganizations } from "../db/schema";
import { startMailCatcher, type MailCatcher } from "../scripts/mail-catcher";
import { startAppServer, type AppServer } from "./support/app-server";
import { expect, test as base } from "./support/fixtures";
import { fillWizard, mainAppOf } from "./connection-helpers";

const test = base.extend<{ mail: MailCatcher }>({
  mail: async ({}, use) => {
    const mail = await startMailCatcher();
    await use(mail);
    await mail.close();
  },
  app: async ({ mail }, use) => {
    const app: AppServer = await startAppServer({ SMTP_URL: mail.url, MAIL_FROM: "Roster <roster@example.test>" });
    await use(app);
    await app.stop();
  },
});

test("an admin sends a setup link; IT completes the wizard from the email; the admin sees the connection", async ({ page, browser, make, signIn, sandbox, mail, app }) => {
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const tenant = await sandbox.createTenant();
  await signIn(page, admin.email, admin.password);

  await page.goto("/admin/directory");
  await page.getByRole("link", { name: "Setup links" }).click();
  const form = page.getByRole("form", { name: "Send a setup link" });
  await form.getByLabel("IT contact's name").fill("Ian IT");
  await form.getByLabel("IT contact's email").fill("not-an-address");
  await form.getByRole("button", { name: "Send setup link" }).click();
  await expect(form.getByLabel("IT contact's email")).toHaveAccessibleDescription(/Enter a valid email address/);
  await form.getByLabel("IT contact's email").fill("ian@contoso.example");
  await form.getByRole("button", { name: "Send setup link" }).click();
  await expect(page.getByText("Setup link emailed to ian@contoso.example")).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "ian@contoso.example" })).toContainText("Sent");

  // The email, as the SMTP server received it: the contact only, and the link to this app.
  await expect.poll(() => mail.messages.filter((m) => m.to.includes("ian@contoso.example")).length).toBe(1);
  const email = mail.messages.find((m) => m.to.includes("ian@contoso.example"))!;
  expect(email.subject).toBe("Roster: connect Microsoft Entra ID");
  const link = email.text.match(new RegExp(`${app.baseURL.replace(/[.]/g, "\\.")}/setup/[A-Za-z0-9_-]{43}`))?.[0];
  expect(link).toBeTruthy();

  // IT: a browser with no Roster session.
  const it = await browser.newContext();
  const itPage = await it.newPage();
  await itPage.goto(link!);
  await expect(itPage.getByRole("heading", { name: "Connect Microsoft Entra ID" })).toBeVisible();
  await fillWizard(itPage, { ...mainAppOf(tenant), tenantId: tenant.tenantId, ownerName: "Ian IT", ownerEmail: "ian@contoso.example" });
  await itPage.getByRole("button", { name: "Save connection" }).click();
  await expect(itPage.getByRole("heading", { name: "Done, thank you" })).toBeVisible({ timeout: 60_000 });
  // The link gave no session: the rest of Roster asks for a sign-in.
  for (const path of ["/admin/directory", "/series"]) {
    await itPage.goto(path);
    await expect(itPage).toHaveURL(/\/login/);
  }
  await it.close();

  // The admin: told by email, and the connection is there, active, with the notice on its page.
  await expect.poll(() => mail.messages.filter((m) => m.to.includes(admin.email.toLowerCase())).length).toBe(1);
  const notice = mail.messages.find((m) => m.to.includes(admin.email.toLowerCase()))!;
  expect(notice.subject).toMatch(/^Roster: Ian IT connected the directory/);
  const connectionUrl = notice.text.match(new RegExp(`${app.baseURL.replace(/[.]/g, "\\.")}/admin/directory/[0-9a-f-]{36}`))?.[0];
  expect(connectionUrl).toBeTruthy();
  await page.goto("/admin/directory");
  await expect(page.getByRole("row").filter({ hasText: tenant.tenantId })).toContainText("Active");
  await page.goto(connectionUrl!);
  await expect(page.getByRole("list", { name: "Recent alerts" })).toContainText("Ian IT connected the directory");
  await page.goto("/admin/directory/setup-links");
  await expect(page.getByRole("row").filter({ hasText: "ian@contoso.example" })).toContainText("Completed");

  // Used: the link now says only that it cannot be used, naming nothing.
  const again = await browser.newContext();
  const againPage = await again.newPage();
  await againPage.goto(link!);
  await expect(againPage.getByRole("heading", { name: /Done, thank you|This link cannot be used/ })).toBeVisible();
  await expect(againPage.locator("body")).not.toContainText(org.name);
  await again.close();
});

/** The server-action calls a page makes (Next's `Next-Action` header), as sent: what an attacker could capture. */
function captureActions(page: import("@playwright/test").Page) {
  const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
  page.on("request", (r) => {
    const headers = r.headers();
    if (r.method() === "POST" && headers["next-action"]) calls.push({ url: r.url(), headers, body: r.postData() ?? "" });
  });
  return calls;
}

/** The code of the ActionResult error in a server action's RSC answer, or "ok". */
const outcome = (text: string) => text.match(/"ok":false,"error":\{"code":"([a-z_]+)"/)?.[1] ?? (text.includes('"ok":true') ? "ok" : `unparsed: ${text.slice(0, 200)}`);

test("server-action calls captured from a setup link and from an admin, replayed with other ids, tokens or no session, are refused", async ({ page, browser, make, signIn, sandbox, mail, app, db }) => {
  const org = await make.org();
  const other = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const tenant = await sandbox.createTenant();
  await signIn(page, admin.email, admin.password);
  const adminCalls = captureActions(page);
  await page.goto("/admin/directory/setup-links");
  const form = page.getByRole("form", { name: "Send a setup link" });
  await form.getByLabel("IT contact's name").fill("Ian IT");
  await form.getByLabel("IT contact's email").fill("ian@contoso.example");
  await form.getByRole("button", { name: "Send setup link" }).click();
  await expect(page.getByText("Setup link emailed to ian@contoso.example")).toBeVisible();
  await expect.poll(() => mail.messages.filter((m) => m.to.includes("ian@contoso.example")).length).toBe(1);
  const link = mail.messages[0].text.match(/https?:\/\/[^\s]+\/setup\/[A-Za-z0-9_-]{43}/)![0];
  const token = link.slice(-43);
  expect(adminCalls.length).toBeGreaterThan(0);

  const it = await browser.newContext();
  const itPage = await it.newPage();
  const itCalls = captureActions(itPage);
  // The first save is tampered with on the wire: the organization swapped for another one's id. It must be
  // refused and create nothing; the honest save after it goes through.
  let tampered: string | null = null;
  await itPage.route(link, async (route) => {
    const request = route.request();
    const body = request.postData() ?? "";
    if (tampered === null && request.method() === "POST" && request.headers()["next-action"] && body.includes(org.id) && body.includes("ownerEmail")) {
      tampered = body.replaceAll(org.id, other.id);
      const response = await route.fetch({ postData: tampered });
      tampered = outcome(await response.text());
      return route.fulfill({ response });
    }
    return route.continue();
  });
  await itPage.goto(link);
  await fillWizard(itPage, { ...mainAppOf(tenant), tenantId: tenant.tenantId, ownerName: "Ian IT", ownerEmail: "ian@contoso.example" });
  await itPage.getByRole("button", { name: "Save connection" }).click();
  await expect.poll(() => tampered).toBe("not_found");
  await expect(itPage.getByRole("heading", { name: "Done, thank you" })).not.toBeVisible();
  await itPage.getByRole("button", { name: "Save connection" }).click();
  await expect(itPage.getByRole("heading", { name: "Done, thank you" })).toBeVisible({ timeout: 60_000 });
  expect(itCalls.length).toBeGreaterThan(1);

  // Every call the link's page made, replayed from a client with no cookies: as sent (the link is now used), with
  // another token, and with the other organization's id. Every one refused.
  const replay = async (call: (typeof itCalls)[number], body: string) => {
    const headers = { ...call.headers, origin: app.baseURL };
    delete (headers as Record<string, string>)["cookie"];
    const res = await it.request.post(call.url, { headers, data: body, maxRedirects: 0 });
    return outcome(await res.text());
  };
  const otherToken = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
  for (const call of itCalls) {
    expect(await replay(call, call.body)).toBe("not_found");
    expect(await replay(call, call.body.replaceAll(token, otherToken))).toBe("not_found");
    expect(await replay(call, call.body.replaceAll(org.id, other.id))).toBe("not_found");
  }
  // The admin's own action (send a setup link), replayed by the link holder, who has no session.
  for (const call of adminCalls) expect(await replay(call, call.body)).toBe("unauthenticated");
  await it.close();

  // Nothing reached the other organization; ours has exactly the one connection, and only one link was sent.
  const owners = await db.select().from(connectionOrganizations);
  expect(owners.map((o) => o.organizationId)).toEqual([org.id]);
  await page.goto("/admin/directory");
  await expect(page.getByRole("row").filter({ hasText: tenant.tenantId })).toHaveCount(1);
  expect(mail.messages.filter((m) => m.to.includes("ian@contoso.example"))).toHaveLength(1);
});
