import type { Page } from "@playwright/test";
import { waitForWizard } from "./connection-helpers";
import { expect, test } from "./support/issuer-front";

/**
 * The wizard with the recommended credential, a federated identity credential, from start to a synced group: the
 * admin copies the issuer, subject and audience Roster shows into the app registration (here through the
 * sandbox's control API, as the portal would), verification passes only once Azure trusts Roster, the connection
 * is saved with nothing to expire, and an editor's group syncs through assertions signed by Roster's own issuer,
 * which the sandbox fetched over HTTPS from the product's .well-known routes.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
const mainApp = (tenant: any) => tenant.apps.find((a: any) => a.name === "Roster Directory Sync") as { clientId: string };

async function federatedValues(page: Page) {
  const values = page.getByLabel("Federated credential values");
  await expect(values).toBeVisible();
  const [issuer, subject, audience] = await values.locator("dd").allTextContents();
  return { issuer, subject, audience };
}

test("wizard with a federated credential: shown values, refused until Azure trusts them, saved, and a group synced", async ({ page, make, signIn, sandbox, front, db }) => {
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const series = await make.series({ org });
  const tenant = await sandbox.createTenant();
  const clientId = mainApp(tenant).clientId;

  await signIn(page, admin.email, admin.password);
  await page.goto("/admin/directory/new");
  await waitForWizard(page);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Application (client) ID").fill(clientId);
  await page.getByLabel("Directory (tenant) ID").fill(tenant.tenantId);
  await page.getByRole("button", { name: "Next" }).click();

  // The recommended credential is chosen already, each choice with its trade-off in one line.
  await expect(page.getByRole("radio", { name: /^Federated identity credential \(recommended\)/ })).toBeChecked();
  await expect(page.getByRole("radio", { name: /^Certificate/ })).toHaveAccessibleDescription(/keeps the private key.*Expires/);
  await expect(page.getByRole("radio", { name: /^Client secret/ })).toHaveAccessibleDescription(/at most 24 months/);
  const shown = await federatedValues(page);
  expect(shown.issuer).toBe(front.url);
  expect(shown.audience).toBe("api://AzureADTokenExchange");
  expect(shown.subject).toMatch(/^roster:directory-connection:[0-9a-f-]{36}$/);
  await expect(page.getByRole("button", { name: "Copy federated credential subject identifier" })).toBeVisible();
  await expect(page.getByText(/Federated credentials → Add credential → scenario “Other issuer”/)).toBeVisible();

  // Not yet in Azure: verification says so on this step, naming the values to enter; nothing is saved.
  await page.getByRole("button", { name: "Save connection" }).click();
  await expect(page.getByText(/did not pass verification, so it was not saved/)).toBeVisible({ timeout: 60_000 });
  const progress = page.getByRole("navigation", { name: "Setup progress" });
  await expect(progress.getByRole("button", { name: /^3\. Credential/ })).toContainText("1 problem");
  await expect(page.getByText(/The app has no federated credential that trusts Roster/).first()).toBeVisible();
  expect(await db.query.directoryConnections.findMany()).toEqual([]);

  // The admin adds the federated credential with exactly the values shown.
  await sandbox.control("POST", `/tenants/${tenant.tenantId}/mutations`, {
    ops: [{ op: "addFederatedCredential", clientId, name: "roster", issuer: shown.issuer, subject: shown.subject, audiences: [shown.audience] }],
  });
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expect(page.getByRole("heading", { name: /all checks passed/ })).toBeVisible({ timeout: 60_000 });
  await page.getByRole("button", { name: "Save connection" }).click();
  const connectionId = shown.subject.split(":").pop()!;
  await expect(page).toHaveURL(new RegExp(`/admin/directory/${connectionId}`), { timeout: 60_000 });
  await expect(page.getByText("Signs in with:")).toContainText("Federated credential");
  await expect(page.getByText("This connection has no client secret: it was made with another credential.")).toBeVisible();
  // The sandbox read Roster's issuer through the product's own routes.
  expect(front.fetched).toEqual(expect.arrayContaining(["/.well-known/openid-configuration", "/.well-known/jwks.json"]));

  // An editor's view of the same organization: tick a group and sync it.
  await page.goto(`/series/${series.id}/audience`);
  await page.getByRole("button", { name: "Manage recipients" }).click();
  await page.getByRole("menuitem", { name: "Manage from directory" }).click();
  const dialog = page.getByRole("dialog", { name: "Manage from directory" });
  await dialog.getByLabel("Search groups").fill("Outreach");
  const row = dialog.getByRole("listitem").filter({ has: page.getByText("Outreach", { exact: true }) });
  await row.getByRole("checkbox", { name: "Sync Outreach to audience" }).check();
  await dialog.getByRole("button", { name: "Update audience" }).click();
  await expect(row.locator("[data-sync-state]")).toHaveText("Synced", { timeout: 90_000 });
  const recipients = await db.query.recipients.findMany({ where: (r, { eq }) => eq(r.seriesId, series.id) });
  expect(recipients.length).toBeGreaterThan(0);
});
