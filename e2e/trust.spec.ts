/**
 * Audiences people can trust (issue 15), in real Chromium against the sandbox tenant (Northwind): an excluded
 * member stays out through the next sync and the "why" lookup says so; unticking a group shows how many leave
 * (and who) before anything applies; a run's change list exports as CSV. Every expected number comes from the
 * sandbox's manifest of the tenant this test created.
 */
import { readFile } from "node:fs/promises";
import { test, expect } from "./support/fixtures";
import { arrange, badge, contributed, expectRecipients, findGroup, groupDetail, minus, openDialog, row, signInAsEditor, signInOn, tickAndUpdate } from "./directory-helpers";

const plural = (n: number, one: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : `${one}s`}`;

test("an excluded member of a synced group stays out through the next sync, and the lookup says why", async ({ page, browser, make, sandbox, app }) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  const outreach = contributed(await groupDetail(sandbox, a.tenant, "Outreach"));
  const [member] = [...outreach].sort();
  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["Outreach"]);
  await badge(page, "Outreach", "Synced");
  await page.keyboard.press("Escape");
  await expectRecipients(page, outreach.size);

  await page.getByRole("button", { name: "Manage recipients" }).click();
  await page.getByRole("menuitem", { name: /Exclude addresses/ }).click();
  const exclude = page.getByRole("dialog", { name: "Exclude addresses" });
  await exclude.getByLabel("Email to exclude").fill(member);
  await exclude.getByLabel("Reason", { exact: true }).fill("unsubscribed");
  await exclude.getByRole("button", { name: "Exclude", exact: true }).click();
  await expect(exclude).toBeHidden();
  await expectRecipients(page, outreach.size - 1);

  // The group still holds the member in Azure: a new sync must not bring them back.
  await openDialog(page, a.series.id);
  const r = await findGroup(page, "Outreach");
  await r.getByRole("button", { name: "Sync now" }).click();
  // Two synced runs behind "Runs": the second sync has applied.
  await row(page, "Outreach").getByRole("button", { name: "Runs" }).click();
  await expect(row(page, "Outreach").getByRole("button", { name: "Show changes" })).toHaveCount(2, { timeout: 60_000 });
  await badge(page, "Outreach", "Synced");
  await page.keyboard.press("Escape");
  await expectRecipients(page, outreach.size - 1);

  await page.getByLabel("Email address to look up").fill(member);
  await page.getByRole("button", { name: "Look up" }).click();
  const answer = page.getByTestId("why-answer");
  await expect(answer).toContainText("is not in the audience", { timeout: 30_000 });
  await expect(answer).toContainText(/excluded by .+: unsubscribed/);
});

test("unticking a group says how many leave, and who, before it applies", async ({ page, browser, make, sandbox, app }) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  const [staff, outreach] = await Promise.all([groupDetail(sandbox, a.tenant, "All-Staff"), groupDetail(sandbox, a.tenant, "Outreach")]);
  const onlyOutreach = [...minus(contributed(outreach), contributed(staff))].sort();
  expect(onlyOutreach.length, "Northwind's Outreach has members All-Staff lacks").toBeGreaterThan(0);
  const both = new Set([...contributed(staff), ...contributed(outreach)]);
  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["All-Staff", "Outreach"]);
  await badge(page, "All-Staff", "Synced");
  await badge(page, "Outreach", "Synced");

  const untick = async () => {
    const r = await findGroup(page, "Outreach");
    await r.getByRole("checkbox", { name: "Sync Outreach to audience" }).uncheck();
    await page.getByRole("button", { name: "Update audience" }).click();
    const confirm = page.getByRole("dialog", { name: "Stop syncing “Outreach”?" });
    await expect(confirm).toContainText(`${plural(onlyOutreach.length, "recipient")} will leave the audience`);
    const listed = confirm.getByRole("list", { name: "Who leaves" }).getByRole("listitem");
    const firstListed = ((await listed.first().textContent()) ?? "").split(" · ")[0];
    expect(onlyOutreach).toContain(firstListed);
    await expect(listed).toHaveCount(Math.min(onlyOutreach.length, 50));
    return confirm;
  };

  // Cancel changes nothing: the group stays ticked and synced, nobody leaves.
  const first = await untick();
  await first.getByRole("button", { name: "Cancel" }).click();
  await expect(first).toBeHidden();
  await page.keyboard.press("Escape");
  await expectRecipients(page, both.size);

  await openDialog(page, a.series.id);
  await badge(page, "Outreach", "Synced");
  const again = await untick();
  await again.getByRole("button", { name: `Remove ${plural(onlyOutreach.length, "recipient")}` }).click();
  await badge(page, "Outreach", "Not synced");
  await page.keyboard.press("Escape");
  await expectRecipients(page, contributed(staff).size);
});

test("a run's change list opens behind Runs and exports as CSV", async ({ page, browser, make, sandbox, app }, testInfo) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  const outreach = contributed(await groupDetail(sandbox, a.tenant, "Outreach"));
  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["Outreach"]);
  await badge(page, "Outreach", "Synced");

  await row(page, "Outreach").getByRole("button", { name: "Runs" }).click();
  await row(page, "Outreach").getByRole("button", { name: "Show changes" }).first().click();
  const changes = page.getByTestId("run-changes");
  await expect(changes).toContainText(`${outreach.size.toLocaleString("en-US")} entered the audience · 0 left it`);

  const download = page.waitForEvent("download");
  await changes.getByRole("link", { name: "Export CSV" }).click();
  const file = testInfo.outputPath("run-changes.csv");
  await (await download).saveAs(file);
  const lines = (await readFile(file, "utf8")).trim().split(/\r\n/);
  expect(lines[0]).toBe("email,change,reason,by,at");
  const rows = lines.slice(1).map((l) => l.split(",").map((c) => c.replace(/^"|"$/g, "")));
  expect(rows.map((c) => c[0].toLowerCase()).sort()).toEqual([...outreach].sort());
  expect(rows.every((c) => c[1] === "added" && c[2] === "joined the group")).toBe(true);
});

test("excluding the members of a group keeps them out of a synced group, and the lookup names the group", async ({ page, browser, make, sandbox, app }) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  const [staff, outreach] = await Promise.all([groupDetail(sandbox, a.tenant, "All-Staff"), groupDetail(sandbox, a.tenant, "Outreach")]);
  const both = [...contributed(staff)].filter((m) => contributed(outreach).has(m));
  expect(both.length, "Northwind's All-Staff and Outreach share members").toBeGreaterThan(0);
  const staying = minus(contributed(staff), contributed(outreach)).size;
  await signInAsEditor(page, a);
  await openDialog(page, a.series.id);
  await tickAndUpdate(page, ["All-Staff"]);
  await badge(page, "All-Staff", "Synced");
  await page.keyboard.press("Escape");
  await expectRecipients(page, contributed(staff).size);

  await page.getByRole("button", { name: "Manage recipients" }).click();
  await page.getByRole("menuitem", { name: /Exclude addresses/ }).click();
  const exclude = page.getByRole("dialog", { name: "Exclude addresses" });
  await exclude.getByLabel("Group to exclude").fill("No Such Group");
  await exclude.getByRole("button", { name: "Exclude members" }).click();
  await expect(exclude.getByText("Enter a group's name as the directory shows it.")).toBeVisible();
  await exclude.getByLabel("Group to exclude").fill("Outreach");
  await exclude.getByLabel("Reason for the group").fill("partners");
  await exclude.getByRole("button", { name: "Exclude members" }).click();
  await expect(exclude).toBeHidden();

  // The group is read right after the answer; the page shows the audience once that has applied.
  await expect
    .poll(async () => {
      await page.reload();
      return page.getByText(/^[\d,]+ recipients?$/).first().textContent();
    }, { timeout: 60_000 })
    .toBe(`${staying.toLocaleString("en-US")} recipient${staying === 1 ? "" : "s"}`);

  await page.getByLabel("Email address to look up").fill(both[0]);
  await page.getByRole("button", { name: "Look up" }).click();
  await expect(page.getByTestId("why-answer")).toContainText(/excluded by .+: member of Outreach: partners/, { timeout: 30_000 });

  await page.goto(`/series/${a.series.id}/audience?show=excluded`);
  const groups = page.getByRole("list", { name: "Excluded groups" });
  await expect(groups).toContainText("Members of Outreach");
  await groups.getByRole("button", { name: "Lift the exclusion of members of Outreach" }).click();
  await expect(groups).toBeHidden();
  await page.goto(`/series/${a.series.id}/audience`);
  await expectRecipients(page, contributed(staff).size);
});

test("an admin sets the connection's mass-removal guard, with an error per field", async ({ page, browser, make, sandbox, app }) => {
  const a = await arrange({ browser, make, sandbox, baseURL: app.baseURL });
  await signInOn(page, a.admin.email, a.admin.password);
  await page.goto("/admin/directory");
  await page.getByRole("table").getByRole("link").first().click();
  const guard = page.getByRole("form", { name: "Mass-removal guard" });
  await expect(guard.getByLabel("Removal share (%)")).toHaveValue("20");
  await expect(guard.getByLabel("Removal count")).toHaveValue("50");

  await guard.getByLabel("Removal share (%)").fill("abc");
  await guard.getByLabel("Removal count").fill("-3");
  await guard.getByRole("button", { name: "Save mass-removal guard" }).click();
  await expect(guard.getByText("Both figures need attention.")).toBeVisible();
  await expect(guard.getByLabel("Removal share (%)")).toHaveAccessibleDescription(/Enter a whole percentage from 1 to 100\./);
  await expect(guard.getByLabel("Removal count")).toHaveAccessibleDescription(/Enter a whole number of removals from 0 to 1,000,000\./);

  await guard.getByLabel("Removal share (%)").fill("10");
  await guard.getByLabel("Removal count").fill("5");
  await guard.getByRole("button", { name: "Save mass-removal guard" }).click();
  await expect(guard.getByText("Mass-removal guard saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("form", { name: "Mass-removal guard" }).getByLabel("Removal share (%)")).toHaveValue("10");
});
