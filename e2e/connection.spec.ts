import { eq } from "drizzle-orm";
import { directoryConnections, directoryGroups } from "../db/schema";
import { expect, test } from "./support/fixtures";
import { expectChecksPassed, fillWizard, mainAppOf } from "./connection-helpers";

test("an admin connects the sandbox tenant with the wizard: saved, active and healthy", async ({ page, make, signIn, sandbox, db }) => {
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const tenant = await sandbox.createTenant();
  const app = mainAppOf(tenant);
  await signIn(page, admin.email, admin.password);

  await page.goto("/admin/directory");
  await page.getByRole("link", { name: "New connection" }).click();
  await expect(page).toHaveURL(/\/admin\/directory\/new$/);
  await fillWizard(page, { ...app, tenantId: tenant.tenantId });
  await page.getByLabel("Sync contacts").check();
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expectChecksPassed(page);
  await page.getByRole("button", { name: "Save connection" }).click();

  await expect(page).toHaveURL(/\/admin\/directory\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect(page.getByText("Healthy", { exact: true })).toBeVisible();
  await expect(page.getByText(app.secretId)).toBeVisible();
  const id = page.url().split("/").pop()!;
  const [row] = await db.select().from(directoryConnections).where(eq(directoryConnections.id, id));
  expect(row).toMatchObject({ status: "active", health: "healthy", tenantId: tenant.tenantId, syncContacts: true });
  expect(await db.select().from(directoryGroups).where(eq(directoryGroups.connectionId, id))).toHaveLength(tenant.groups.length);

  await page.goto("/admin/directory");
  const listed = page.getByRole("row").filter({ hasText: tenant.tenantId });
  await expect(listed).toContainText("Active");
  await expect(listed).toContainText("Healthy");
  await expect(page.getByRole("link", { name: "Rotate the secret" })).toHaveCount(0);

  // Within 14 days of expiry, every admin page carries a banner that leads to the rotation.
  const inFiveDays = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
  await db.update(directoryConnections).set({ secretExpiresOn: inFiveDays }).where(eq(directoryConnections.id, id));
  for (const path of ["/admin/directory", "/admin/directory/new"]) {
    await page.goto(path);
    await expect(page.getByRole("alert").filter({ hasText: `expires on ${inFiveDays} (in 5 days)` })).toBeVisible();
  }
  await page.getByRole("link", { name: "Rotate the secret" }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/directory/${id}$`));
  await expect(page.getByRole("form", { name: "Rotate secret" })).toBeVisible();
});

test("a wrong secret shows its fix on the field, and the connection can only be saved as a draft", async ({ page, make, signIn, sandbox, db }) => {
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const tenant = await sandbox.createTenant();
  const app = mainAppOf(tenant);
  await signIn(page, admin.email, admin.password);
  await page.goto("/admin/directory/new");

  // The Secret ID pasted as the value is caught on the field before anything is sent to Entra.
  await fillWizard(page, { ...app, tenantId: tenant.tenantId, secret: app.secretId });
  await page.getByRole("button", { name: "Verify connection" }).click();
  const secretField = page.getByLabel("Client secret value");
  await expect(secretField).toHaveAttribute("aria-invalid", "true");
  await expect(secretField).toHaveAccessibleDescription("This is the Secret ID; paste the secret's Value.");

  // A wrong value: Entra refuses it, and the fix lands on the same field.
  await secretField.fill("wrong8Q~aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expect(secretField).toHaveAccessibleDescription(/rejected the client secret.*paste the Value/, { timeout: 30_000 });
  await expect(page.getByRole("heading", { name: /check(s)? failed/ })).toBeVisible();
  const tokenLine = page.locator('[data-check="token"]');
  await tokenLine.getByText("Details").click();
  await expect(tokenLine.getByText(/AADSTS7000215/)).toBeVisible();

  await page.getByRole("button", { name: "Save connection" }).click();
  await expect(page.getByText(/did not pass verification, so it was not saved/)).toBeVisible({ timeout: 30_000 });
  expect(await db.select().from(directoryConnections)).toHaveLength(0);
  await page.getByRole("button", { name: "Save as draft" }).click();
  await expect(page).toHaveURL(/\/admin\/directory\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect(page.getByText(/This connection is a draft/)).toBeVisible();
  const [row] = await db.select().from(directoryConnections);
  expect(row).toMatchObject({ status: "draft", health: "failing" });

  // Deleting asks first, says what happens to audiences, then removes it.
  await page.getByRole("button", { name: "Delete connection" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("No audience uses its groups, so no recipient is removed.");
  await dialog.getByRole("button", { name: "Delete connection" }).click();
  await expect(page).toHaveURL(/\/admin\/directory$/);
  await expect(page.getByText("No directory connected yet")).toBeVisible();
  expect(await db.select().from(directoryConnections)).toHaveLength(0);
});

test("an editor cannot reach the wizard or call its actions", async ({ page, browser, make, signIn, sandbox, app, db }) => {
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const editor = await make.user({ org, role: "editor" });
  const tenant = await sandbox.createTenant();
  const creds = mainAppOf(tenant);

  // The admin's own Verify call, captured to replay as the editor (the action id is not guessable otherwise).
  await signIn(page, admin.email, admin.password);
  await page.goto("/admin/directory/new");
  await fillWizard(page, { ...creds, tenantId: tenant.tenantId });
  const actionRequest = page.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"]));
  await page.getByRole("button", { name: "Verify connection" }).click();
  const captured = await actionRequest;
  await expectChecksPassed(page);

  const editorContext = await browser.newContext({ baseURL: app.baseURL });
  const editorPage = await editorContext.newPage();
  await signIn(editorPage, editor.email, editor.password);
  await editorPage.goto("/admin/directory/new");
  await expect(editorPage.getByText("You do not have access to the directory settings")).toBeVisible();
  await expect(editorPage.getByRole("button", { name: "Verify connection" })).toHaveCount(0);
  await expect(editorPage.getByLabel("Client secret value")).toHaveCount(0);
  await editorPage.goto("/admin/directory");
  await expect(editorPage.getByRole("link", { name: "New connection" })).toHaveCount(0);

  const headers = captured.headers();
  const replay = await editorContext.request.post(captured.url(), {
    headers: {
      "next-action": headers["next-action"],
      "content-type": headers["content-type"] ?? "text/plain;charset=UTF-8",
      accept: "text/x-component",
      origin: app.baseURL,
    },
    data: captured.postData() ?? "",
  });
  const body = await replay.text();
  expect(body).toContain("forbidden");
  expect(body).not.toContain("checklist");
  expect(await db.select().from(directoryConnections)).toHaveLength(0);
  await editorContext.close();
});
