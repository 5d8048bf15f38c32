/**
 * Alerts by email (issue 14, item 2), through a real SMTP server in this process (scripts/mail-catcher.ts):
 * each kind of event is emailed once to the setup owner and the organization's admins, however many cron calls
 * see it; a kind turned off is recorded but not sent; with no SMTP configured nothing fails and the alert is
 * kept for the product to show.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { scanAlerts } from "@/lib/alerts/scan";
import { runCron } from "@/lib/sync/cron";
import { startMailCatcher, type MailCatcher } from "@/scripts/mail-catcher";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { addUserTo } from "@/test/support/factories";
import { makeConnection, makeGroupSource, makeGroups, makeJob, makeOrgWithEditor } from "./directory-fixtures";

let mail: MailCatcher;
beforeAll(async () => {
  mail = await startMailCatcher();
});
afterAll(() => mail?.close());

const saved = { SMTP_URL: process.env.SMTP_URL, MAIL_FROM: process.env.MAIL_FROM, NEXTAUTH_URL: process.env.NEXTAUTH_URL };
function restoreEnv() {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

const NOW = new Date("2031-03-10T09:00:00Z");
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);
const dateIn = (n: number) => days(n).toISOString().slice(0, 10);

describe.each(dbKinds)("alerts on %s", (kind) => {
  let h: TestDb;
  let arranged: Awaited<ReturnType<typeof arrange>>;

  async function arrange(opts: Partial<typeof s.directoryConnections.$inferInsert> = {}) {
    const { org, series, user } = await makeOrgWithEditor(h.db, "admin");
    const secondAdmin = await addUserTo(h.db, org.id, "admin");
    await addUserTo(h.db, org.id, "editor"); // editors are not told
    const connection = await makeConnection(h.db, org.id, { ownerEmail: "It.Owner@Example.test", secretExpiresOn: dateIn(200), health: "healthy", ...opts });
    const expected = [user.email, secondAdmin.email, "It.Owner@Example.test"].sort((a, b) => a.localeCompare(b));
    return { org, series, connection, recipients: expected.map((e) => e.toLowerCase()) };
  }
  const inbox = () => mail.messages.map((m) => ({ ...m, to: m.to.map((t) => t.toLowerCase()) })).filter((m) => m.text.includes(arranged.connection.id) || m.text.includes(arranged.series.id));

  beforeEach(async () => {
    h = await createTestDb(kind);
    process.env.SMTP_URL = mail.url;
    process.env.MAIL_FROM = "Roster <roster@example.test>";
    process.env.NEXTAUTH_URL = "https://roster.example.test";
    mail.messages.length = 0;
    arranged = await arrange();
  });
  afterEach(async () => {
    restoreEnv();
    await h.close();
  });

  test("secret expiry: once at each of 30, 14, 7, 1 days and on the day, never per call", async () => {
    const { connection, recipients } = arranged;
    await h.db.update(s.directoryConnections).set({ secretExpiresOn: dateIn(30) }).where(eq(s.directoryConnections.id, connection.id));
    const subjects: string[] = [];
    // Every day from 31 days before to 2 days after, with two cron calls a day.
    for (let day = -1; day <= 32; day++) {
      for (let call = 0; call < 2; call++) await scanAlerts(h.db, new Date(days(day).getTime() + call * 600_000));
    }
    for (const m of inbox()) subjects.push(m.subject);
    expect(subjects).toEqual([
      `Roster: The client secret of “${connection.name}” expires in 30 days`,
      `Roster: The client secret of “${connection.name}” expires in 14 days`,
      `Roster: The client secret of “${connection.name}” expires in 7 days`,
      `Roster: The client secret of “${connection.name}” expires in 1 day`,
      `Roster: The client secret of “${connection.name}” expires today`,
    ]);
    for (const m of inbox()) {
      expect(m.to).toEqual(recipients);
      expect(m.from).toBe("roster@example.test");
      expect(m.text).toContain(`Open in Roster: https://roster.example.test/admin/directory/${connection.id}`);
      expect(m.text).toContain("Rotate secret");
      expect(m.text).not.toContain("sealed-not-a-secret");
    }
    // A rotation to a new secret starts over.
    await h.db.update(s.directoryConnections).set({ secretId: "44444444-4444-4444-4444-444444444444", secretExpiresOn: dateIn(40) }).where(eq(s.directoryConnections.id, connection.id));
    await scanAlerts(h.db, days(12));
    expect(inbox().at(-1)?.subject).toBe(`Roster: The client secret of “${connection.name}” expires in 28 days`);
  });

  test("certificate expiry: from the certificate's own notAfter, once per threshold; the next certificate starts over; a secret no longer in use is quiet", async () => {
    const { connection, recipients } = arranged;
    const useCertificate = (thumbprint: string, expiresAt: Date) =>
      h.db
        .update(s.directoryConnections)
        .set({ credentialKind: "certificate", certificatePem: "public", certificateKeySealed: "sealed-key", certificateThumbprint: thumbprint, certificateExpiresAt: expiresAt, secretExpiresOn: dateIn(3) })
        .where(eq(s.directoryConnections.id, connection.id));
    await useCertificate("AAAA1111", new Date(days(14).getTime() + 3_600_000));
    for (let day = 0; day <= 15; day++) await scanAlerts(h.db, days(day));
    const subjects = inbox().map((m) => m.subject);
    expect(subjects).toEqual([
      `Roster: The certificate of “${connection.name}” expires in 14 days`,
      `Roster: The certificate of “${connection.name}” expires in 7 days`,
      `Roster: The certificate of “${connection.name}” expires in 1 day`,
      `Roster: The certificate of “${connection.name}” expires today`,
    ]);
    for (const m of inbox()) {
      expect(m.to).toEqual(recipients);
      expect(m.text).toContain("thumbprint AAAA1111");
      expect(m.text).toContain("Create the next certificate");
      expect(m.text).not.toContain("sealed-key");
    }
    await useCertificate("BBBB2222", days(40));
    await scanAlerts(h.db, days(16));
    expect(inbox().at(-1)?.subject).toBe(`Roster: The certificate of “${connection.name}” expires in 24 days`);
    const kinds = await h.db.select({ kind: s.alertEvents.kind }).from(s.alertEvents).where(eq(s.alertEvents.connectionId, connection.id));
    expect(new Set(kinds.map((k) => k.kind))).toEqual(new Set(["certificate_expiry"]));
  });

  test("a connection turning failing and recovering: one email per edge, across calls", async () => {
    const { connection, recipients } = arranged;
    const setHealth = (health: "healthy" | "failing") =>
      h.db
        .update(s.directoryConnections)
        .set({ health, lastError: health === "failing" ? { code: "secret_wrong", title: "The client secret was refused", fix: "Rotate the secret." } : null })
        .where(eq(s.directoryConnections.id, connection.id));
    await scanAlerts(h.db, NOW); // healthy from the start: nothing to say
    expect(inbox()).toHaveLength(0);
    await setHealth("failing");
    await scanAlerts(h.db, NOW);
    await scanAlerts(h.db, NOW);
    await setHealth("healthy");
    await scanAlerts(h.db, NOW);
    await scanAlerts(h.db, NOW);
    await setHealth("failing");
    await Promise.all([scanAlerts(h.db, NOW), scanAlerts(h.db, NOW)]);
    expect(inbox().map((m) => m.subject)).toEqual([
      `Roster: The directory connection “${connection.name}” is failing`,
      `Roster: The directory connection “${connection.name}” works again`,
      `Roster: The directory connection “${connection.name}” is failing`,
    ]);
    expect(inbox()[0].text).toContain("The client secret was refused Rotate the secret.");
    expect(inbox()[0].to).toEqual(recipients);
  });

  test("a group in Error two runs in a row: once per streak", async () => {
    const { connection, series } = arranged;
    const [group] = await makeGroups(h.db, connection.id, [{ displayName: "All Staff" }]);
    const source = await makeGroupSource(h.db, { seriesId: series.id, connectionId: connection.id, group, state: "error", extra: { lastError: { code: "forbidden", title: "Graph refused to list the group's members", fix: "Grant GroupMember.Read.All." } } });
    let minute = 0;
    const run = (outcome: "failed" | "synced") =>
      h.db.insert(s.syncRuns).values({ sourceId: source.id, seriesId: series.id, outcome, trigger: "schedule", startedAt: new Date(NOW.getTime() + minute++ * 60_000) });
    await run("failed");
    await scanAlerts(h.db, NOW);
    expect(inbox()).toHaveLength(0); // one failed run is not a streak
    await run("failed");
    await scanAlerts(h.db, NOW);
    await run("failed");
    await scanAlerts(h.db, NOW);
    expect(inbox()).toHaveLength(1);
    expect(inbox()[0].subject).toBe(`Roster: “All Staff” in “${series.name}” failed two syncs in a row`);
    expect(inbox()[0].text).toContain(`https://roster.example.test/series/${series.id}/audience`);
    expect(inbox()[0].text).toContain("Grant GroupMember.Read.All.");
    await run("synced");
    await run("failed");
    await run("failed");
    await scanAlerts(h.db, NOW);
    expect(inbox()).toHaveLength(2);
  });

  test("a run in Needs review for more than a day: once per run", async () => {
    const { connection, series } = arranged;
    const [group] = await makeGroups(h.db, connection.id, [{ displayName: "Sales" }]);
    const source = await makeGroupSource(h.db, { seriesId: series.id, connectionId: connection.id, group, state: "needs_review" });
    const job = await makeJob(h.db, { sourceId: source.id, seriesId: series.id, connectionId: connection.id, status: "needs_review", finishedAt: NOW });
    await scanAlerts(h.db, days(0.9));
    expect(inbox()).toHaveLength(0);
    await scanAlerts(h.db, days(1.1));
    await scanAlerts(h.db, days(3));
    expect(inbox().map((m) => m.subject)).toEqual([`Roster: “Sales” in “${series.name}” has waited in Needs review for more than a day`]);
    expect(inbox()[0].text).toContain("review the removals");
    const [event] = await h.db.select().from(s.alertEvents).where(eq(s.alertEvents.eventKey, job.id));
    expect(event.emailStatus).toBe("sent");
  });

  test("a kind turned off is recorded and shown, not emailed; the others still are", async () => {
    const { connection } = arranged;
    await h.db.insert(s.connectionAlertSettings).values({ connectionId: connection.id, disabledKinds: ["secret_expiry"] });
    await h.db.update(s.directoryConnections).set({ secretExpiresOn: dateIn(5), health: "failing" }).where(eq(s.directoryConnections.id, connection.id));
    await scanAlerts(h.db, NOW);
    expect(inbox().map((m) => m.subject)).toEqual([`Roster: The directory connection “${connection.name}” is failing`]);
    const events = await h.db.select().from(s.alertEvents).where(eq(s.alertEvents.connectionId, connection.id));
    expect(events.map((e) => [e.kind, e.emailStatus]).sort()).toEqual([
      ["connection_health", "sent"],
      ["secret_expiry", "off"],
    ]);
  });

  test("no SMTP configured: nothing fails, nothing is sent, the alert is kept as not configured", async () => {
    delete process.env.SMTP_URL;
    delete process.env.MAIL_FROM;
    await h.db.update(s.directoryConnections).set({ secretExpiresOn: dateIn(1) }).where(eq(s.directoryConnections.id, arranged.connection.id));
    const scan = await scanAlerts(h.db, NOW);
    expect(scan).toMatchObject({ recorded: 1, sent: 0, notConfigured: 1 });
    expect(inbox()).toHaveLength(0);
    const [event] = await h.db.select().from(s.alertEvents).where(eq(s.alertEvents.connectionId, arranged.connection.id));
    expect(event.emailStatus).toBe("not_configured");
    // Configuring SMTP later does not send old news.
    process.env.SMTP_URL = mail.url;
    process.env.MAIL_FROM = "roster@example.test";
    await scanAlerts(h.db, NOW);
    expect(inbox()).toHaveLength(0);
  });

  test("the cron sends each alert once across calls, and a mail server that defers fails nothing", async () => {
    await h.db.update(s.directoryConnections).set({ secretExpiresOn: dateIn(7) }).where(eq(s.directoryConnections.id, arranged.connection.id));
    const first = await runCron(h.db, { now: NOW, budgetMs: 10_000, checkConnection: async () => true });
    await runCron(h.db, { now: new Date(NOW.getTime() + 600_000), budgetMs: 10_000, checkConnection: async () => true });
    expect(first.alerts).toMatchObject({ recorded: 1, sent: 1 });
    expect(inbox()).toHaveLength(1);

    // A server that will not take mail now (421): the alert waits for its next attempt, the cron call still
    // reports its work.
    mail.refuseWith = 421;
    try {
      await h.db.update(s.directoryConnections).set({ health: "failing" }).where(eq(s.directoryConnections.id, arranged.connection.id));
      const report = await runCron(h.db, { now: NOW, budgetMs: 10_000, checkConnection: async () => true });
      expect(report.alerts).toMatchObject({ recorded: 1, sent: 0, failed: 1 });
      const [row] = await h.db.select().from(s.alertEvents).where(eq(s.alertEvents.kind, "connection_health"));
      expect(row.emailStatus).toBe("retrying");
    } finally {
      mail.refuseWith = null;
    }
  });

  test("a send the server defers (451) is tried again on a backoff and arrives once; a 5xx refusal is not retried", async () => {
    await h.db.update(s.directoryConnections).set({ health: "failing" }).where(eq(s.directoryConnections.id, arranged.connection.id));
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    // The connection's health alerts, oldest first: turned failing, then (below) recovered.
    const health = () =>
      h.db.select({ st: s.alertEvents.emailStatus, n: s.alertEvents.emailAttempts }).from(s.alertEvents).where(eq(s.alertEvents.kind, "connection_health")).orderBy(s.alertEvents.createdAt);
    const status = async () => (await health())[0];
    mail.refuseWith = 451;
    try {
      expect((await scanAlerts(h.db, at(0))).failed).toBe(1);
      expect(await status()).toEqual({ st: "retrying", n: 1 });
      // Before its next attempt is due (5 minutes after the first), a call leaves it alone.
      expect(await scanAlerts(h.db, at(4))).toMatchObject({ sent: 0, failed: 0 });
      expect((await scanAlerts(h.db, at(5))).failed).toBe(1);
      expect(await status()).toEqual({ st: "retrying", n: 2 });
      mail.refuseWith = null;
      // The second wait is 15 minutes: due at minute 20.
      expect(await scanAlerts(h.db, at(19))).toMatchObject({ sent: 0 });
      expect(await scanAlerts(h.db, at(20))).toMatchObject({ sent: 1 });
      expect(await status()).toEqual({ st: "sent", n: 3 });
      expect(await scanAlerts(h.db, at(600))).toMatchObject({ sent: 0, failed: 0 });
      expect(inbox()).toHaveLength(1);

      // Refused for good: failed at once, never tried again.
      await h.db.update(s.directoryConnections).set({ health: "healthy" }).where(eq(s.directoryConnections.id, arranged.connection.id));
      mail.refuseWith = 550;
      expect((await scanAlerts(h.db, at(700))).failed).toBe(1);
      expect(await health()).toEqual([
        { st: "sent", n: 3 },
        { st: "failed", n: 1 },
      ]);
      mail.refuseWith = null;
      expect(await scanAlerts(h.db, at(100_000))).toMatchObject({ sent: 0, failed: 0 });
      expect(inbox()).toHaveLength(1);
    } finally {
      mail.refuseWith = null;
    }
  });

  test("a server that keeps deferring: five attempts, then failed", async () => {
    await h.db.update(s.directoryConnections).set({ health: "failing" }).where(eq(s.directoryConnections.id, arranged.connection.id));
    mail.refuseWith = 421;
    try {
      let minute = 0;
      for (let attempt = 1; attempt <= 5; attempt++) {
        expect((await scanAlerts(h.db, new Date(NOW.getTime() + minute * 60_000))).failed).toBe(1);
        minute += 5 * 3 ** (attempt - 1);
      }
      const [row] = await h.db.select().from(s.alertEvents).where(eq(s.alertEvents.kind, "connection_health"));
      expect([row.emailStatus, row.emailAttempts]).toEqual(["failed", 5]);
      expect(await scanAlerts(h.db, new Date(NOW.getTime() + 100_000 * 60_000))).toMatchObject({ failed: 0 });
    } finally {
      mail.refuseWith = null;
    }
  });
});
