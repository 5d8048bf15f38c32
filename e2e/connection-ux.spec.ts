import { expect, test } from "./support/fixtures";
import { expectChecksPassed, fillWizard, mainAppOf } from "./connection-helpers";

/* eslint-disable @typescript-eslint/no-explicit-any */

test("the wizard sends focus to what needs attention and names the cause in its summary", async ({ page, make, signIn, sandbox }) => {
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const tenant = await sandbox.createTenant();
  await signIn(page, admin.email, admin.password);
  await page.goto("/admin/directory/new");

  // Nothing filled in: the summary lists the fields by their labels and focus lands on the first of them. The
  // credential step starts on a federated credential (recommended), which is not prepared yet: no secret fields.
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "3 fields need attention: Application (client) ID, Directory (tenant) ID and Credential." })).toBeVisible();
  await expect(page.getByLabel("Application (client) ID")).toBeFocused();
  await expect(page.getByLabel("Application (client) ID")).toHaveAccessibleDescription("Enter the Application (client) ID.");

  // A delegated-only app: the alert says why at once, focus moves to it, and the fix is written out once.
  const delegated = tenant.apps.find((a: any) => a.name === "Roster Directory Sync (delegated only)");
  const secret = delegated.secrets.find((s: any) => !s.expired);
  await fillWizard(page, { clientId: delegated.clientId, tenantId: tenant.tenantId, secretId: secret.secretId, secret: secret.value });
  await page.getByRole("button", { name: "Verify connection" }).click();
  const summary = page.getByRole("alert").filter({ hasText: /Verification failed in 4 checks, first: The app has no application permissions/ });
  await expect(summary).toBeVisible({ timeout: 30_000 });
  await expect(page.locator(":focus")).toContainText("Verification failed in 4 checks");
  await expect(page.getByText(/remove User\.Read \(Delegated\)/)).toHaveCount(1);
  await expect(page.locator('[data-check="permission:User.Read.All"]')).toContainText("see “Application permissions granted” above");
});

test("a saved connection is confirmed once, the address stays the connection's own, and the list fits a phone", async ({ page, make, signIn, sandbox }) => {
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const tenant = await sandbox.createTenant();
  const app = mainAppOf(tenant);
  await signIn(page, admin.email, admin.password);
  await page.goto("/admin/directory/new");
  await fillWizard(page, { ...app, tenantId: tenant.tenantId });
  // The secret Value stays out of the page's markup (a controlled input would mirror it into value="…").
  expect(await page.content()).not.toContain(app.secret);
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expectChecksPassed(page);
  await page.getByRole("button", { name: "Save connection" }).click();

  await expect(page.getByText(/Connection saved and verified\. Editors of .+ can now sync its groups/)).toBeVisible({ timeout: 30_000 });
  await expect(page).toHaveURL(/\/admin\/directory\/[0-9a-f-]{36}$/);
  await page.reload();
  await expect(page.getByText("Healthy", { exact: true })).toBeVisible();
  await expect(page.getByText(/Connection saved and verified/)).toHaveCount(0);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/admin/directory");
  await expect(page.getByRole("list", { name: "Directory connections" }).getByRole("link")).toHaveCount(1);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
