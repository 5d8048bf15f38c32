/**
 * Exclusions per series and the unsubscribe endpoint, on PGlite and PostgreSQL: an excluded address stays out
 * through a sync and an import that re-add it; lifting brings it back only if a source holds it; the endpoint
 * answers its contract (201/200/401/404/400) and accepts only a live token of the series' organization.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { importRecipientCsv } from "@/lib/audience/csv-import";
import { importExclusionCsv } from "@/lib/audience/exclusion-csv";
import { excludeAddress, liftExclusion, listExclusions } from "@/lib/audience/exclusions";
import { addManualRecipient } from "@/lib/audience/manual";
import { runQueuedWork } from "@/lib/sync/verbs";
import { createApiToken, revokeApiToken } from "@/lib/tokens/api-tokens";
import { explainAudienceMember } from "@/lib/why/audience";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import type { Sandbox } from "@/sandbox/server";
import { arrangeTenant, groupDetail, startTenantServer } from "@/test/reliability/sandbox-harness";
import { csv, makeWorld } from "./audience-fixtures";

const current: { db?: TestDb["db"] } = {};
vi.mock("@/lib/db", () => ({ getDb: async () => current.db! }));
const route = await import("@/app/api/series/[seriesId]/exclusions/route");

const OPERATOR = { kind: "operator", label: "cli" } as const;
const noLookup = { findPerson: async () => null };

async function audience(h: TestDb, seriesId: string): Promise<string[]> {
  const rows = await h.db.select({ e: s.recipients.emailNormalized }).from(s.recipients).where(eq(s.recipients.seriesId, seriesId));
  return rows.map((r) => r.e).sort();
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

describe.each(dbKinds)("exclusions on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
    current.db = h.db;
  });
  afterEach(async () => {
    current.db = undefined;
    await h.close();
  });

  test("an excluded group member stays out through a sync that re-adds them, and why says why", async () => {
    // The group is listed from the sandbox tenant through the product's real Graph stack.
    const t = await arrangeTenant(h.db, sb, { scenario: "northwind" });
    const outreach = t.manifest.groups.find((g) => g.displayName === "Outreach")!;
    const want = [...new Set((await groupDetail(sb, t.manifest.tenantId, outreach.id)).recipients!.mail)].sort();
    expect(want.length).toBeGreaterThan(1);
    const [victim] = want;
    const actor = t.actor;
    const work = () => runQueuedWork(h.db, { budgetMs: 60_000 });
    await t.select([outreach.id]);
    await work();
    expect(await audience(h, t.seriesId)).toEqual(want);

    expect(await excludeAddress(h.db, actor, { seriesId: t.seriesId, email: victim.toUpperCase(), reason: "unsubscribed" })).toEqual({
      email: victim.toUpperCase(),
      created: true,
      leftAudience: true,
    });
    expect(await audience(h, t.seriesId)).not.toContain(victim);

    // A full re-sync from scratch: untick (releases every holding) and tick again.
    await t.select([]);
    expect(await audience(h, t.seriesId)).toEqual([]);
    await t.select([outreach.id]);
    await work();
    expect(await audience(h, t.seriesId)).toEqual(want.filter((e) => e !== victim));

    const why = await explainAudienceMember(h.db, actor, { seriesId: t.seriesId, email: victim }, noLookup);
    expect(why.inAudience).toBe(false);
    expect(why.reasons).toEqual([
      { code: "excluded", message: expect.stringMatching(new RegExp(`excluded by ${actor.name} on \\d{1,2} [A-Z][a-z]{2}(?: \\d{4})?: unsubscribed\\. Without the exclusion it would be there through “Outreach”`)) },
    ]);
  });

  test("lifting an exclusion brings the address back only if a source holds it", async () => {
    const w = await makeWorld(h.db);
    const { seriesId } = { seriesId: w.series.id };
    await importRecipientCsv(h.db, w.editor.actor, { seriesId, fileName: "a.csv", bytes: csv("email\nheld@x.example\n") });
    await excludeAddress(h.db, w.editor.actor, { seriesId, email: "held@x.example", reason: "bounced" });
    await excludeAddress(h.db, w.editor.actor, { seriesId, email: "nobody@x.example", reason: null });
    // A later import holding it again changes nothing while it is excluded.
    await importRecipientCsv(h.db, w.editor.actor, { seriesId, fileName: "b.csv", bytes: csv("email\nheld@x.example\nnobody@x.example\nnew@x.example\n") });
    expect(await audience(h, seriesId)).toEqual(["new@x.example"]);
    const listed = await listExclusions(h.db, w.editor.actor, { seriesId });
    expect(listed.total).toBe(2);
    expect(listed.rows.map((r) => [r.email, r.held])).toEqual(expect.arrayContaining([["held@x.example", true], ["nobody@x.example", true]]));

    expect(await liftExclusion(h.db, w.editor.actor, { seriesId, email: "held@x.example" })).toMatchObject({ lifted: true, restored: true });
    expect(await audience(h, seriesId)).toEqual(["held@x.example", "new@x.example"]);

    await excludeAddress(h.db, w.editor.actor, { seriesId, email: "gone@x.example" });
    expect(await liftExclusion(h.db, w.editor.actor, { seriesId, email: "gone@x.example" })).toMatchObject({ lifted: true, restored: false });
    expect(await liftExclusion(h.db, w.editor.actor, { seriesId, email: "gone@x.example" })).toMatchObject({ lifted: false, restored: false });
    expect(await audience(h, seriesId)).toEqual(["held@x.example", "new@x.example"]);
  });

  test("a manual add of an excluded address holds it but does not bring it in; a CSV of exclusions reports by line", async () => {
    const w = await makeWorld(h.db);
    const seriesId = w.series.id;
    await addManualRecipient(h.db, w.editor.actor, { seriesId, email: "keep@x.example" });
    await addManualRecipient(h.db, w.editor.actor, { seriesId, email: "out@x.example" });
    const result = await importExclusionCsv(h.db, w.editor.actor, { seriesId, fileName: "unsubs.csv", reason: "unsubscribed", bytes: csv("email\nout@x.example\nnot-an-address\nlater@x.example\n") });
    expect(result).toMatchObject({ totalRows: 3, excluded: 2, alreadyExcluded: 0, leftAudience: 1, rejected: 1, problems: [{ line: 3, reason: "invalid email" }] });
    await addManualRecipient(h.db, w.editor.actor, { seriesId, email: "later@x.example" });
    expect(await audience(h, seriesId)).toEqual(["keep@x.example"]);
    const again = await importExclusionCsv(h.db, w.editor.actor, { seriesId, fileName: "unsubs.csv", bytes: csv("out@x.example\n") });
    expect(again).toMatchObject({ excluded: 0, alreadyExcluded: 1 });
    const audits = await h.db.select().from(s.auditEvents).where(eq(s.auditEvents.organizationId, w.org.id));
    expect(audits.map((a) => a.action).filter((a) => a.startsWith("exclusion")).sort()).toEqual(["exclusion.import"]);
  });

  test("another organization's editor cannot exclude or lift: not found", async () => {
    const w = await makeWorld(h.db);
    const other = await makeWorld(h.db);
    await expect(excludeAddress(h.db, other.editor.actor, { seriesId: w.series.id, email: "a@x.example" })).rejects.toMatchObject({ code: "not_found" });
    await expect(liftExclusion(h.db, other.editor.actor, { seriesId: w.series.id, email: "a@x.example" })).rejects.toMatchObject({ code: "not_found" });
    await expect(excludeAddress(h.db, w.editor.actor, { seriesId: w.series.id, email: "a@x.example", reason: "x".repeat(501) })).rejects.toMatchObject({ code: "invalid_input" });
  });

  describe("the unsubscribe endpoint", () => {
    const call = (method: "POST" | "DELETE", seriesId: string, opts: { token?: string; body?: string } = {}) =>
      route[method](
        new Request(`http://localhost/api/series/${seriesId}/exclusions`, {
          method,
          headers: { "content-type": "application/json", ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
          body: opts.body,
        }),
        { params: Promise.resolve({ seriesId }) },
      );
    const json = (value: unknown) => JSON.stringify(value);

    test("a right token excludes (201), again answers 200, DELETE lifts; audited under the token's label", async () => {
      const w = await makeWorld(h.db);
      await addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "reader@x.example" });
      const { token } = await createApiToken(h.db, OPERATOR, { organization: w.org.name, label: "Newsletter platform" });
      const first = await call("POST", w.series.id, { token, body: json({ email: "Reader@x.example", reason: "unsubscribed" }) });
      expect(first.status).toBe(201);
      expect(await first.json()).toEqual({ email: "Reader@x.example", excluded: true, alreadyExcluded: false, leftAudience: true });
      expect(await audience(h, w.series.id)).toEqual([]);
      const second = await call("POST", w.series.id, { token, body: json({ email: "reader@x.example", reason: "unsubscribed" }) });
      expect(second.status).toBe(200);
      expect(await second.json()).toMatchObject({ alreadyExcluded: true });
      const [x] = await h.db.select().from(s.seriesExclusions);
      expect(x).toMatchObject({ email: "Reader@x.example", reason: "unsubscribed", excludedBy: "API token “Newsletter platform”" });

      const lifted = await call("DELETE", w.series.id, { token, body: json({ email: "reader@x.example" }) });
      expect(lifted.status).toBe(200);
      expect(await lifted.json()).toEqual({ email: "reader@x.example", excluded: false, wasExcluded: true, backInAudience: true });
      expect(await audience(h, w.series.id)).toEqual(["reader@x.example"]);
      const audits = await h.db.select().from(s.auditEvents).where(eq(s.auditEvents.organizationId, w.org.id));
      expect(audits.map((a) => a.action).sort()).toEqual(["api_token.create", "exclusion.add", "exclusion.lift", "recipient.add"]);
      expect(audits.find((a) => a.action === "exclusion.add")?.actorLabel).toMatch(/^token:[0-9a-f-]{36} \(Newsletter platform\)$/);
    });

    test("a wrong, revoked or other-organization token gets 401; an unknown series 404; bad bodies 400", async () => {
      const w = await makeWorld(h.db);
      const other = await makeWorld(h.db);
      const { token, info } = await createApiToken(h.db, OPERATOR, { organization: w.org.name, label: "Platform" });
      const { token: otherToken } = await createApiToken(h.db, OPERATOR, { organization: other.org.name, label: "Theirs" });
      const body = json({ email: "a@x.example", reason: "unsubscribed" });
      const status = async (p: Promise<Response>) => (await p).status;

      expect(await status(call("POST", w.series.id, { body }))).toBe(401);
      expect(await status(call("POST", w.series.id, { token: `${token.slice(0, -2)}xx`, body }))).toBe(401);
      expect(await status(call("POST", w.series.id, { token: "not-even-a-token", body }))).toBe(401);
      expect(await status(call("POST", w.series.id, { token: otherToken, body }))).toBe(401);
      expect(await status(call("DELETE", w.series.id, { token: otherToken, body }))).toBe(401);
      expect(await status(call("POST", "2f1b7c1e-0000-4000-8000-000000000000", { token, body }))).toBe(404);
      expect(await status(call("POST", "not-a-uuid", { token, body }))).toBe(404);

      const bad = await call("POST", w.series.id, { token, body: "{not json" });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ error: { code: "invalid_input", message: expect.stringContaining("not JSON") } });
      const badEmail = await call("POST", w.series.id, { token, body: json({ email: "nope" }) });
      expect(badEmail.status).toBe(400);
      expect((await badEmail.json()).error.message).toBe('"nope" is not a valid email address.');
      expect(await status(call("POST", w.series.id, { token, body: json({}) }))).toBe(400);
      expect(await status(call("POST", w.series.id, { token, body: json({ email: "a@x.example", reason: 5 }) }))).toBe(400);
      expect(await h.db.select().from(s.seriesExclusions)).toEqual([]);

      expect(await status(call("POST", w.series.id, { token, body }))).toBe(201);
      await revokeApiToken(h.db, OPERATOR, info.id);
      expect(await status(call("DELETE", w.series.id, { token, body }))).toBe(401);
      expect(await h.db.select().from(s.seriesExclusions)).toHaveLength(1);
      // Only the hash is stored.
      const stored = await h.db.select().from(s.apiTokens);
      expect(JSON.stringify(stored)).not.toContain(token);
    });
  });
});
