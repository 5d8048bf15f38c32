/**
 * The foundation as people use it: signing in as admin and editor, the admin area's gate, adding a recipient,
 * and a CSV upload with bad rows. Each test has its own database and server (e2e/support/fixtures.ts).
 */
import { expect, test } from "./support/fixtures";

test("admin and editor sign in; only the admin reaches the directory settings", async ({ page, make, signIn }) => {
  const org = await make.org("Northwind");
  const admin = await make.user({ org, role: "admin" });
  const editor = await make.user({ org, role: "editor" });

  await signIn(page, editor.email, editor.password);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Series" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Directory" })).toHaveCount(0);
  await expect(page.getByRole("banner")).toContainText("Northwind");
  const refused = await page.goto("/admin/directory");
  expect(refused?.status()).toBe(403);
  await expect(page.getByText("Admins only")).toBeVisible();
  await expect(page.getByRole("heading", { name: "You do not have access to the directory settings" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);

  await signIn(page, admin.email, admin.password);
  await expect(nav.getByRole("link", { name: "Directory" })).toBeVisible();
  expect((await page.goto("/admin/directory"))?.status()).toBe(200);
  await expect(page.getByText("You do not have access to the directory settings")).toHaveCount(0);
});

test("a wrong password and an unknown email get the same message", async ({ page, make }) => {
  const org = await make.org();
  const editor = await make.user({ org, role: "editor" });
  const attempt = async (email: string, password: string) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    // Scoped to main: Next's route announcer is an (empty) alert too.
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Wrong email or password.");
  };
  await attempt(editor.email, "not the password at all");
  await attempt("nobody@example.test", editor.password);
  await expect(page).toHaveURL(/\/login/);
});

test("another organization's series is not found", async ({ page, make, signIn }) => {
  const org = await make.org();
  const editor = await make.user({ org, role: "editor" });
  const elsewhere = await make.series({ org: await make.org() });
  await signIn(page, editor.email, editor.password);
  const response = await page.goto(`/series/${elsewhere.id}/audience`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});

test("an editor adds a recipient and uploads a CSV with bad rows", async ({ page, make, signIn }) => {
  const org = await make.org();
  const editor = await make.user({ org, role: "editor" });
  const series = await make.series({ org, name: "Weekly All-Hands" });
  await signIn(page, editor.email, editor.password);

  await page.getByRole("link", { name: /Weekly All-Hands/ }).click();
  await expect(page.getByText("0 recipients", { exact: true })).toBeVisible();

  // Add recipient, from the Manage recipients menu.
  await page.getByRole("button", { name: "Manage recipients" }).click();
  await page.getByRole("menuitem", { name: /Add recipient/ }).click();
  const addDialog = page.getByRole("dialog", { name: "Add recipient" });
  await addDialog.getByLabel("Email").fill("  Grace.Hopper@Example.com ");
  await addDialog.getByLabel("Name").fill("Grace Hopper");
  await addDialog.getByRole("button", { name: "Add recipient" }).click();
  await expect(addDialog).toBeHidden();
  await expect(page.getByText("1 recipient", { exact: true })).toBeVisible();
  // Trimmed, and shown as typed.
  await expect(page.getByRole("cell", { name: "Grace.Hopper@Example.com", exact: true })).toBeVisible();

  // Upload CSV: 3 good rows, one invalid address (line 3) and one duplicate (line 5).
  await page.getByRole("button", { name: "Manage recipients" }).click();
  await page.getByRole("menuitem", { name: /Upload CSV/ }).click();
  const upload = page.getByRole("dialog", { name: "Upload CSV" });
  await upload.getByLabel("CSV file").setInputFiles({
    name: "team.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("\uFEFFemail,name\r\nada@example.com,Ada\r\nnot-an-address,Bad\r\nalan@example.com,Alan\r\nADA@example.com,Again\r\nkatherine@example.com,Katherine\r\n"),
  });
  await upload.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(upload.getByText("3 added", { exact: true })).toBeVisible();
  const problems = upload.getByRole("list", { name: "Rows not imported" }).getByRole("listitem");
  await expect(problems).toHaveCount(2);
  await expect(problems.nth(0)).toContainText("Line 3");
  await expect(problems.nth(0)).toContainText("invalid email");
  await expect(problems.nth(1)).toContainText("Line 5");
  await expect(problems.nth(1)).toContainText("duplicate");
  await upload.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText("4 recipients", { exact: true })).toBeVisible();
  await expect(page.getByRole("row", { name: /ada@example\.com/ })).toContainText("team.csv");

  // Filter by source, then remove the manual recipient.
  const teamOption = page.getByLabel("Source").locator("option", { hasText: "team.csv" });
  await page.getByLabel("Source").selectOption((await teamOption.getAttribute("value"))!);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("row")).toHaveCount(4); // header + 3
  await page.goto(`/series/${series.id}/audience`);
  await page.getByRole("button", { name: "Remove Grace.Hopper@Example.com from the manual list" }).click();
  await expect(page.getByText("3 recipients", { exact: true })).toBeVisible();
});

test("Upload CSV takes a dropped file and offers a template", async ({ page, make, signIn }, testInfo) => {
  const org = await make.org();
  const editor = await make.user({ org, role: "editor" });
  const series = await make.series({ org });
  await signIn(page, editor.email, editor.password);
  await page.goto(`/series/${series.id}/audience`);
  await page.getByRole("button", { name: "Manage recipients" }).click();
  await page.getByRole("menuitem", { name: /Upload CSV/ }).click();
  const upload = page.getByRole("dialog", { name: "Upload CSV" });

  // The template: the header the importer reads, and example rows.
  const downloading = page.waitForEvent("download");
  await upload.getByRole("link", { name: "Download a template (CSV)" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("roster-recipients-template.csv");
  const template = await (await page.request.get(`/series/${series.id}/audience/template`)).text();
  expect(template.split("\r\n")[0]).toBe("email,name");

  // Drop the template itself on the zone, then upload it.
  const dataTransfer = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], "dropped.csv", { type: "text/csv" }));
    return dt;
  }, template);
  await upload.getByTestId("csv-drop-zone").dispatchEvent("drop", { dataTransfer });
  await expect(upload.getByText("Chosen: dropped.csv")).toBeVisible();
  for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(size);
    const path = testInfo.outputPath(`upload-csv-dropped-${size.width}x${size.height}.png`);
    await page.screenshot({ path });
    await testInfo.attach(`upload-csv-dropped-${size.width}x${size.height}`, { path, contentType: "image/png" });
  }
  await upload.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(upload.getByText("2 added", { exact: true })).toBeVisible();
  await upload.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText("2 recipients", { exact: true })).toBeVisible();
});

test("one recipient is “1 recipient”", async ({ page, make, signIn }) => {
  const org = await make.org();
  const editor = await make.user({ org, role: "editor" });
  await make.series({ org, name: "Solo" });
  await signIn(page, editor.email, editor.password);
  await page.getByRole("link", { name: /Solo/ }).click();
  await page.getByRole("button", { name: "Manage recipients" }).click();
  await page.getByRole("menuitem", { name: /Add recipient/ }).click();
  const addDialog = page.getByRole("dialog", { name: "Add recipient" });
  await addDialog.getByLabel("Email").fill("solo@example.com");
  await addDialog.getByRole("button", { name: "Add recipient" }).click();
  await expect(page.getByText("1 recipient", { exact: true })).toBeVisible();
  await expect(page.getByText("1 recipients", { exact: true })).toHaveCount(0);
});

test("without a directory, the dialog points at Directory, not “Admin → Directory”", async ({ page, make, signIn }) => {
  const org = await make.org();
  const editor = await make.user({ org, role: "editor" });
  const series = await make.series({ org });
  await signIn(page, editor.email, editor.password);
  await page.goto(`/series/${series.id}/audience`);
  await page.getByRole("button", { name: "Manage recipients" }).click();
  await page.getByRole("menuitem", { name: "Manage from directory" }).click();
  const dialog = page.getByRole("dialog", { name: "Manage from directory" });
  await expect(dialog).toContainText("An admin can connect one under Directory");
  await expect(dialog).not.toContainText("Admin →");
});
