import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { directoryConnections } from "../db/schema";
import { expect, test } from "./support/fixtures";
import { attachScreens, chooseClientSecret, expectChecksPassed, fillWizard, inAYear, mainAppOf } from "./connection-helpers";

test("settings that would break a healthy connection are refused on their field; rotation names the Secret ID to delete", async ({ page, context, make, signIn, sandbox, db }, testInfo) => {
  test.slow(); // a whole connection's life: save, two refusals, a rotation and an expiry, each verified against the sandbox
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const tenant = await sandbox.createTenant();
  const app = mainAppOf(tenant);
  await signIn(page, admin.email, admin.password);
  await page.goto("/admin/directory/new");
  await fillWizard(page, { ...app, tenantId: tenant.tenantId });
  await page.getByRole("button", { name: "Save connection" }).click();
  await expect(page).toHaveURL(/\/admin\/directory\/[0-9a-f-]{36}(\?saved=1)?$/, { timeout: 30_000 });
  await expect(page.getByText("Healthy", { exact: true })).toBeVisible();
  const id = new URL(page.url()).pathname.split("/").pop()!;
  const row = async () => (await db.select().from(directoryConnections).where(eq(directoryConnections.id, id)))[0];

  // IDs can be copied from the page.
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByRole("button", { name: "Copy client ID" }).click();
  expect((await page.evaluate(() => navigator.clipboard.readText())).toLowerCase()).toBe(app.clientId.toLowerCase());
  await attachScreens(page, testInfo, "connection page");

  // Azure Government ticked wrongly: verified first, refused, the diagnosis on the checkbox, nothing saved.
  const settings = page.getByRole("form", { name: "Connection settings" });
  const gov = settings.getByLabel("Azure Government");
  await gov.check();
  await settings.getByRole("button", { name: "Save changes" }).click();
  await expect(settings.getByText(/Not saved\. Verification failed: .*Saving anyway breaks this connection/)).toBeVisible({ timeout: 30_000 });
  await expect(gov).toHaveAttribute("aria-invalid", "true");
  await expect(gov).toHaveAccessibleDescription(/Untick “Azure Government”/);
  const confirm = settings.getByRole("button", { name: "Save anyway and break the connection" });
  await expect(confirm).toBeVisible();
  await attachScreens(page, testInfo, "settings: change refused");
  expect(await row()).toMatchObject({ cloud: "global", health: "healthy" });
  // Put back: the refusal was about the other value, so it goes.
  await gov.uncheck();
  await expect(confirm).toHaveCount(0);
  await expect(gov).not.toHaveAttribute("aria-invalid", "true");

  // An unknown Group Object ID: refused on its field.
  const groups = settings.getByLabel("Group Object IDs");
  await groups.fill(randomUUID());
  await settings.getByRole("button", { name: "Save changes" }).click();
  await expect(groups).toHaveAttribute("aria-invalid", "true", { timeout: 30_000 });
  expect((await row()).groupObjectIds).toEqual([]);
  await groups.fill("");

  // Rotation: the message names the Secret ID that can be deleted, never the one in use as "the old one".
  const fresh = await sandbox.control("POST", `/tenants/${tenant.tenantId}/mutations`, { ops: [{ op: "rotateSecret", clientId: app.clientId, expiresInDays: 200 }] });
  const next = fresh.results[0] as { secretId: string; value: string };
  const rotate = page.getByRole("form", { name: "Rotate secret" });
  await rotate.getByLabel("Client secret ID").fill(next.secretId);
  await rotate.getByLabel("Client secret value").fill(next.value);
  await rotate.getByLabel("Secret expires on").fill(inAYear());
  await rotate.getByRole("button", { name: "Rotate secret" }).click();
  const rotated = rotate.getByText(/Secret rotated/);
  await expect(rotated).toBeVisible({ timeout: 30_000 });
  await expect(rotated).toContainText(new RegExp(`now uses the secret with Secret ID ${next.secretId}`, "i"));
  await expect(rotated).toContainText(new RegExp(`no longer uses the secret with Secret ID ${app.secretId}: you can delete that one in Azure`, "i"));
  await expect(page.getByText(/old one/)).toHaveCount(0);
  await attachScreens(page, testInfo, "rotation done");

  // The secret in use expires: the health card says sign-in failed (not "permission not granted"), with the date.
  await sandbox.control("POST", `/tenants/${tenant.tenantId}/mutations`, { ops: [{ op: "expireSecret", clientId: app.clientId }] });
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expect(page.getByText(/^Last error: .*expired/)).toContainText(/\d{4}-\d{2}-\d{2}/, { timeout: 30_000 });
  const granted = page.getByTestId("granted-permissions");
  await expect(granted).toContainText("Sign-in failed, so the permissions were not checked");
  await expect(granted).not.toContainText("not granted");
  await expect(page.locator('[data-check="token"]')).toContainText(/expired.*\d{4}-\d{2}-\d{2}/);
  await expect(page.getByText(/Connection saved and verified/)).toHaveCount(0);
  await attachScreens(page, testInfo, "health card: sign-in failed");
});

test("a draft's tenant ID can be corrected in its settings, which verifies and activates it", async ({ page, make, signIn, sandbox, db }, testInfo) => {
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const tenant = await sandbox.createTenant();
  const other = await sandbox.createTenant();
  const app = mainAppOf(tenant);
  await signIn(page, admin.email, admin.password);
  await page.goto("/admin/directory/new");
  await fillWizard(page, { ...app, tenantId: other.tenantId });
  await page.getByRole("button", { name: "Save connection" }).click();
  await page.getByRole("button", { name: "Save as draft" }).click();
  await expect(page.getByText(/This connection is a draft/)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("granted-permissions")).toContainText("Sign-in failed");

  const settings = page.getByRole("form", { name: "Connection settings" });
  await settings.getByLabel("Directory (tenant) ID").fill(`  "${tenant.tenantId}" `);
  await attachScreens(page, testInfo, "draft: IDs editable");
  await settings.getByRole("button", { name: "Save changes" }).click();
  await expect(settings.getByText("Saved. The new settings passed verification.")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("Healthy", { exact: true })).toBeVisible();
  await expect(page.getByText(/This connection is a draft/)).toHaveCount(0);
  const [row] = await db.select().from(directoryConnections);
  expect(row).toMatchObject({ tenantId: tenant.tenantId, status: "active", health: "healthy" });
});

test("the wizard goes step by step, opens the step a failure concerns, and forgets results of an edited field", async ({ page, make, signIn, sandbox }, testInfo) => {
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const tenant = await sandbox.createTenant();
  const app = mainAppOf(tenant);
  await signIn(page, admin.email, admin.password);
  await page.goto("/admin/directory/new");

  const progress = page.getByRole("navigation", { name: "Setup progress" });
  await expect(progress).toContainText("Step 1 of 4: Organizations and owner");
  // One step at a time: the page fits about one screen, not 2,400 px.
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(1300);
  await attachScreens(page, testInfo, "wizard step 1");
  await page.getByRole("button", { name: "Next" }).click();

  // Values pasted with quotes and spaces are cleaned when the field is left.
  const clientId = page.getByLabel("Application (client) ID");
  await clientId.fill(`  "${app.clientId}" `);
  await page.getByLabel("Directory (tenant) ID").fill(` ‘${tenant.tenantId}’`);
  await page.getByLabel("Directory (tenant) ID").press("Tab");
  await expect(clientId).toHaveValue(app.clientId);
  await expect(page.getByLabel("Directory (tenant) ID")).toHaveValue(tenant.tenantId);
  await attachScreens(page, testInfo, "wizard step 2");
  await page.getByRole("button", { name: "Next" }).click();
  await chooseClientSecret(page);
  await page.getByLabel("Client secret ID").fill(app.secretId);
  await page.getByLabel("Client secret value").fill("wrong8Q~aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  await page.getByLabel("Secret expires on").fill(inAYear());
  await page.getByRole("button", { name: "Next" }).click();
  await expect(progress).toContainText("Step 4 of 4: Options");

  // Verify from the last step: the wizard opens the secret's step, its result beside its fields, in view.
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expect(progress.getByRole("button", { name: /^3\. Credential/ })).toHaveAttribute("aria-current", "step", { timeout: 30_000 });
  await expect(progress.getByRole("button", { name: /^3\. Credential/ })).toContainText("1 problem");
  const token = page.locator('[data-check="token"]');
  await expect(token).toBeInViewport();
  const secret = page.getByLabel("Client secret value");
  await expect(secret).toHaveAccessibleDescription(/rejected the client secret/);
  await attachScreens(page, testInfo, "wizard: failure beside its step");

  // Editing the field forgets what verification said about it.
  await secret.fill(app.secret);
  await expect(token).toHaveCount(0);
  await expect(secret).not.toHaveAttribute("aria-invalid", "true");
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expectChecksPassed(page);
  await attachScreens(page, testInfo, "wizard: all checks passed");
});

test("the tenant may be typed as its verified domain and is stored as its GUID; a second connection of the same app is refused with a link", async ({ page, make, signIn, sandbox, db }, testInfo) => {
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  // A generated directory has a domain of its own (Northwind copies share theirs).
  const tenant = await sandbox.createTenant({ generate: { users: 20, groups: 3, contacts: 0, seed: randomBytes(4).readUInt32BE() } });
  const app = mainAppOf(tenant);
  await signIn(page, admin.email, admin.password);
  await page.goto("/admin/directory/new");
  await fillWizard(page, { ...app, tenantId: tenant.initialDomain });
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expectChecksPassed(page);
  await page.getByRole("button", { name: /^2\. App registration/ }).click();
  await expect(page.getByLabel("Directory (tenant) ID")).toHaveValue(tenant.tenantId);
  await expect(page.getByText(`${tenant.initialDomain} is this tenant; Roster stores its ID.`)).toBeVisible();
  await attachScreens(page, testInfo, "wizard: domain resolved");
  await page.getByRole("button", { name: "Save connection" }).click();
  await expect(page).toHaveURL(/\/admin\/directory\/[0-9a-f-]{36}(\?saved=1)?$/, { timeout: 30_000 });
  const id = new URL(page.url()).pathname.split("/").pop()!;
  const [row] = await db.select().from(directoryConnections);
  expect(row.tenantId).toBe(tenant.tenantId);

  await page.goto("/admin/directory/new");
  await fillWizard(page, { ...app, tenantId: tenant.tenantId });
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expect(page.getByRole("status").filter({ hasText: /already connected to this directory as “Microsoft Entra ID”/ })).toBeVisible({ timeout: 30_000 });
  await attachScreens(page, testInfo, "wizard: same app refused");
  await page.getByRole("link", { name: "Open “Microsoft Entra ID”" }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/directory/${id}$`));
  expect(await db.select().from(directoryConnections)).toHaveLength(1);
});
