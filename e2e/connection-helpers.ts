import { expect, type Page } from "@playwright/test";

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

/** Fills the wizard the way an admin would, from the guide's text file. */
export async function fillWizard(page: Page, v: { clientId: string; tenantId: string; secretId: string; secret: string; expiresOn?: string }) {
  await page.getByLabel("Setup owner name").fill("Ada Admin");
  await page.getByLabel("Setup owner email").fill("ada@northwind.example");
  await page.getByLabel("Application (client) ID").fill(v.clientId);
  await page.getByLabel("Directory (tenant) ID").fill(v.tenantId);
  await page.getByLabel("Client secret ID").fill(v.secretId);
  await page.getByLabel("Client secret value").fill(v.secret);
  await page.getByLabel("Secret expires on").fill(v.expiresOn ?? inAYear());
}

export async function expectChecksPassed(page: Page) {
  await expect(page.getByRole("heading", { name: /all checks passed/ })).toBeVisible({ timeout: 30_000 });
}
