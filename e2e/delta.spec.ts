/**
 * Incremental sync in the browser (docs/adr/0012-incremental-sync-membership-graph.md): after the scheduler's
 * first call has seeded change tracking, "Sync now" checks the directory for changes at once (a delta round),
 * says what it found for this group, the dialog says how fresh the groups are, and each run says delta round
 * or full pass.
 */
import { expect, test } from "./support/fixtures";
import { arrange, badge, contributed, expectRecipients, findGroup, groupDetail, openDialog, signInAsEditor, tickAndUpdate } from "./directory-helpers";

test("Sync now runs a delta round once the scheduler has seeded change tracking; the dialog says how fresh", async ({ page, browser, make, sandbox, app, request }) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  await signInAsEditor(page, a);
  const dialog = await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["Outreach"]);
  await badge(page, "Outreach", "Synced");
  // Before the scheduler ran: no incremental state, no freshness line.
  await expect(dialog.getByText(/Checked for changes|Not checked for changes/)).toHaveCount(0);

  // The scheduler's call: the connection is due, and its first delta round is the full pass that seeds.
  const cron = await request.get("/api/cron/sync", { headers: { authorization: `Bearer ${app.cronSecret}` } });
  expect(cron.status()).toBe(200);
  expect(await cron.json()).toMatchObject({ delta: { connections: 1, fullPasses: 1, failed: 0 } });

  const before = await groupDetail(sandbox, a.tenant, "Outreach");
  const [address] = before.recipients!.mail;
  const user = a.tenant.users!.find((u) => u.mail?.toLowerCase() === address)!;
  await sandbox.control("POST", `/tenants/${a.tenant.tenantId}/mutations`, { op: "disableUser", userId: user.id });
  const after = await groupDetail(sandbox, a.tenant, "Outreach");

  await page.keyboard.press("Escape");
  const again = await openDialog(page, a.series.id);
  await expect(again.getByText("Not checked for changes yet · last full pass today")).toBeVisible();
  const r = await findGroup(page, "Outreach");
  await expect(r.getByRole("button", { name: "Full re-read" })).toBeVisible();
  await r.getByRole("button", { name: "Sync now" }).click();
  await expect(again.getByText("“Outreach” is up to date: 0 joined, 1 left.")).toBeVisible({ timeout: 30_000 });
  await expect(again.getByText(/^Checked for changes (just now|1 min ago) · last full pass today$/)).toBeVisible();
  await badge(page, "Outreach", "Synced");
  await r.getByRole("button", { name: "Runs" }).click();
  const latest = r.getByRole("list", { name: "Last runs" }).getByRole("listitem").first();
  await expect(latest).toContainText("delta round, Sync now");
  await expect(latest).toContainText("+0 added · −1 removed");
  await page.keyboard.press("Escape");
  await expectRecipients(page, contributed(after).size);

});
