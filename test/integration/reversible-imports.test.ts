/**
 * Reversible CSV sources on PGlite and PostgreSQL: removing an import removes only what no other source holds,
 * with the count shown first; replacing it applies the new file as one diff; each change is audited.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { importRecipientCsv } from "@/lib/audience/csv-import";
import { listImports, previewImportRemoval, removeImport, replaceImport } from "@/lib/audience/csv-sources";
import { excludeAddress } from "@/lib/audience/exclusions";
import { addManualRecipient } from "@/lib/audience/manual";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { csv, makeWorld } from "./audience-fixtures";

async function audience(h: TestDb, seriesId: string): Promise<string[]> {
  const rows = await h.db.select({ e: s.recipients.emailNormalized }).from(s.recipients).where(eq(s.recipients.seriesId, seriesId));
  return rows.map((r) => r.e).sort();
}

describe.each(dbKinds)("reversible imports on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test("removing an import removes only what no other source holds, and says how many first", async () => {
    const w = await makeWorld(h.db);
    const seriesId = w.series.id;
    const a = await importRecipientCsv(h.db, w.editor.actor, { seriesId, fileName: "a.csv", bytes: csv("email\none@x.example\ntwo@x.example\nthree@x.example\n") });
    await importRecipientCsv(h.db, w.editor.actor, { seriesId, fileName: "b.csv", bytes: csv("email\ntwo@x.example\n") });
    await addManualRecipient(h.db, w.editor.actor, { seriesId, email: "three@x.example" });
    const preview = await previewImportRemoval(h.db, w.editor.actor, { seriesId, sourceId: a.sourceId! });
    expect(preview).toEqual({ holds: 3, leaving: 1, first: [{ email: "one@x.example", name: null }] });
    expect(await removeImport(h.db, w.editor.actor, { seriesId, sourceId: a.sourceId! })).toEqual({ label: "a.csv", removed: 1 });
    expect(await audience(h, seriesId)).toEqual(["three@x.example", "two@x.example"]);
    expect((await listImports(h.db, w.editor.actor, seriesId)).map((i) => [i.label, i.rows, i.holds])).toEqual([["b.csv", 1, 1]]);
    await expect(removeImport(h.db, w.editor.actor, { seriesId, sourceId: a.sourceId! })).rejects.toMatchObject({ code: "not_found" });
    const other = await makeWorld(h.db);
    const b = (await listImports(h.db, w.editor.actor, seriesId))[0];
    await expect(previewImportRemoval(h.db, other.editor.actor, { seriesId, sourceId: b.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(removeImport(h.db, other.editor.actor, { seriesId: other.series.id, sourceId: b.id })).rejects.toMatchObject({ code: "not_found" });
  });

  test("replacing an import applies the new file as one diff and keeps exclusions", async () => {
    const w = await makeWorld(h.db);
    const seriesId = w.series.id;
    const a = await importRecipientCsv(h.db, w.editor.actor, { seriesId, fileName: "staff.csv", bytes: csv("email\nstay@x.example\ngo@x.example\n") });
    await excludeAddress(h.db, w.editor.actor, { seriesId, email: "banned@x.example" });
    const r = await replaceImport(h.db, w.editor.actor, { seriesId, sourceId: a.sourceId!, fileName: "staff-v2.csv", bytes: csv("email\nstay@x.example\nnew@x.example\nbanned@x.example\nbad\n") });
    expect(r).toMatchObject({ label: "staff-v2.csv", totalRows: 4, added: 1, removed: 1, rejected: 1 });
    expect(await audience(h, seriesId)).toEqual(["new@x.example", "stay@x.example"]);
    const [info] = await listImports(h.db, w.editor.actor, seriesId);
    expect(info).toMatchObject({ id: a.sourceId, label: "staff-v2.csv", rows: 4, holds: 3 });
    const actions = (await h.db.select().from(s.auditEvents).where(eq(s.auditEvents.organizationId, w.org.id))).map((e) => e.action);
    expect(actions).toContain("import.replace");
  });
});
