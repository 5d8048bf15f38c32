/**
 * Helpers of the directory specs (e2e/directory.spec.ts, e2e/trust.spec.ts): the sandbox tenant (Northwind) and
 * what it implies, an organization with a connection saved through the wizard, and the dialog by the accessible
 * names docs/design.md fixes ("UI contract").
 */
import type { Browser, Locator, Page, TestInfo } from "@playwright/test";
import { expect, type Factories, type SandboxAccess } from "./support/fixtures";
import { fillWizard } from "./connection-helpers";

// ── The sandbox tenant and what it implies ───────────────────────────────────

export interface GroupDetail {
  id: string;
  displayName: string;
  recipients: { mail: string[]; upnFallback: string[]; contacts: string[] } | null;
  skipped: { disabled: string[]; upnOnly: string[]; noAddress: string[]; contactsWithoutMail: string[] } | null;
  transitive: Record<string, number>;
}

export interface Tenant {
  tenantId: string;
  apps: { name: string; clientId: string; secrets: { secretId: string; value: string; expiresAt: string; expired: boolean }[] }[];
  groups: { id: string; displayName: string }[];
  users: { id: string; displayName: string; mail: string | null; userPrincipalName: string; accountEnabled: boolean }[] | null;
}

export async function newTenant(sandbox: SandboxAccess): Promise<Tenant> {
  return sandbox.createTenant({ scenario: "northwind" });
}

export function groupId(tenant: Tenant, name: string): string {
  const g = tenant.groups.find((x) => x.displayName === name);
  if (!g) throw new Error(`the sandbox tenant has no group ${name}`);
  return g.id;
}

export async function groupDetail(sandbox: SandboxAccess, tenant: Tenant, name: string): Promise<GroupDetail> {
  return sandbox.control("GET", `/tenants/${tenant.tenantId}/groups/${groupId(tenant, name)}`);
}

/** The addresses a group contributes with the connection's defaults (no username fallback, no contacts). */
export function contributed(detail: GroupDetail): Set<string> {
  if (!detail.recipients) throw new Error(`${detail.displayName} is too large for an exact manifest`);
  return new Set(detail.recipients.mail);
}

export const union = (...sets: Set<string>[]) => new Set(sets.flatMap((s) => [...s]));
export const minus = (a: Set<string>, b: Set<string>) => new Set([...a].filter((x) => !b.has(x)));
export const intersect = (a: Set<string>, b: Set<string>) => new Set([...a].filter((x) => b.has(x)));

// ── Arranging: organization, people, a connection saved through the wizard ──

export interface Arranged {
  tenant: Tenant;
  series: { id: string; name: string };
  editor: { email: string; password: string };
  admin: { email: string; password: string };
}

export async function arrange({
  browser,
  make,
  sandbox,
  baseURL,
  limitToGroups = [],
}: {
  browser: Browser;
  make: Factories;
  sandbox: SandboxAccess;
  baseURL: string;
  /** Display names of the groups an admin limits the connection to (the wizard's "Group Object IDs"). */
  limitToGroups?: string[];
}): Promise<Arranged> {
  const tenant = await newTenant(sandbox);
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const editor = await make.user({ org, role: "editor" });
  const series = await make.series({ org });
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signInOn(page, admin.email, admin.password);
  await saveConnectionThroughWizard(page, tenant, org.name, limitToGroups.map((name) => groupId(tenant, name)));
  await context.close();
  return { tenant, series, editor, admin };
}

export async function signInOn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** The admin's wizard, by the accessible names docs/design.md fixes ("UI contract"). */
export async function saveConnectionThroughWizard(page: Page, tenant: Tenant, orgName: string, groupObjectIds: string[]) {
  const app = tenant.apps.find((a) => a.name === "Roster Directory Sync") ?? tenant.apps[0];
  const secret = app.secrets.find((s) => !s.expired) ?? app.secrets[0];
  await page.goto("/admin/directory/new");
  // Organizations the connection serves: the admin's own is offered; fillWizard ticks it when the wizard asks.
  await fillWizard(page, {
    clientId: app.clientId,
    tenantId: tenant.tenantId,
    secretId: secret.secretId,
    secret: secret.value,
    expiresOn: secret.expiresAt.slice(0, 10),
    ownerName: "Ida Admin",
    ownerEmail: "ida.admin@example.test",
    organization: orgName,
    groupObjectIds,
  });
  await page.getByRole("button", { name: "Verify connection" }).click();
  await page.getByRole("button", { name: "Save connection" }).click();
  await expect(page).not.toHaveURL(/\/admin\/directory\/new$/, { timeout: 30_000 });
}

// ── The editor's side ────────────────────────────────────────────────────────

export async function openDialog(page: Page, seriesId: string) {
  await page.goto(`/series/${seriesId}/audience`);
  await page.getByRole("button", { name: "Manage recipients" }).click();
  await page.getByRole("menuitem", { name: "Manage from directory" }).click();
  const dialog = page.getByRole("dialog", { name: "Manage from directory" });
  await expect(dialog).toBeVisible();
  return dialog;
}

export function row(page: Page, name: string) {
  return page
    .getByRole("dialog", { name: "Manage from directory" })
    .getByRole("listitem")
    .filter({ has: page.getByText(name, { exact: true }) });
}

/** Searches the dialog for a group and waits until the list shows that search's results (not the last ones). */
export async function findGroup(page: Page, name: string) {
  const dialog = page.getByRole("dialog", { name: "Manage from directory" });
  await dialog.getByLabel("Search groups").fill(name);
  await expect(dialog.getByRole("list", { name: "Directory groups" })).not.toHaveAttribute("aria-busy", "true");
  await expect(row(page, name)).toBeVisible();
  return row(page, name);
}

/** The row's state badge (the one element of the row carrying data-sync-state) reads `state`. */
export async function badge(page: Page, name: string, state: string | RegExp, timeout = 60_000) {
  await expect(row(page, name).locator("[data-sync-state]")).toHaveText(state, { timeout });
}

export async function expectRecipients(page: Page, n: number) {
  await expect(page.getByText(new RegExp(`^${n.toLocaleString("en-US")} recipients?$|^${n} recipients?$`))).toBeVisible({ timeout: 30_000 });
}

/** A screenshot kept in the test's output folder (test-results) and attached to the report. */
export async function shot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/** A number the preview shows after `label`, e.g. "would add 12". */
export async function previewNumber(numbers: Locator, label: string): Promise<number> {
  const text = (await numbers.textContent()) ?? "";
  const match = text.match(new RegExp(`${label} ([\\d,]+)`));
  if (!match) throw new Error(`the preview does not say "${label} N": ${text}`);
  return Number(match[1].replace(/,/g, ""));
}

/** The test's own page (closed with the test), signed in as the editor. */
export async function signInAsEditor(page: Page, a: Arranged) {
  await signInOn(page, a.editor.email, a.editor.password);
  return page;
}

export async function tickAndUpdate(page: Page, names: string[]) {
  for (const name of names) {
    const r = await findGroup(page, name);
    await r.getByRole("checkbox", { name: `Sync ${name} to audience` }).check();
  }
  await page.getByRole("dialog").getByLabel("Search groups").fill("");
  // The cleared search lists every group again after its debounce; the list grows and moves the footer. Clicking
  // before it settles can land on a group row instead of the button (Playwright's hit check and its click are not
  // one step), so wait for the count line to stop saying "match".
  await expect(page.getByRole("dialog").getByText(/ synced to this audience · /)).not.toHaveText(/ match(es)? · /);
  // Pressed from the keyboard: a mouse click is a press and a release at one point, and in CI (a 143 ms click on
  // a loaded machine) the dialog re-rendered in between, so the release missed the button and nothing was sent
  // (the group still ticked, "1 group to add", no request in the trace). Enter on the focused button runs the
  // same handler wherever the layout is; the specs that click the button itself keep the pointer's path tested.
  const update = page.getByRole("button", { name: "Update audience" });
  await update.focus();
  await update.press("Enter");
  // The notice about queued work goes once that work has finished, and gives way to how it went.
  await expect(page.getByRole("dialog").getByText(/queued to sync|removed from the audience|Syncing finished/)).toBeVisible();
}

