import { expect, type Page, type TestInfo } from "@playwright/test";

/* eslint-disable @typescript-eslint/no-explicit-any */
export function mainAppOf(tenant: any) {
  const app = tenant.apps.find((a: any) => a.name === "Roster Directory Sync");
  const current = app.secrets.find((s: any) => !s.expired);
  return { clientId: app.clientId as string, secretId: current.secretId as string, secret: current.value as string };
}

export function inAYear(): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Opens one of the wizard's steps from its progress list ("Organizations and owner", "App registration", …). A
 * click before the page has hydrated does nothing, and opening a step is idempotent, so it is clicked until the
 * step is the current one.
 */
export async function openWizardStep(page: Page, title: "Organizations and owner" | "App registration" | "Credential" | "Options") {
  const button = page.getByRole("navigation", { name: "Setup progress" }).getByRole("button", { name: new RegExp(`^\\d\\. ${title}`) });
  await expect(async () => {
    await button.click();
    await expect(button).toHaveAttribute("aria-current", "step", { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByRole("heading", { name: new RegExp(title) }).first()).toBeVisible();
}

/** The wizard answers clicks: step 1 is current from the server, so another step is opened, then step 1 again. */
export async function waitForWizard(page: Page) {
  await openWizardStep(page, "App registration");
  await openWizardStep(page, "Organizations and owner");
}

/**
 * Fills the wizard the way an admin would, from the guide's text file: step by step with "Next", ending on the
 * last step (Options), where Verify and Save are. `organization` ticks that organization if it is offered.
 */
export async function fillWizard(
  page: Page,
  v: { clientId: string; tenantId: string; secretId: string; secret: string; expiresOn?: string; ownerName?: string; ownerEmail?: string; organization?: string; groupObjectIds?: string[] },
) {
  await waitForWizard(page);
  if (v.organization) {
    const box = page.getByRole("checkbox", { name: v.organization });
    if ((await box.count()) > 0 && !(await box.isChecked())) await box.check();
  }
  await page.getByLabel("Setup owner name").fill(v.ownerName ?? "Ada Admin");
  await page.getByLabel("Setup owner email").fill(v.ownerEmail ?? "ada@northwind.example");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Application (client) ID").fill(v.clientId);
  await page.getByLabel("Directory (tenant) ID").fill(v.tenantId);
  await page.getByRole("button", { name: "Next" }).click();
  await chooseClientSecret(page);
  await page.getByLabel("Client secret ID").fill(v.secretId);
  await page.getByLabel("Client secret value").fill(v.secret);
  await page.getByLabel("Secret expires on").fill(v.expiresOn ?? inAYear());
  await page.getByRole("button", { name: "Next" }).click();
  if (v.groupObjectIds?.length) await page.getByLabel("Group Object IDs").fill(v.groupObjectIds.join("\n"));
}

/** The credential step offers three kinds, a federated credential first (recommended): these tests use the secret. */
export async function chooseClientSecret(page: Page) {
  await page.getByRole("radio", { name: /^Client secret/ }).check();
}

export async function expectChecksPassed(page: Page) {
  await expect(page.getByRole("heading", { name: /all checks passed/ })).toBeVisible({ timeout: 30_000 });
}

/** Attaches a full-page screenshot at the two sizes the product is checked at (desktop 1280×800, phone 390×844). */
export async function attachScreens(page: Page, testInfo: TestInfo, name: string) {
  const original = page.viewportSize();
  for (const size of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(size);
    await testInfo.attach(`${name} (${size.width}×${size.height})`, { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  }
  if (original) await page.setViewportSize(original);
}
