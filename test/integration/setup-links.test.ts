/**
 * Setup links (issue 14, item 1): an admin sends an IT contact a one-time link; the contact completes the
 * admin's own wizard (real verification against the sandbox tenant) or rotates a secret, without an account.
 * The link is stored hashed, works once, expires, can be revoked, is audited at every step, rate-limits wrong
 * tokens, and cannot reach anything but its own connection: every verb replayed with the link against other
 * ids is refused, and the admin verbs refuse the link holder, who has no session.
 */
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { alertEvents, auditEvents, connectionOrganizations, directoryConnections, memberships, setupLinks } from "@/db/schema";
import { connectionAlerts, updateAlertSettings } from "@/lib/alerts/settings";
import { createConnection, verifyConnectionDraft } from "@/lib/connections/create";
import { deleteConnection } from "@/lib/connections/delete";
import { updateConnectionOptions } from "@/lib/connections/options";
import { getConnection, listConnections, refreshConnectionGroups } from "@/lib/connections/queries";
import { rotateSecret } from "@/lib/connections/rotate";
import { verifyConnection } from "@/lib/connections/verify";
import { RosterError } from "@/lib/errors";
import { completeSetupCreate, LINK_UNAVAILABLE, rotateViaSetupLink, verifySetupDraft } from "@/lib/setup-links/complete";
import { createSetupLink } from "@/lib/setup-links/create";
import { listSetupLinks, revokeSetupLink } from "@/lib/setup-links/manage";
import { resolveSetupLink } from "@/lib/setup-links/resolve";
import { SETUP_TOKEN_MAX_FAILURES } from "@/lib/setup-links/throttle";
import { startMailCatcher, type MailCatcher } from "@/scripts/mail-catcher";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { inAYear, makeActor, makeOrg, wizardForm } from "./connection-fixtures";
import { mainApp, startSandboxForFile } from "./graph-sandbox";

const sandbox = startSandboxForFile();
let mail: MailCatcher;
const saved = { SMTP_URL: process.env.SMTP_URL, MAIL_FROM: process.env.MAIL_FROM, NEXTAUTH_URL: process.env.NEXTAUTH_URL };
beforeAll(async () => {
  process.env.ENCRYPTION_KEY = randomBytes(32).toString("base64");
  delete process.env.ENCRYPTION_KEY_PREVIOUS;
  mail = await startMailCatcher();
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await mail?.close();
});

async function rejection(p: Promise<unknown>): Promise<RosterError> {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  expect(e).toBeInstanceOf(RosterError);
  return e as RosterError;
}

const LINK = /https:\/\/roster\.example\.test\/setup\/([A-Za-z0-9_-]{43})/;

describe.each(dbKinds)("setup links on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
    process.env.SMTP_URL = mail.url;
    process.env.MAIL_FROM = "Roster <roster@example.test>";
    process.env.NEXTAUTH_URL = "https://roster.example.test";
    mail.messages.length = 0;
  });
  afterEach(() => h.close());

  async function setup() {
    const org = await makeOrg(h.db);
    const admin = await makeActor(h.db, [{ orgId: org.id, role: "admin" }]);
    const t = await sandbox.createTenant();
    return { org, admin, t };
  }
  /** Sends a link and reads its token from the email the contact received, as the contact would. */
  async function sendLink(admin: Awaited<ReturnType<typeof makeActor>>, input: Parameters<typeof createSetupLink>[2]) {
    const before = mail.messages.length;
    const result = await createSetupLink(h.db, admin, input);
    const email = mail.messages.slice(before).find((m) => m.to.includes(input.contactEmail.toLowerCase()));
    const token = email?.text.match(LINK)?.[1];
    if (!token) throw new Error("no setup link email");
    return { result, email: email!, token };
  }
  const ctx = (token: string, client = "203.0.113.7") => ({ token, client });

  test("an admin's link is emailed, stored hashed, opens the wizard once, and the connection lands in the admin's organization", async () => {
    const { org, admin, t } = await setup();
    const { result, email, token } = await sendLink(admin, { purpose: "create", organizationId: org.id, contactName: "Ian IT", contactEmail: "ian@contoso.example" });
    expect(result.emailed).toBe(true);
    expect(email.to).toEqual(["ian@contoso.example"]);
    expect(email.subject).toBe("Roster: connect Microsoft Entra ID");
    expect(email.text).toContain(`https://roster.example.test/setup/${token}`);
    expect(email.text).toContain(admin.email);
    const [row] = await h.db.select().from(setupLinks);
    expect(row.tokenHash).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(7 * 86_400_000 - 5_000);

    // Opened twice: stamped and audited once.
    for (let i = 0; i < 2; i++) expect((await resolveSetupLink(h.db, token, { client: "203.0.113.7", markOpened: true })).state).toBe("valid");

    // The same verification and diagnoses as the admin's wizard: a wrong secret, then the right one.
    const wrong = wizardForm(t, [org.id], { secretValue: "wrong-secret-value-123" });
    const viaLink = await verifySetupDraft(h.db, ctx(token), wrong);
    const asAdmin = await verifyConnectionDraft(h.db, admin, wrong);
    // Equal but for the moment each sign-in happened (Entra's error text carries a timestamp).
    const lines = (v: typeof viaLink) => v.checklist.map((i) => ({ ...i, details: undefined }));
    expect(lines(viaLink)).toEqual(lines(asAdmin));
    expect(viaLink.fields).toEqual(asAdmin.fields);
    expect(viaLink.checklist.find((i) => !i.ok)?.code).toBe("secret_wrong");
    expect(viaLink.ok).toBe(false);
    const notSaved = await completeSetupCreate(h.db, ctx(token), wrong);
    expect(notSaved.saved).toBe(false); // and the link still works

    const done = await completeSetupCreate(h.db, ctx(token), wizardForm(t, [org.id], { name: "Contoso via IT", ownerName: "Ian IT", ownerEmail: "ian@contoso.example" }));
    if (!done.saved) throw new Error("not saved");
    expect(done.status).toBe("active");
    const orgs = await h.db.select().from(connectionOrganizations).where(eq(connectionOrganizations.connectionId, done.connectionId));
    expect(orgs.map((o) => o.organizationId)).toEqual([org.id]);
    expect((await listConnections(h.db, admin)).map((c) => c.name)).toContain("Contoso via IT");

    // Single use: the link is spent; the page says "done" for a while, then what any unusable link says.
    expect((await rejection(completeSetupCreate(h.db, ctx(token), wizardForm(t, [org.id], { clientId: mainApp(t).clientId })))).message).toBe(LINK_UNAVAILABLE);
    expect((await resolveSetupLink(h.db, token, { client: "203.0.113.7" })).state).toBe("done");
    expect((await resolveSetupLink(h.db, token, { client: "203.0.113.7", now: new Date(Date.now() + 3_600_000) })).state).toBe("unavailable");

    // The admin is told by email and on the connection's page.
    const told = mail.messages.find((m) => m.to.includes(admin.email.toLowerCase()));
    expect(told?.subject).toBe("Roster: Ian IT connected the directory “Contoso via IT” with your setup link");
    expect(told?.text).toContain(`https://roster.example.test/admin/directory/${done.connectionId}`);
    expect((await connectionAlerts(h.db, admin, done.connectionId)).recent.map((a) => a.kind)).toEqual(["setup_link"]);

    const audit = await h.db.select().from(auditEvents).where(eq(auditEvents.targetType, "setup_link"));
    expect(audit.map((a) => a.action).sort()).toEqual(["setup_link.complete", "setup_link.create", "setup_link.open"]);
    expect(audit.find((a) => a.action === "setup_link.create")?.actorUserId).toBe(admin.userId);
    expect(audit.find((a) => a.action === "setup_link.complete")?.actorLabel).toBe("ian@contoso.example");
    expect(JSON.stringify(audit)).not.toContain(token);
    const created = await h.db.select().from(auditEvents).where(and(eq(auditEvents.action, "connection.create"), eq(auditEvents.targetId, done.connectionId)));
    expect(created[0].actorLabel).toBe(`ian@contoso.example (setup link from ${admin.email})`);
    expect(JSON.stringify(await listSetupLinks(h.db, admin))).toContain('"status":"completed"');
  });

  test("bad input: an invalid IT email is refused on its field; editors and other organizations cannot send links", async () => {
    const { org, admin } = await setup();
    const bad = await rejection(createSetupLink(h.db, admin, { purpose: "create", organizationId: org.id, contactName: "Ian", contactEmail: "ian@contoso" }));
    expect(bad.code).toBe("invalid_input");
    expect(bad.fields).toEqual({ contactEmail: "Enter a valid email address, such as it@contoso.com." });
    const editor = await makeActor(h.db, [{ orgId: org.id, role: "editor" }]);
    expect((await rejection(createSetupLink(h.db, editor, { purpose: "create", organizationId: org.id, contactName: "I", contactEmail: "i@c.example" }))).code).toBe("forbidden");
    const other = await makeOrg(h.db);
    expect((await rejection(createSetupLink(h.db, admin, { purpose: "create", organizationId: other.id, contactName: "I", contactEmail: "i@c.example" }))).code).toBe("not_found");
    expect(await h.db.select().from(setupLinks)).toHaveLength(0);
    expect(mail.messages).toHaveLength(0);
  });

  test("revoked, expired, or made by an admin who is no longer one: unusable, and all look alike", async () => {
    const { org, admin, t } = await setup();
    const a = await sendLink(admin, { purpose: "create", organizationId: org.id, contactName: "A", contactEmail: "a@contoso.example" });
    const b = await sendLink(admin, { purpose: "create", organizationId: org.id, contactName: "B", contactEmail: "b@contoso.example" });
    const c = await sendLink(admin, { purpose: "create", organizationId: org.id, contactName: "C", contactEmail: "c@contoso.example" });
    const stranger = await makeActor(h.db, [{ orgId: (await makeOrg(h.db)).id, role: "admin" }]);
    expect((await rejection(revokeSetupLink(h.db, stranger, a.result.linkId))).code).toBe("not_found");
    await revokeSetupLink(h.db, admin, a.result.linkId);
    expect((await resolveSetupLink(h.db, a.token, { client: "x1" })).state).toBe("unavailable");
    expect((await rejection(completeSetupCreate(h.db, ctx(a.token), wizardForm(t, [org.id])))).message).toBe(LINK_UNAVAILABLE);
    expect((await resolveSetupLink(h.db, b.token, { client: "x1", now: new Date(Date.now() + 8 * 86_400_000) })).state).toBe("unavailable");
    await h.db.update(memberships).set({ role: "editor" }).where(eq(memberships.userId, admin.userId));
    expect((await resolveSetupLink(h.db, c.token, { client: "x1" })).state).toBe("unavailable");
    const revokes = await h.db.select().from(auditEvents).where(eq(auditEvents.action, "setup_link.revoke"));
    expect(revokes.map((r) => r.targetId)).toEqual([a.result.linkId]);
  });

  test("wrong tokens are rate-limited per client, and the lock holds even for a right token", async () => {
    const { org, admin } = await setup();
    const { token } = await sendLink(admin, { purpose: "create", organizationId: org.id, contactName: "I", contactEmail: "i@contoso.example" });
    for (let i = 0; i < SETUP_TOKEN_MAX_FAILURES; i++) {
      expect((await resolveSetupLink(h.db, randomBytes(32).toString("base64url"), { client: "198.51.100.9" })).state).toBe("unavailable");
    }
    expect((await resolveSetupLink(h.db, token, { client: "198.51.100.9" })).state).toBe("rate_limited");
    expect((await rejection(verifySetupDraft(h.db, ctx(token, "198.51.100.9"), {}))).code).toBe("rate_limited");
    expect((await resolveSetupLink(h.db, token, { client: "198.51.100.10" })).state).toBe("valid");
  });

  test("rotation through a link: only that connection's secret, and the admin is told", async () => {
    const { org, admin, t } = await setup();
    const first = await createConnection(h.db, admin, wizardForm(t, [org.id], { name: "First" }));
    const t2 = await sandbox.createTenant();
    const second = await createConnection(h.db, admin, wizardForm(t2, [org.id], { name: "Second" }));
    if (!first.saved || !second.saved) throw new Error("not saved");
    const { token, email } = await sendLink(admin, { purpose: "rotate", connectionId: first.connectionId, contactName: "Ian", contactEmail: "ian@contoso.example" });
    expect(email.subject).toBe("Roster: rotate a client secret");
    expect(email.text).toContain("“First”");
    const app = mainApp(t);
    const secret = { secretId: app.secretId, secretValue: app.secret, secretExpiresOn: inAYear() };
    // Replayed against the other connection: refused, and its secret untouched.
    const [before] = await h.db.select().from(directoryConnections).where(eq(directoryConnections.id, second.connectionId));
    expect((await rejection(rotateViaSetupLink(h.db, ctx(token), { connectionId: second.connectionId, ...secret }))).code).toBe("not_found");
    const [after] = await h.db.select().from(directoryConnections).where(eq(directoryConnections.id, second.connectionId));
    expect(after.secretSealed).toBe(before.secretSealed);
    // A rotate link is not a wizard link.
    expect((await rejection(verifySetupDraft(h.db, ctx(token), wizardForm(t, [org.id])))).message).toBe(LINK_UNAVAILABLE);

    const rotated = await rotateViaSetupLink(h.db, ctx(token), { connectionId: first.connectionId, ...secret });
    expect(rotated.rotated).toBe(true);
    expect((await rejection(rotateViaSetupLink(h.db, ctx(token), { connectionId: first.connectionId, ...secret }))).message).toBe(LINK_UNAVAILABLE);
    const told = mail.messages.find((m) => m.subject === "Roster: Ian rotated the client secret with your setup link");
    expect(told?.to).toEqual([admin.email.toLowerCase()]);
    const notices = await h.db.select().from(alertEvents).where(eq(alertEvents.kind, "setup_link"));
    expect(notices.map((n) => n.connectionId)).toEqual([first.connectionId]);
  });

  test("replayed with the link against other ids, and through the admin verbs: every call refused", async () => {
    const { org, admin, t } = await setup();
    const otherOrg = await makeOrg(h.db);
    const otherAdmin = await makeActor(h.db, [{ orgId: otherOrg.id, role: "admin" }]);
    const theirs = await createConnection(h.db, otherAdmin, wizardForm(t, [otherOrg.id], { name: "Theirs" }));
    if (!theirs.saved) throw new Error("not saved");
    const { token } = await sendLink(admin, { purpose: "create", organizationId: org.id, contactName: "I", contactEmail: "i@contoso.example" });
    const link = ctx(token);

    // The link's own verbs, aimed elsewhere.
    const refusals: [string, () => Promise<unknown>][] = [
      ["create into another organization", () => completeSetupCreate(h.db, link, wizardForm(t, [otherOrg.id]))],
      ["create into two organizations", () => completeSetupCreate(h.db, link, wizardForm(t, [org.id, otherOrg.id]))],
      ["create with no organization", () => completeSetupCreate(h.db, link, wizardForm(t, []))],
      ["rotate another organization's connection", () => rotateViaSetupLink(h.db, link, { connectionId: theirs.connectionId, secretId: "x", secretValue: "y", secretExpiresOn: inAYear() })],
      ["a token one character off", () => completeSetupCreate(h.db, ctx(token.slice(0, -1) + (token.endsWith("A") ? "B" : "A")), wizardForm(t, [org.id]))],
    ];
    // The admin verbs, as the link holder reaches them: with no session, so no actor.
    const id = theirs.connectionId;
    const linkId = (await h.db.select().from(setupLinks))[0].id;
    const asHolder: [string, () => Promise<unknown>][] = [
      ["getConnection", () => getConnection(h.db, null, id)],
      ["listConnections", () => listConnections(h.db, null)],
      ["verifyConnection", () => verifyConnection(h.db, null, id)],
      ["refreshConnectionGroups", () => refreshConnectionGroups(h.db, null, id)],
      ["rotateSecret", () => rotateSecret(h.db, null, { connectionId: id, secretId: "x", secretValue: "y", secretExpiresOn: inAYear() })],
      ["updateConnectionOptions", () => updateConnectionOptions(h.db, null, { connectionId: id, organizationIds: [org.id], ownerName: "x", ownerEmail: "x@y.example", groupObjectIds: "", azureGovernment: false, useUsernameFallback: false, syncContacts: false })],
      ["deleteConnection", () => deleteConnection(h.db, null, { connectionId: id })],
      ["createConnection", () => createConnection(h.db, null, wizardForm(t, [org.id]))],
      ["verifyConnectionDraft", () => verifyConnectionDraft(h.db, null, wizardForm(t, [org.id]))],
      ["createSetupLink", () => createSetupLink(h.db, null, { purpose: "create", organizationId: org.id, contactName: "x", contactEmail: "x@y.example" })],
      ["revokeSetupLink", () => revokeSetupLink(h.db, null, linkId)],
      ["listSetupLinks", () => listSetupLinks(h.db, null)],
      ["connectionAlerts", () => connectionAlerts(h.db, null, id)],
      ["updateAlertSettings", () => updateAlertSettings(h.db, null, { connectionId: id, enabledKinds: [] })],
    ];
    for (const [what, call] of refusals) {
      const e = await rejection(Promise.resolve().then(call));
      expect([what, e.code]).toEqual([what, "not_found"]);
    }
    for (const [what, call] of asHolder) {
      const e = await rejection(Promise.resolve().then(call));
      expect([what, e.code]).toEqual([what, "unauthenticated"]);
    }
    // Nothing changed: their connection as it was, no connection in our organization, the link still unused.
    expect((await h.db.select().from(directoryConnections)).map((c) => c.name)).toEqual(["Theirs"]);
    expect((await h.db.select().from(setupLinks))[0].completedAt).toBeNull();
  });
});
