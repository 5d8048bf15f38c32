/**
 * Every audience verb authorizes itself: no session → unauthenticated; a user of another organization →
 * not found (exactly like an id that does not exist, so ids cannot be probed); the admin area → admins only.
 * Refused calls write nothing.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import { memberships, recipients } from "@/db/schema";
import type { Executor } from "@/db/client";
import { importRecipientCsv } from "@/lib/audience/csv-import";
import { addManualRecipient, removeManualRecipient } from "@/lib/audience/manual";
import { listRecipients, listSources } from "@/lib/audience/recipients";
import { listSeriesForActor } from "@/lib/audience/series-list";
import { requireAdminArea } from "@/lib/auth/admin-area";
import { loadActor, type Actor } from "@/lib/auth/actor";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { csv, makeUser, makeWorld } from "./audience-fixtures";

type Verb = (db: Executor, actor: Actor | null, seriesId: string) => Promise<unknown>;

const verbs: [string, Verb][] = [
  ["addManualRecipient", (db, actor, seriesId) => addManualRecipient(db, actor, { seriesId, email: "new@x.com" })],
  ["removeManualRecipient", (db, actor, seriesId) => removeManualRecipient(db, actor, { seriesId, email: "kept@x.com" })],
  ["importRecipientCsv", (db, actor, seriesId) => importRecipientCsv(db, actor, { seriesId, fileName: "x.csv", bytes: csv("email\nnew@x.com") })],
  ["listRecipients", (db, actor, seriesId) => listRecipients(db, actor, { seriesId })],
  ["listSources", (db, actor, seriesId) => listSources(db, actor, seriesId)],
];

describe.each(dbKinds)("authorization on %s", (kind) => {
  let h: TestDb;
  let w: Awaited<ReturnType<typeof makeWorld>>;
  let stranger: Awaited<ReturnType<typeof makeWorld>>;
  beforeEach(async () => {
    h = await createTestDb(kind);
    w = await makeWorld(h.db);
    stranger = await makeWorld(h.db);
    await addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "kept@x.com" });
  });
  afterEach(async () => h.close());

  const audience = async () =>
    (await h.db.select({ email: recipients.emailNormalized }).from(recipients).where(eq(recipients.seriesId, w.series.id))).map((r) => r.email);

  describe.each(verbs)("%s", (_name, verb) => {
    test("without a session: unauthenticated, nothing written", async () => {
      await expect(verb(h.db, null, w.series.id)).rejects.toMatchObject({ code: "unauthenticated" });
      expect(await audience()).toEqual(["kept@x.com"]);
    });

    test("an admin of another organization: not found, nothing written", async () => {
      await expect(verb(h.db, stranger.admin.actor, w.series.id)).rejects.toMatchObject({ code: "not_found", message: "That series was not found." });
      expect(await audience()).toEqual(["kept@x.com"]);
    });

    test("a user with no organization: not found", async () => {
      const loner = await makeUser(h.db);
      await expect(verb(h.db, loner.actor, w.series.id)).rejects.toMatchObject({ code: "not_found" });
    });

    test("a series id that does not exist answers like another organization's", async () => {
      await expect(verb(h.db, w.editor.actor, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({ code: "not_found", message: "That series was not found." });
      await expect(verb(h.db, w.editor.actor, "not-a-uuid")).rejects.toMatchObject({ code: "not_found" });
    });

    test.each(["editor", "admin"] as const)("the organization's %s is allowed", async (role) => {
      await expect(verb(h.db, w[role].actor, w.series.id)).resolves.toBeDefined();
    });
  });

  test("the series list needs a session", async () => {
    await expect(listSeriesForActor(h.db, null)).rejects.toMatchObject({ code: "unauthenticated" });
  });

  test("the admin area: admins in, editors refused, no session unauthenticated", async () => {
    expect(requireAdminArea(w.admin.actor).userId).toBe(w.admin.id);
    expect(() => requireAdminArea(w.editor.actor)).toThrow(expect.objectContaining({ code: "forbidden", message: "Only an organization admin can open the directory settings." }));
    expect(() => requireAdminArea(null)).toThrow(expect.objectContaining({ code: "unauthenticated" }));
  });

  test("roles are re-read on every request: a demoted admin's next request is an editor's", async () => {
    expect(requireAdminArea(await loadActor(h.db, w.admin.id)).userId).toBe(w.admin.id);
    await h.db.update(memberships).set({ role: "editor" }).where(eq(memberships.userId, w.admin.id));
    const demoted = await loadActor(h.db, w.admin.id);
    expect(() => requireAdminArea(demoted)).toThrow(expect.objectContaining({ code: "forbidden" }));
  });

  test("a removed member's next request cannot touch the series", async () => {
    await h.db.delete(memberships).where(eq(memberships.userId, w.editor.id));
    const actor = await loadActor(h.db, w.editor.id);
    await expect(addManualRecipient(h.db, actor, { seriesId: w.series.id, email: "late@x.com" })).rejects.toMatchObject({ code: "not_found" });
  });
});
