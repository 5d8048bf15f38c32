/**
 * Setup links end to end (issue 14): an admin sends a link; the email is read from a real SMTP server in this
 * test's process (listening on port 0, its port handed to the app's `next start`, so nothing races for it); the
 * IT contact opens it in a browser with no Roster session, completes the wizard against the sandbox tenant, and
 * reaches nothing else; the admin then sees the new connection and the notice.
 */
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
