/**
 * Every mutating verb writes its audit entry in the same transaction as its change: the table below enumerates
 * the verbs, and each must leave exactly its entry, with its actor, in the organization it touched. A verb that
 * fails writes none (the entry rolls back with the change).
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import * as s from "@/db/schema";
import { listAuditEvents } from "@/lib/audit/list";
import { importRecipientCsv } from "@/lib/audience/csv-import";
import { importExclusionCsv } from "@/lib/audience/exclusion-csv";
import { removeImport, replaceImport } from "@/lib/audience/csv-sources";
import { excludeAddress, liftExclusion } from "@/lib/audience/exclusions";
import { addManualRecipient, removeManualRecipient } from "@/lib/audience/manual";
import { addHoldings } from "@/lib/audience/holdings";
import { createApiToken, revokeApiToken } from "@/lib/tokens/api-tokens";
import { confirmReview, updateSelection } from "@/lib/sync/verbs";
import { excludeGroup, liftGroupExclusion } from "@/lib/sync/group-exclusions";
import { makeConnection, makeGroup } from "@/test/support/factories";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { csv, makeWorld } from "./audience-fixtures";

type World = Awaited<ReturnType<typeof makeWorld>> & { connectionId?: string; groupId?: string };

/** A connection serving the world's organization, with one group in its catalog. */
async function withDirectory(db: Db, w: World) {
  const connection = await makeConnection(db, [w.org.id]);
  const group = await makeGroup(db, connection.id, { objectId: "g-staff", displayName: "Staff" });
  w.connectionId = connection.id;
  w.groupId = group.id;
}
const select = (db: Db, w: World, groupIds: string[], entireDirectory = false) =>
  updateSelection(db, w.editor.actor, { seriesId: w.series.id, connectionId: w.connectionId!, groupIds, entireDirectory });

/** The group ticked and synced with two members, then a run held for review that found only one of them. */
async function heldForReview(db: Db, w: World) {
  await withDirectory(db, w);
  await select(db, w, [w.groupId!]);
  const [source] = await db.select().from(s.audienceSources).where(eq(s.audienceSources.seriesId, w.series.id));
  await db.update(s.syncJobs).set({ status: "cancelled" }).where(eq(s.syncJobs.sourceId, source.id));
  await db.transaction((tx) => addHoldings(tx, { seriesId: w.series.id, sourceId: source.id, rows: [{ email: "a@x.example" }, { email: "b@x.example" }] }));
  const [job] = await db
    .insert(s.syncJobs)
    .values({ sourceId: source.id, seriesId: w.series.id, connectionId: w.connectionId!, reason: "schedule", status: "needs_review", enumerationDone: true })
    .returning();
  await db.insert(s.syncStaging).values({ jobId: job.id, emailNormalized: "a@x.example", email: "a@x.example" });
  await db.update(s.audienceSources).set({ state: "needs_review", review: { current: 2, wouldRemove: 1, wouldAdd: 0, jobId: job.id } }).where(eq(s.audienceSources.id, source.id));
}
const OPERATOR = { kind: "operator", label: "cli" } as const;

/** [verb, what to arrange first (not audited here), the verb itself, the action it must record, who]. */
const VERBS: [string, (db: Db, w: World) => Promise<unknown>, (db: Db, w: World) => Promise<unknown>, string, "editor" | "cli"][] = [
  ["add a recipient by hand", async () => {}, (db, w) => addManualRecipient(db, w.editor.actor, { seriesId: w.series.id, email: "a@x.example" }), "recipient.add", "editor"],
  [
    "remove a recipient from the manual list",
    (db, w) => addManualRecipient(db, w.editor.actor, { seriesId: w.series.id, email: "a@x.example" }),
    (db, w) => removeManualRecipient(db, w.editor.actor, { seriesId: w.series.id, email: "a@x.example" }),
    "recipient.remove",
    "editor",
  ],
  ["import a CSV", async () => {}, (db, w) => importRecipientCsv(db, w.editor.actor, { seriesId: w.series.id, fileName: "a.csv", bytes: csv("email\na@x.example\n") }), "import.csv", "editor"],
  [
    "remove an import",
    (db, w) => importRecipientCsv(db, w.editor.actor, { seriesId: w.series.id, fileName: "a.csv", bytes: csv("email\na@x.example\n") }),
    async (db, w) => {
      const [src] = await db.select().from(s.audienceSources).where(eq(s.audienceSources.seriesId, w.series.id));
      return removeImport(db, w.editor.actor, { seriesId: w.series.id, sourceId: src.id });
    },
    "import.remove",
    "editor",
  ],
  [
    "replace an import",
    (db, w) => importRecipientCsv(db, w.editor.actor, { seriesId: w.series.id, fileName: "a.csv", bytes: csv("email\na@x.example\n") }),
    async (db, w) => {
      const [src] = await db.select().from(s.audienceSources).where(eq(s.audienceSources.seriesId, w.series.id));
      return replaceImport(db, w.editor.actor, { seriesId: w.series.id, sourceId: src.id, fileName: "b.csv", bytes: csv("email\nb@x.example\n") });
    },
    "import.replace",
    "editor",
  ],
  ["exclude an address", async () => {}, (db, w) => excludeAddress(db, w.editor.actor, { seriesId: w.series.id, email: "a@x.example", reason: "unsubscribed" }), "exclusion.add", "editor"],
  [
    "exclude addresses from a CSV",
    async () => {},
    (db, w) => importExclusionCsv(db, w.editor.actor, { seriesId: w.series.id, fileName: "u.csv", bytes: csv("email\na@x.example\n") }),
    "exclusion.import",
    "editor",
  ],
  [
    "lift an exclusion",
    (db, w) => excludeAddress(db, w.editor.actor, { seriesId: w.series.id, email: "a@x.example" }),
    (db, w) => liftExclusion(db, w.editor.actor, { seriesId: w.series.id, email: "a@x.example" }),
    "exclusion.lift",
    "editor",
  ],
  ["tick a group", withDirectory, (db, w) => select(db, w, [w.groupId!]), "selection.tick", "editor"],
  [
    "untick a group",
    async (db, w) => {
      await withDirectory(db, w);
      await select(db, w, [w.groupId!]);
    },
    (db, w) => select(db, w, []),
    "selection.untick",
    "editor",
  ],
  ["tick the entire directory", withDirectory, (db, w) => select(db, w, [], true), "selection.tick", "editor"],
  [
    "untick the entire directory",
    async (db, w) => {
      await withDirectory(db, w);
      await select(db, w, [], true);
    },
    (db, w) => select(db, w, [], false),
    "selection.untick",
    "editor",
  ],
  [
    "confirm a Needs review",
    heldForReview,
    async (db, w) => {
      const [source] = await db.select().from(s.audienceSources).where(eq(s.audienceSources.seriesId, w.series.id));
      return confirmReview(db, w.editor.actor, { sourceId: source.id });
    },
    "review.confirm",
    "editor",
  ],
  ["exclude a group's members", withDirectory, (db, w) => excludeGroup(db, w.editor.actor, { seriesId: w.series.id, groupId: w.groupId!, reason: "contractors" }), "exclusion.group_add", "editor"],
  [
    "lift a group exclusion",
    async (db, w) => {
      await withDirectory(db, w);
      await excludeGroup(db, w.editor.actor, { seriesId: w.series.id, groupId: w.groupId! });
    },
    async (db, w) => {
      const [ge] = await db.select().from(s.seriesGroupExclusions).where(eq(s.seriesGroupExclusions.seriesId, w.series.id));
      return liftGroupExclusion(db, w.editor.actor, { seriesId: w.series.id, exclusionId: ge.id });
    },
    "exclusion.group_lift",
    "editor",
  ],
  ["create an API token", async () => {}, (db, w) => createApiToken(db, OPERATOR, { organization: w.org.name, label: "Platform" }), "api_token.create", "cli"],
  [
    "revoke an API token",
    (db, w) => createApiToken(db, OPERATOR, { organization: w.org.name, label: "Platform" }),
    async (db, w) => {
      const [t] = await db.select().from(s.apiTokens).where(eq(s.apiTokens.organizationId, w.org.id));
      return revokeApiToken(db, OPERATOR, t.id);
    },
    "api_token.revoke",
    "cli",
  ],
];

describe.each(dbKinds)("audit entries on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test.each(VERBS)("%s writes its entry", async (_name, arrange, verb, action, who) => {
    const w = await makeWorld(h.db);
    await arrange(h.db, w);
    const before = await h.db.select({ id: s.auditEvents.id }).from(s.auditEvents);
    await verb(h.db, w);
    const entries = (await h.db.select().from(s.auditEvents)).filter((e) => !before.some((b) => b.id === e.id));
    expect(entries.map((e) => [e.action, e.organizationId, e.actorLabel])).toEqual([[action, w.org.id, who === "editor" ? w.editor.email : "cli"]]);
    expect(JSON.stringify(entries[0].details)).not.toMatch(/rst_/);
  });

  test("selection and review entries say what changed: the source, and how many left the audience", async () => {
    const w: World = await makeWorld(h.db);
    await heldForReview(h.db, w);
    const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.seriesId, w.series.id));
    await confirmReview(h.db, w.editor.actor, { sourceId: source.id });
    await select(h.db, w, []);
    const entries = await h.db.select().from(s.auditEvents).where(eq(s.auditEvents.targetId, source.id));
    const byAction = new Map(entries.map((e) => [e.action, e.details]));
    expect(byAction.get("review.confirm")).toMatchObject({ label: "Staff", removed: 1, recipientsRemoved: 1, held: { current: 2, wouldRemove: 1 } });
    expect(byAction.get("selection.untick")).toMatchObject({ label: "Staff", recipientsRemoved: 1, connectionId: w.connectionId });
    // The change log names why each address left, and who made it leave.
    const changes = await h.db.select().from(s.audienceChanges).where(eq(s.audienceChanges.seriesId, w.series.id));
    expect(changes.filter((c) => c.change === "removed").map((c) => [c.email, c.reason, c.actor]).sort()).toEqual([
      ["a@x.example", "source removed", w.editor.actor.name],
      ["b@x.example", "left the group", w.editor.actor.name],
    ]);
  });

  test("a verb that fails writes no entry", async () => {
    const w = await makeWorld(h.db);
    await addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "a@x.example" });
    const count = async () => (await h.db.select().from(s.auditEvents)).length;
    const n = await count();
    await expect(addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "A@x.example" })).rejects.toMatchObject({ code: "conflict" });
    expect(await count()).toBe(n);
  });

  test("admins read their organizations' log, filtered by kind, person and day; editors and other admins read nothing of it", async () => {
    const w = await makeWorld(h.db);
    const other = await makeWorld(h.db);
    await addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "a@x.example" });
    await excludeAddress(h.db, w.admin.actor, { seriesId: w.series.id, email: "b@x.example" });
    await addManualRecipient(h.db, other.editor.actor, { seriesId: other.series.id, email: "c@x.example" });
    const all = await listAuditEvents(h.db, w.admin.actor);
    expect(all.map((r) => r.action)).toEqual(["exclusion.add", "recipient.add"]);
    expect((await listAuditEvents(h.db, w.admin.actor, { kind: "exclusion" })).map((r) => r.action)).toEqual(["exclusion.add"]);
    expect((await listAuditEvents(h.db, w.admin.actor, { person: w.editor.email.toUpperCase() })).map((r) => r.action)).toEqual(["recipient.add"]);
    const today = all[0].createdAt.toISOString().slice(0, 10);
    expect(await listAuditEvents(h.db, w.admin.actor, { from: today, to: today })).toHaveLength(2);
    expect(await listAuditEvents(h.db, w.admin.actor, { to: "2000-01-01" })).toEqual([]);
    await expect(listAuditEvents(h.db, w.admin.actor, { from: "yesterday" })).rejects.toMatchObject({ code: "invalid_input" });
    expect(await listAuditEvents(h.db, w.editor.actor)).toEqual([]);
    expect(await listAuditEvents(h.db, other.admin.actor, { organizationId: w.org.id })).toEqual([]);
  });
});
