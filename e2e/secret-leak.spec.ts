import { createPrivateKey } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { openSealed, test as withIssuer } from "./support/issuer-front";
import { expectChecksPassed, fillWizard, inAYear, mainAppOf, waitForWizard } from "./connection-helpers";

/**
 * Client secret values must never come back from the server: not in an HTML page, an RSC payload, a server
 * action's response, nor a server log line. The browser sends them (the admin types them); nothing echoes them.
 */
/**
 * Every response passes through the test whole (page.on("response") loses streamed bodies once the page moves on):
 * HTML pages, RSC payloads, server-action results, static chunks.
 */
async function captureResponses(page: Page) {
  const captured: { url: string; action: boolean; text: string }[] = [];
  const unread: { url: string; action: boolean }[] = [];
  await page.route("**/*", async (route) => {
    const request = route.request();
    const action = Boolean(request.headers()["next-action"]);
    try {
      // Each on a connection of its own: Playwright re-sends the request from the test process, and a kept-alive
      // socket that the app closes just as it is reused fails the request with ECONNRESET (seen in CI, on a
      // server action after two the browser had aborted). A request never reuses a socket this way.
      const response = await route.fetch({ headers: { ...request.headers(), connection: "close" } });
      const body = await response.body();
      captured.push({ url: request.url(), action, text: body.toString("utf8") });
      await route.fulfill({ response, body });
    } catch {
      // The browser gave up on this request (a prefetch cut short by a navigation): nothing reached the page.
      unread.push({ url: request.url(), action });
      await route.abort().catch(() => {});
    }
  });
  return { captured, unread };
}

test("no secret value appears in any page, RSC payload, action response or log line", async ({ page, make, signIn, sandbox, app }) => {
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const tenant = await sandbox.createTenant();
  const creds = mainAppOf(tenant);
  const secrets = [creds.secret];
  const { captured, unread } = await captureResponses(page);

  await signIn(page, admin.email, admin.password);
  await page.goto("/admin/directory/new");
  await fillWizard(page, { ...creds, tenantId: tenant.tenantId });
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expectChecksPassed(page);
  await page.getByRole("button", { name: "Save connection" }).click();
  await expect(page).toHaveURL(/\/admin\/directory\/[0-9a-f-]{36}$/, { timeout: 30_000 });

  // The connection page: verify, refresh groups, a failed rotation, a good rotation, an options edit.
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expect(page.getByText("Every check passed.")).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: "Refresh groups" }).click();
  await expect(page.getByText(/Groups refreshed/)).toBeVisible({ timeout: 30_000 });

  const rotate = page.getByRole("form", { name: "Rotate secret" });
  const wrong = "wrong8Q~cccccccccccccccccccccccccccccccccc";
  secrets.push(wrong);
  await rotate.getByLabel("Client secret ID").fill(creds.secretId);
  await rotate.getByLabel("Client secret value").fill(wrong);
  await rotate.getByLabel("Secret expires on").fill(inAYear());
  await rotate.getByRole("button", { name: "Rotate secret" }).click();
  await expect(rotate.getByText("The new secret did not work, so the current one was kept.")).toBeVisible({ timeout: 30_000 });

  const fresh = await sandbox.control("POST", `/tenants/${tenant.tenantId}/mutations`, {
    ops: [{ op: "rotateSecret", clientId: creds.clientId, expiresInDays: 200 }],
  });
  const next = fresh.results[0] as { secretId: string; value: string };
  secrets.push(next.value);
  await rotate.getByLabel("Client secret ID").fill(next.secretId);
  await rotate.getByLabel("Client secret value").fill(next.value);
  await rotate.getByRole("button", { name: "Rotate secret" }).click();
  await expect(rotate.getByText(/Secret rotated/)).toBeVisible({ timeout: 30_000 });

  const settings = page.getByRole("form", { name: "Connection settings" });
  await settings.getByLabel("Use username as email fallback").check();
  await settings.getByRole("button", { name: "Save changes" }).click();
  await expect(settings.getByText("Saved.")).toBeVisible({ timeout: 30_000 });

  await page.reload();
  await page.goto("/admin/directory");
  await expect(page.getByRole("link", { name: "New connection" })).toBeVisible();

  const responses = captured;
  // The capture works: pages show the Secret ID, action results carry the checklists.
  expect(responses.some((r) => r.text.includes(next.secretId))).toBe(true);
  expect(unread.filter((r) => r.action)).toEqual([]); // every server-action response was read whole
  const actions = responses.filter((r) => r.action);
  expect(actions.length).toBeGreaterThanOrEqual(7);
  expect(actions.filter((r) => r.text.includes("checklist")).length).toBeGreaterThanOrEqual(4);
  for (const secret of secrets) {
    const leaks = responses.filter((r) => r.text.includes(secret)).map((r) => r.url);
    expect(leaks, `secret value in responses`).toEqual([]);
    const logLeaks = app.logs().filter((line) => line.includes(secret));
    expect(logLeaks, `secret value in server logs`).toEqual([]);
  }
});

/**
 * Private keys and signing keys never leave the server either: a connection made with a certificate in the
 * wizard, its next certificate, and the switch to a federated credential (so Roster signs with its own keys, and
 * the sandbox fetches their public halves) put no private key, in any form, and no sealed key text in any
 * response or server log line. The keys looked for are the real ones, opened from the database with the app's key.
 */
withIssuer("no private key or signing key appears in any page, RSC payload, action response or log line", async ({ page, make, signIn, sandbox, app, db, encryptionKey }) => {
  const org = await make.org();
  const admin = await make.user({ org, role: "admin" });
  const tenant = await sandbox.createTenant();
  const clientId = mainAppOf(tenant).clientId;
  const { captured, unread } = await captureResponses(page);
  const addCertificate = (pem: string) => sandbox.control("POST", `/tenants/${tenant.tenantId}/mutations`, { ops: [{ op: "addCertificate", clientId, certificate: pem }] });

  // The wizard with a certificate: made on the server, downloaded, uploaded in Azure, verified, saved.
  await signIn(page, admin.email, admin.password);
  await page.goto("/admin/directory/new");
  await waitForWizard(page);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Application (client) ID").fill(clientId);
  await page.getByLabel("Directory (tenant) ID").fill(tenant.tenantId);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("radio", { name: /^Certificate/ }).check();
  await page.getByRole("button", { name: "Create the certificate" }).click();
  await expect(page.getByRole("link", { name: "Download .cer" })).toBeVisible({ timeout: 30_000 });
  const pending = await db.query.pendingCredentials.findFirst();
  await expect(page.getByText(pending!.certificateThumbprint!).first()).toBeVisible();
  await addCertificate(pending!.certificatePem!);
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expectChecksPassed(page);
  await page.getByRole("button", { name: "Save connection" }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/directory/${pending!.id}`), { timeout: 30_000 });
  const first = await db.query.directoryConnections.findFirst();
  const firstKey = openSealed(first!.certificateKeySealed!, `roster/directory_connections/${first!.id}/certificate_key`, encryptionKey);

  // The next certificate, verified before it replaces the first; then the switch to federation.
  await page.getByRole("button", { name: "Create the next certificate" }).click();
  await expect(page.getByText("New certificate, not yet in use")).toBeVisible({ timeout: 30_000 });
  const withNext = await db.query.directoryConnections.findFirst();
  await addCertificate(withNext!.nextCertificatePem!);
  await page.getByRole("button", { name: "Verify and use this certificate" }).click();
  await expect(page.getByText(/Roster now signs in with the certificate/)).toBeVisible({ timeout: 30_000 });
  const second = await db.query.directoryConnections.findFirst();
  const secondKey = openSealed(second!.certificateKeySealed!, `roster/directory_connections/${second!.id}/certificate_key`, encryptionKey);
  const subject = `roster:directory-connection:${second!.id}`;
  const issuer = (await page.getByLabel("Federated credential values").locator("dd").first().textContent())!;
  await sandbox.control("POST", `/tenants/${tenant.tenantId}/mutations`, { ops: [{ op: "addFederatedCredential", clientId, name: "roster", issuer, subject }] });
  await page.getByRole("button", { name: "Verify and use the federated credential" }).click();
  await expect(page.getByText(/Roster now signs in with the federated credential/)).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expect(page.getByText("Every check passed.")).toBeVisible({ timeout: 30_000 });
  await page.reload();
  await page.goto("/admin/directory");

  const signing = await db.query.rosterSigningKeys.findMany();
  expect(signing.length).toBeGreaterThan(0);
  const privateKeys = [firstKey, secondKey, ...signing.map((k) => openSealed(k.privateKeySealed, `roster-signing-key:${k.kid}`, encryptionKey))];
  const sealed = [first!.certificateKeySealed!, second!.certificateKeySealed!, ...signing.map((k) => k.privateKeySealed)];
  const forms = privateKeys.flatMap((pem) => [pem, ...pem.split("\n").filter((l) => l && !l.startsWith("-----")), createPrivateKey(pem).export({ format: "jwk" }).d!]);

  // The capture works: the pages carry the certificates' public parts and the action results their checklists.
  expect(captured.some((r) => r.text.includes(second!.certificateThumbprint!))).toBe(true);
  expect(unread.filter((r) => r.action)).toEqual([]);
  const actions = captured.filter((r) => r.action);
  expect(actions.filter((r) => r.text.includes("checklist")).length).toBeGreaterThanOrEqual(4);
  const logs = app.logs();
  expect(captured.filter((r) => /PRIVATE KEY/.test(r.text)).map((r) => r.url), "a private key PEM in responses").toEqual([]);
  expect(logs.filter((l) => /PRIVATE KEY/.test(l)), "a private key PEM in server logs").toEqual([]);
  for (const form of [...forms, ...sealed]) {
    expect(captured.filter((r) => r.text.includes(form)).map((r) => r.url), "private key material in responses").toEqual([]);
    expect(logs.filter((l) => l.includes(form)), "private key material in server logs").toEqual([]);
  }
});
