/**
 * The editors' "Manage from directory" dialog against the sandbox tenant (Northwind). Every expected number
 * is computed from the sandbox's manifest of the tenant this test created, never hard-coded.
 */
import type { Page, TestInfo } from "@playwright/test";
import { test, expect } from "./support/fixtures";
import {
  groupId,
  groupDetail,
  contributed,
  union,
  minus,
  intersect,
  arrange,
  signInOn,
  openDialog,
  row,
  findGroup,
  badge,
  expectRecipients,
  shot,
  previewNumber,
  signInAsEditor,
  tickAndUpdate
} from "./directory-helpers";

/**
 * Holds the page's server actions (the dialog's writes) until `release()`: while held, whatever the dialog
 * shows can only come from the browser's own (optimistic) update, never from the server's answer.
 */
async function holdServerActions(page: Page) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = 0;
  await page.route(
    (url) => url.pathname.startsWith("/series/"),
    async (route) => {
      const request = route.request();
      if (request.method() === "POST" && request.headers()["next-action"]) {
        held++;
        await gate;
      }
      await route.continue();
    },
  );
  return {
    held: () => held,
    release: async () => {
      release();
      await page.unrouteAll({ behavior: "wait" });
    },
  };
}

/** Screenshots of the page at the two sizes people use it at (desktop 1280×800, phone 390×844). */
async function shotBoth(page: Page, testInfo: TestInfo, name: string) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 800 });
  await shot(page, testInfo, `${name}-1280x800`);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, testInfo, `${name}-390x844`);
  if (before) await page.setViewportSize(before);
}

// ── Tests ────────────────────────────────────────────────────────────────────

test("an editor brings All-Staff and Outreach into the audience and sees each state", async ({ page, browser, make, sandbox, app }, testInfo) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  const [staff, outreach] = await Promise.all([groupDetail(sandbox, a.tenant, "All-Staff"), groupDetail(sandbox, a.tenant, "Outreach")]);
  const expected = union(contributed(staff), contributed(outreach));

  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await badge(page, "All-Staff", "Not synced");
  await shot(page, testInfo, "dialog-not-synced");

  // Slow Graph down (5 s a request) so that the live states can be seen and kept.
  await sandbox.control("POST", `/tenants/${a.tenant.tenantId}/faults`, { latencyMs: 5_000 });
  await tickAndUpdate(page, ["All-Staff", "Outreach"]);
  await badge(page, "All-Staff", /Queued|Syncing/);
  await shot(page, testInfo, "dialog-queued");
  await badge(page, "All-Staff", "Syncing");
  // Syncing: "Starting…" until the first page is read, then how many members so far (never "0 so far").
  await expect(row(page, "All-Staff")).toContainText(/Starting…|[1-9][\d,]* members so far/);
  await shot(page, testInfo, "dialog-syncing");
  await sandbox.control("DELETE", `/tenants/${a.tenant.tenantId}/faults`);
  await badge(page, "All-Staff", "Synced");
  await badge(page, "Outreach", "Synced");
  // Skipped members per reason sit next to each synced group: Azure's count can be reconciled from the screen.
  if (staff.skipped!.disabled.length > 0) {
    await expect(row(page, "All-Staff").getByText(new RegExp(`${staff.skipped!.disabled.length} disabled`))).toBeVisible();
  }
  await shot(page, testInfo, "dialog-synced");

  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(page.getByRole("button", { name: "Manage recipients" })).toBeFocused();
  await expectRecipients(page, expected.size);
});

test("unticking Outreach removes exactly the recipients only Outreach held", async ({ page, browser, make, sandbox, app }) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  const [staff, outreach] = await Promise.all([groupDetail(sandbox, a.tenant, "All-Staff"), groupDetail(sandbox, a.tenant, "Outreach")]);
  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["All-Staff", "Outreach"]);
  await badge(page, "All-Staff", "Synced");
  await badge(page, "Outreach", "Synced");

  const r = await findGroup(page, "Outreach");
  await r.getByRole("checkbox", { name: "Sync Outreach to audience" }).uncheck();
  await page.getByRole("button", { name: "Update audience" }).click();
  // Who leaves, before anything applies: only what no other source holds.
  const onlyOutreach = minus(contributed(outreach), contributed(staff));
  expect(onlyOutreach.size).toBeGreaterThan(0);
  const confirm = page.getByRole("dialog", { name: "Stop syncing “Outreach”?" });
  const leaves = onlyOutreach.size === 1 ? "1 recipient" : `${onlyOutreach.size.toLocaleString("en-US")} recipients`;
  await expect(confirm).toContainText(`${leaves} will leave the audience`);
  await confirm.getByRole("button", { name: `Remove ${leaves}` }).click();
  await badge(page, "Outreach", "Not synced");
  await page.keyboard.press("Escape");
  await expectRecipients(page, contributed(staff).size);
  // And one of the addresses only Outreach held is gone, one both held is still there.
  await page.goto(`/series/${a.series.id}/audience?q=${encodeURIComponent([...onlyOutreach][0])}`);
  await expect(page.getByText("No one matches this search.")).toBeVisible();
});

test("a group made to fail shows Error with its fix while the audience keeps its members", async ({ page, browser, make, sandbox, app }, testInfo) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  const outreach = await groupDetail(sandbox, a.tenant, "Outreach");
  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["Outreach"]);
  await badge(page, "Outreach", "Synced");

  await sandbox.control("POST", `/tenants/${a.tenant.tenantId}/faults`, {
    // A refusal, not an outage: a transient 503 is retried and the job requeued with its cursor (three times,
    // over minutes) before it shows Error.
    pageErrors: [{ groupId: outreach.id, page: 1, status: 403, mode: "always" }],
  });
  const r = await findGroup(page, "Outreach");
  await r.getByRole("button", { name: "Sync now" }).click();
  await badge(page, "Outreach", "Error", 90_000);
  await expect(row(page, "Outreach").getByText(/last good sync/i)).toBeVisible();
  await shot(page, testInfo, "dialog-error");

  // Sync now on a row in Error: Queued in the same frame, before the server has even received the request.
  await sandbox.control("DELETE", `/tenants/${a.tenant.tenantId}/faults`);
  const hold = await holdServerActions(page);
  await row(page, "Outreach").getByRole("button", { name: "Sync now" }).click();
  await badge(page, "Outreach", "Queued", 5_000);
  await expect(row(page, "Outreach")).not.toContainText("The audience keeps this group's members");
  expect(hold.held()).toBe(1);
  await shotBoth(page, testInfo, "dialog-sync-now-queued");
  await hold.release();
  await expect(page.getByRole("dialog").getByText("“Outreach” is queued to sync now.").or(page.getByText(/Syncing finished/))).toBeVisible();
  await badge(page, "Outreach", "Synced");
  // The notice about the queued sync is gone once it finished.
  await expect(page.getByRole("dialog").getByText("“Outreach” is queued to sync now.")).toBeHidden();
  await page.keyboard.press("Escape");
  await expectRecipients(page, contributed(outreach).size);
});

test("a deleted group says so once", async ({ page, browser, make, sandbox, app }, testInfo) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["Outreach"]);
  await badge(page, "Outreach", "Synced");
  await sandbox.control("POST", `/tenants/${a.tenant.tenantId}/mutations`, { op: "deleteGroup", groupId: groupId(a.tenant, "Outreach") });
  const r = await findGroup(page, "Outreach");
  await r.getByRole("button", { name: "Sync now" }).click();
  await badge(page, "Outreach", "Error", 90_000);
  await expect(r.getByText("Deleted in Azure", { exact: true })).toBeVisible();
  // What the audience keeps is said once (the diagnosis says it), not again below it.
  await expect(r.getByText(/last good sync/i)).toHaveCount(1);
  await expect(r.getByText(/deleted in Azure/i)).toHaveCount(1);
  await shotBoth(page, testInfo, "dialog-deleted-group");
});

test("Sync now reflects a change made in the directory", async ({ page, browser, make, sandbox, app }) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["Outreach"]);
  await badge(page, "Outreach", "Synced");
  const before = await groupDetail(sandbox, a.tenant, "Outreach");
  const [address] = before.recipients!.mail;
  const user = a.tenant.users!.find((u) => u.mail?.toLowerCase() === address)!;

  // Disable one member in Azure; the group's next sync drops them.
  await sandbox.control("POST", `/tenants/${a.tenant.tenantId}/mutations`, { op: "disableUser", userId: user.id });
  const after = await groupDetail(sandbox, a.tenant, "Outreach");
  expect(contributed(after).size).toBe(contributed(before).size - 1);

  const r = await findGroup(page, "Outreach");
  await r.getByRole("button", { name: "Sync now" }).click();
  // The run ledger behind the badge: the latest run removed exactly the disabled member.
  await r.getByRole("button", { name: "Runs" }).click();
  await expect(r.getByRole("list", { name: "Last runs" }).getByRole("listitem").first()).toContainText("+0 added · −1 removed", { timeout: 60_000 });
  await badge(page, "Outreach", "Synced");
  await page.keyboard.press("Escape");
  await expectRecipients(page, contributed(after).size);
});

test("a preview's numbers equal what the sync then does", async ({ page, browser, make, sandbox, app }, testInfo) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  const [staff, outreach] = await Promise.all([groupDetail(sandbox, a.tenant, "All-Staff"), groupDetail(sandbox, a.tenant, "Outreach")]);
  const wouldAdd = minus(contributed(outreach), contributed(staff)).size;
  const already = intersect(contributed(outreach), contributed(staff)).size;

  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["All-Staff"]);
  await badge(page, "All-Staff", "Synced");

  const r = await findGroup(page, "Outreach");
  await r.getByRole("button", { name: "Preview" }).click();
  const numbers = r.getByTestId("preview-numbers");
  await expect(numbers).toBeVisible({ timeout: 60_000 });
  expect(await previewNumber(numbers, "would add")).toBe(wouldAdd);
  expect(await previewNumber(numbers, "already in the audience")).toBe(already);
  // Skipped: disabled, no address (no username fallback on this connection), and a second user with an address already seen.
  const skipped = outreach.skipped!;
  const duplicates = Number(outreach.transitive.enabledWithMail) - contributed(outreach).size;
  expect(await previewNumber(numbers, "skipped")).toBe(skipped.disabled.length + skipped.noAddress.length + skipped.upnOnly.length + duplicates);
  await shot(page, testInfo, "dialog-preview");
  // The preview changed nothing.
  await page.keyboard.press("Escape");
  await expectRecipients(page, contributed(staff).size);

  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["Outreach"]);
  await badge(page, "Outreach", "Synced");
  // The run that followed: the group now holds each of its addresses (+N), and the audience grew by exactly
  // the preview's "would add" (the others were already there through All-Staff).
  const synced = await findGroup(page, "Outreach");
  await synced.getByRole("button", { name: "Runs" }).click();
  await expect(synced.getByRole("list", { name: "Last runs" }).getByRole("listitem").first()).toContainText(`+${contributed(outreach).size} added · −0 removed`);
  // Nothing removed is not an alarm: "−0" is not red.
  await expect(synced.getByText("−0 removed")).not.toHaveClass(/text-red/);
  await expect(synced.getByText(`+${contributed(outreach).size} added`)).toHaveClass(/text-green/);
  await page.keyboard.press("Escape");
  await expectRecipients(page, contributed(staff).size + wouldAdd);
});

test("a mass removal waits for review, and confirming it applies it", async ({ page, browser, make, sandbox, app }, testInfo) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  const before = await groupDetail(sandbox, a.tenant, "All-Staff");
  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["All-Staff"]);
  await badge(page, "All-Staff", "Synced");

  // Disable more than 20 % and more than 50 of the group's addressed members at once.
  const toDisable = Math.max(51, Math.ceil(contributed(before).size * 0.21) + 1);
  const byMail = new Map(a.tenant.users!.filter((u) => u.mail).map((u) => [u.mail!.toLowerCase(), u.id]));
  const userIds = [...contributed(before)].slice(0, toDisable).map((m) => byMail.get(m)!);
  await sandbox.control("POST", `/tenants/${a.tenant.tenantId}/mutations`, { ops: userIds.map((userId) => ({ op: "disableUser", userId })) });
  const after = await groupDetail(sandbox, a.tenant, "All-Staff");
  expect(contributed(after).size).toBe(contributed(before).size - toDisable);

  const r = await findGroup(page, "All-Staff");
  await r.getByRole("button", { name: "Sync now" }).click();
  await badge(page, "All-Staff", "Needs review");
  await expect(r).toContainText(`would remove ${toDisable} of ${contributed(before).size}`);
  // The run held for review says what it would do, not "+0 −0".
  await r.getByRole("button", { name: "Runs" }).click();
  const held = r.getByRole("list", { name: "Last runs" }).getByRole("listitem").first();
  await expect(held).toContainText(`Held for review`);
  await expect(held).toContainText(`would remove ${toDisable} of ${contributed(before).size}`);
  await expect(held).not.toContainText("+0 added");
  await shot(page, testInfo, "dialog-needs-review");
  await page.keyboard.press("Escape");
  await expectRecipients(page, contributed(before).size);

  await openDialog(page, a.series.id);
  const again = await findGroup(page, "All-Staff");
  await again.getByRole("button", { name: "Confirm removals" }).click();
  // Who leaves: the first 50 addresses, by address, and how many more.
  const confirm = page.getByRole("dialog", { name: "Confirm removals from “All-Staff”" });
  const leaving = [...minus(contributed(before), contributed(after))].sort();
  const listed = confirm.getByRole("list", { name: "Who leaves" }).getByRole("listitem");
  await expect(listed).toHaveCount(Math.min(50, leaving.length));
  await expect(listed.first()).toContainText(leaving[0]);
  if (leaving.length > 50) await expect(confirm).toContainText(`and ${leaving.length - 50} more address`);
  await expect(confirm).toContainText(`${leaving.length} addresses would leave`);
  await shotBoth(page, testInfo, "dialog-confirm-removals");
  await confirm.getByRole("button", { name: `Remove ${leaving.length} addresses` }).click();
  await expect(confirm).toBeHidden();
  await badge(page, "All-Staff", "Synced");
  await page.keyboard.press("Escape");
  await expectRecipients(page, contributed(after).size);
});

test("the lookup says why a disabled member of a synced group is not here", async ({ page, browser, make, sandbox, app }) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  const staff = await groupDetail(sandbox, a.tenant, "All-Staff");
  const disabled = a.tenant.users!.find((u) => staff.skipped!.disabled.includes(u.id) && u.mail);
  expect(disabled, "Northwind has a disabled member of All-Staff with a mail address").toBeTruthy();

  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["All-Staff"]);
  await badge(page, "All-Staff", "Synced");
  await page.keyboard.press("Escape");

  await page.getByLabel("Email address to look up").fill(disabled!.mail!);
  await page.getByRole("button", { name: "Look up" }).click();
  const answer = page.getByTestId("why-answer");
  await expect(answer).toContainText("is not in this audience", { timeout: 30_000 });
  await expect(answer).toContainText("disabled in Azure");

  const [present] = [...contributed(staff)];
  await page.getByLabel("Email address to look up").fill(present);
  await page.getByRole("button", { name: "Look up" }).click();
  await expect(answer).toContainText("is in this audience");
  await expect(answer.getByRole("listitem").filter({ hasText: "All-Staff" })).toBeVisible();
});

test("a connection limited to selected groups offers only those, and says why the entire directory is not available", async ({ page, browser, make, sandbox, app }, testInfo) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL, limitToGroups: ["All-Staff", "Outreach"] });
  await signInAsEditor(page, a);
  const dialog = await openDialog(page, a.series.id);
  await expect(dialog.getByRole("list", { name: "Directory groups" }).getByRole("listitem")).toHaveCount(2);
  await expect(row(page, "All-Staff")).toBeVisible();
  await expect(row(page, "Outreach")).toBeVisible();
  const entire = dialog.getByRole("checkbox", { name: "Sync entire directory" });
  await expect(entire).toBeDisabled();
  await expect(entire).toHaveAccessibleDescription(/limited to selected Group Object IDs/);
  await shot(page, testInfo, "dialog-limited-connection");
});

test("the dialog works by keyboard alone and fits a 390 px screen", async ({ page, browser, make, sandbox, app }, testInfo) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAsEditor(page, a);
  await page.goto(`/series/${a.series.id}/audience`);
  await page.getByRole("button", { name: "Manage recipients" }).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("menuitem", { name: "Manage from directory" }).focus();
  await page.keyboard.press("Enter");
  const search = page.getByLabel("Search groups");
  await expect(search).toBeFocused();
  await expect(page.getByRole("checkbox", { name: "Sync entire directory" })).toBeEnabled();
  await page.keyboard.type("All-Staff");
  await expect(page.getByRole("list", { name: "Directory groups" })).not.toHaveAttribute("aria-busy", "true");
  const checkbox = row(page, "All-Staff").getByRole("checkbox", { name: "Sync All-Staff to audience" });
  await expect(checkbox).toBeVisible();
  // Tab from the search box through the filters to the first row's checkbox.
  for (let i = 0; i < 10 && !(await checkbox.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(checkbox).toBeFocused();
  await page.keyboard.press("Space");
  await expect(checkbox).toBeChecked();
  const update = page.getByRole("button", { name: "Update audience" });
  await update.focus();
  await page.keyboard.press("Enter");
  await badge(page, "All-Staff", "Synced");
  const box = await page.getByRole("dialog").boundingBox();
  expect(box!.width).toBeLessThanOrEqual(390);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(390);
  await shot(page, testInfo, "dialog-390px");
});

// ── States that never lie, counts that reconcile, polish (issue 16) ─────────

test("Update audience: the ticked group is Queued at once and keeps its tick; Updating… ends when the request is accepted", async ({ page, browser, make, sandbox, app }, testInfo) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  await signInAsEditor(page, a);
  const dialog = await openDialog(page, a.series.id);
  const r = await findGroup(page, "All-Staff");
  await expect(dialog.getByText("1 group matches", { exact: false })).toBeVisible();
  const box = r.getByRole("checkbox", { name: "Sync All-Staff to audience" });
  await box.check();
  await expect(box).toHaveAccessibleDescription(/Will be added when you press Update audience/);

  // Graph answers each page only after 6 s: the sync is held in its first request for a while.
  await sandbox.control("POST", `/tenants/${a.tenant.tenantId}/faults`, { latencyMs: 6_000 });
  const hold = await holdServerActions(page);
  const update = dialog.getByRole("button", { name: /Update audience|Updating…/ });
  await update.click();
  // While the request has not even reached the server: Queued, still ticked, and the button says Updating….
  await badge(page, "All-Staff", "Queued", 5_000);
  await expect(box).toBeChecked();
  await expect(update).toHaveText("Updating…");
  await expect(r).not.toContainText("Not synced");
  await shotBoth(page, testInfo, "dialog-update-queued");
  await hold.release();

  // Accepted: the button is back while the sync is still on its first page.
  await expect(update).toHaveText("Update audience");
  await expect(row(page, "All-Staff").locator("[data-sync-state]")).toHaveText(/Queued|Syncing/);
  await expect(dialog.getByText("1 group queued to sync.")).toBeVisible();
  await expect(box).toBeChecked();
  // Running but no page read yet: not "0 members so far".
  await expect(row(page, "All-Staff")).toContainText(/Waiting to start…|Starting…/);
  await expect(row(page, "All-Staff").getByText(/^0 members so far/)).toHaveCount(0);
  await shotBoth(page, testInfo, "dialog-update-starting");

  await sandbox.control("DELETE", `/tenants/${a.tenant.tenantId}/faults`);
  await badge(page, "All-Staff", "Synced", 90_000);
  // The notice about the queued sync goes when it finishes.
  await expect(dialog.getByText("1 group queued to sync.")).toBeHidden();
  await expect(dialog.getByText("Syncing finished. The audience is up to date.")).toBeVisible();
  await expect(box).toBeChecked();
});

test("a distribution list says its contacts are not synced while Sync contacts is off", async ({ page, browser, make, sandbox, app }, testInfo) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["Partners Newsletter"]);
  await badge(page, "Partners Newsletter", "Synced");
  const r = await findGroup(page, "Partners Newsletter");
  // Every org contact of the list, with or without mail, counted: the number reconciles with Azure's.
  const list = await groupDetail(sandbox, a.tenant, "Partners Newsletter");
  const contacts = list.recipients!.contacts.length + list.skipped!.contactsWithoutMail.length;
  await expect(r).toContainText(`${contacts} contact${contacts === 1 ? "" : "s"} not synced (Sync contacts is off)`);
  await shotBoth(page, testInfo, "dialog-contacts-off");
});

test("the audience page: a summary of its sources, the lookup beside the search, one recipient, a favicon", async ({ page, browser, make, sandbox, app }, testInfo) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  const outreach = await groupDetail(sandbox, a.tenant, "Outreach");
  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["Outreach"]);
  await badge(page, "Outreach", "Synced");
  await page.keyboard.press("Escape");
  await expectRecipients(page, contributed(outreach).size);

  const summary = page.getByRole("list", { name: "Where this audience comes from" });
  await expect(summary.getByRole("listitem").filter({ hasText: "Outreach" })).toContainText(`Synced · ${contributed(outreach).size} addresses`);
  // The lookup is above the table, beside the search.
  const lookup = await page.getByLabel("Email address to look up").boundingBox();
  const table = await page.getByRole("table").boundingBox();
  expect(lookup!.y).toBeLessThan(table!.y);
  // The source filter does not repeat a label's kind.
  await expect(page.getByLabel("Source").locator("option", { hasText: "Outreach" })).toHaveText(`Outreach (directory group, ${contributed(outreach).size})`);
  await shotBoth(page, testInfo, "audience-summary");

  // A favicon, served by the app itself.
  const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(href).toBeTruthy();
  const icon = await page.request.get(href!);
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
});

test("Manage from directory loads as skeletons and fits its content", async ({ page, browser, make, sandbox, app }, testInfo) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL, limitToGroups: ["All-Staff", "Outreach"] });
  await signInAsEditor(page, a);
  // Hold the overview's answer: the dialog shows the shape of what loads, not "Loading…".
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.route((url) => url.pathname === `/api/series/${a.series.id}/directory`, async (route) => {
    await gate;
    await route.continue();
  });
  const dialog = await openDialog(page, a.series.id);
  await expect(dialog.getByTestId("directory-skeleton")).toBeVisible();
  // Screen readers still hear "Loading the directory…" (sr-only); sighted people see the skeleton, not a line of text.
  await expect(dialog.locator("p", { hasText: "Loading the directory…" })).toHaveCount(0);
  await shotBoth(page, testInfo, "dialog-skeleton");
  release();
  await page.unrouteAll({ behavior: "wait" });
  await expect(dialog.getByRole("list", { name: "Directory groups" }).getByRole("listitem")).toHaveCount(2);
  // Two groups: the dialog is as tall as they need, not 92 % of the screen.
  await page.setViewportSize({ width: 1280, height: 800 });
  const box = await dialog.boundingBox();
  expect(box!.height).toBeLessThan(800 * 0.85);
  await expect(dialog.getByRole("checkbox", { name: /sync .* to audience/i })).toHaveCount(2);
  await shotBoth(page, testInfo, "dialog-fits");
});

test("deleting a connection that feeds one series says “1 series audience”", async ({ page, browser, make, sandbox, app }) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["Outreach"]);
  await badge(page, "Outreach", "Synced");
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: "Sign out" }).click();
  await signInOn(page, a.admin.email, a.admin.password);
  await page.goto("/admin/directory");
  await page.getByRole("main").getByRole("link", { name: "Microsoft Entra ID" }).click();
  await page.getByRole("button", { name: "Delete connection" }).click();
  await expect(page.getByRole("dialog")).toContainText("Its groups feed 1 series audience:");
});
