import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { audienceSources, recipients } from "@/db/schema";
import { importRecipientCsv } from "@/lib/audience/csv-import";
import { addHoldings, releaseHoldings } from "@/lib/audience/holdings";
import { addManualRecipient, removeManualRecipient } from "@/lib/audience/manual";
import { audienceSummary, countRecipients, listRecipients, listSources } from "@/lib/audience/recipients";
import { listSeriesForActor } from "@/lib/audience/series-list";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { csv, makeSeries, makeWorld } from "./audience-fixtures";
import { makeConnection, makeGroupSource, makeGroups, makeJob, makeOrgWithEditor } from "./directory-fixtures";

/** The invariant: a recipient row exists exactly for the addresses some source of the series holds. */
async function invariantHolds(h: TestDb, seriesId: string) {
  const orphans = await queryRows(
    h.db,
    sql`SELECT 1 FROM recipients r WHERE r.series_id = ${seriesId}::uuid AND NOT EXISTS
          (SELECT 1 FROM recipient_sources rs WHERE rs.series_id = r.series_id AND rs.email_normalized = r.email_normalized)`,
  );
  const missing = await queryRows(
    h.db,
    sql`SELECT 1 FROM recipient_sources rs WHERE rs.series_id = ${seriesId}::uuid AND NOT EXISTS
          (SELECT 1 FROM recipients r WHERE r.series_id = rs.series_id AND r.email_normalized = rs.email_normalized)`,
  );
  return orphans.length === 0 && missing.length === 0;
}

describe.each(dbKinds)("audience on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(async () => h.close());

  async function source(seriesId: string, label: string) {
    const [row] = await h.db.insert(audienceSources).values({ seriesId, kind: "csv", label }).returning();
    return row.id;
  }

  test("a recipient held by two sources survives the removal of one, and leaves with the second", async () => {
    const w = await makeWorld(h.db);
    const a = await source(w.series.id, "a.csv");
    const b = await source(w.series.id, "b.csv");
    await h.db.transaction(async (tx) => {
      expect(await addHoldings(tx, { seriesId: w.series.id, sourceId: a, rows: [{ email: "Shared@X.com", name: "S" }, { email: "only-a@x.com" }] })).toEqual({ held: 2, added: 2 });
      expect(await addHoldings(tx, { seriesId: w.series.id, sourceId: b, rows: [{ email: "shared@x.com" }, { email: "only-b@x.com" }] })).toEqual({ held: 2, added: 1 });
    });
    expect(await countRecipients(h.db, w.series.id)).toBe(3);

    expect(await h.db.transaction((tx) => releaseHoldings(tx, { seriesId: w.series.id, sourceId: a }))).toEqual({ released: 2, removed: 1 });
    const left = await h.db.select({ email: recipients.email }).from(recipients).where(eq(recipients.seriesId, w.series.id)).orderBy(recipients.emailNormalized);
    // The first spelling seen stays the display spelling.
    expect(left.map((r) => r.email)).toEqual(["only-b@x.com", "Shared@X.com"]);
    expect(await invariantHolds(h, w.series.id)).toBe(true);

    expect(await h.db.transaction((tx) => releaseHoldings(tx, { seriesId: w.series.id, sourceId: b, emails: ["SHARED@x.com "] }))).toEqual({ released: 1, removed: 1 });
    expect(await countRecipients(h.db, w.series.id)).toBe(1);
    expect(await invariantHolds(h, w.series.id)).toBe(true);
  });

  test("holdings never leak across series", async () => {
    const w = await makeWorld(h.db);
    const other = await makeSeries(h.db, w.org);
    const a = await source(w.series.id, "a.csv");
    const o = await source(other.id, "o.csv");
    await addHoldings(h.db, { seriesId: w.series.id, sourceId: a, rows: [{ email: "x@x.com" }] });
    await addHoldings(h.db, { seriesId: other.id, sourceId: o, rows: [{ email: "x@x.com" }] });
    await releaseHoldings(h.db, { seriesId: w.series.id, sourceId: a });
    expect(await countRecipients(h.db, w.series.id)).toBe(0);
    expect(await countRecipients(h.db, other.id)).toBe(1);
  });

  test("manual add and remove; removal keeps an address another source holds", async () => {
    const w = await makeWorld(h.db);
    expect(await addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "  Ada@Example.com ", name: "Ada" })).toEqual({ email: "Ada@Example.com", added: true, excluded: false });
    await expect(addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "ada@example.com" })).rejects.toMatchObject({ code: "conflict" });
    await expect(addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "not an email" })).rejects.toMatchObject({ code: "invalid_input", fields: { email: expect.any(String) } });

    await importRecipientCsv(h.db, w.editor.actor, { seriesId: w.series.id, fileName: "staff.csv", bytes: csv("email\nada@example.com\nbob@example.com") });
    expect(await countRecipients(h.db, w.series.id)).toBe(2);
    expect(await removeManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "ADA@example.com" })).toEqual({ email: "Ada@Example.com", removed: false, heldBy: ["staff.csv"] });
    expect(await countRecipients(h.db, w.series.id)).toBe(2);
    await expect(removeManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "ada@example.com" })).rejects.toMatchObject({ code: "not_found" });

    await addManualRecipient(h.db, w.admin.actor, { seriesId: w.series.id, email: "carl@example.com" });
    expect(await removeManualRecipient(h.db, w.admin.actor, { seriesId: w.series.id, email: "carl@example.com" })).toMatchObject({ removed: true });
    expect(await countRecipients(h.db, w.series.id)).toBe(2);
    // One manual source per series, however many additions.
    const manual = await h.db.select().from(audienceSources).where(and(eq(audienceSources.seriesId, w.series.id), eq(audienceSources.kind, "manual")));
    expect(manual).toHaveLength(1);
    expect(await invariantHolds(h, w.series.id)).toBe(true);
  });

  test("CSV with 3 good and 2 bad rows: 3 imported, 2 reported by line, one source with its counts", async () => {
    const w = await makeWorld(h.db);
    await addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "a@x.com" });
    const result = await importRecipientCsv(h.db, w.editor.actor, {
      seriesId: w.series.id,
      fileName: "C:\\fakepath\\team.csv",
      bytes: csv("\uFEFFemail,name\r\na@x.com,A\r\nbad-address,B\r\nc@x.com,C\r\nA@X.COM,dup\r\nd@x.com,D\r\n"),
    });
    expect(result).toMatchObject({ fileName: "team.csv", totalRows: 5, imported: 3, added: 2, rejected: 2 });
    expect(result.problems.map((p) => [p.line, p.reason])).toEqual([[3, "invalid email"], [5, "duplicate"]]);
    expect(await countRecipients(h.db, w.series.id)).toBe(3);
    const [src] = await h.db.select().from(audienceSources).where(eq(audienceSources.id, result.sourceId!));
    expect(src).toMatchObject({ kind: "csv", label: "team.csv", details: { fileName: "team.csv", rows: 5, imported: 3, rejected: 2 } });
  });

  test("an upload over the limits is refused whole and writes nothing", async () => {
    const w = await makeWorld(h.db);
    const big = new Uint8Array(5 * 1024 * 1024 + 10).fill(0x61);
    await expect(importRecipientCsv(h.db, w.editor.actor, { seriesId: w.series.id, fileName: "big.csv", bytes: big })).rejects.toMatchObject({ code: "too_large", message: expect.stringMatching(/limit is 5 MB/) });
    const rows = ["email", ...Array.from({ length: 50_001 }, (_, i) => `u${i}@x.com`)].join("\n");
    await expect(importRecipientCsv(h.db, w.editor.actor, { seriesId: w.series.id, fileName: "many.csv", bytes: csv(rows) })).rejects.toMatchObject({ code: "too_large", message: expect.stringMatching(/limit is 50,000 rows/) });
    expect(await h.db.select().from(audienceSources).where(eq(audienceSources.seriesId, w.series.id))).toEqual([]);
  });

  test("a file whose rows are all bad creates no source", async () => {
    const w = await makeWorld(h.db);
    const result = await importRecipientCsv(h.db, w.editor.actor, { seriesId: w.series.id, fileName: "bad.csv", bytes: csv("email\nnope\nalso nope") });
    expect(result).toMatchObject({ sourceId: null, imported: 0, rejected: 2 });
    expect(await h.db.select().from(audienceSources).where(eq(audienceSources.seriesId, w.series.id))).toEqual([]);
  });

  test("50,000 rows import in one pass, and a second import of the same people adds no recipients", async () => {
    const w = await makeWorld(h.db);
    const text = ["email,name", ...Array.from({ length: 50_000 }, (_, i) => `User${i}@Example.com,User ${i}`)].join("\n");
    const result = await importRecipientCsv(h.db, w.editor.actor, { seriesId: w.series.id, fileName: "big.csv", bytes: csv(text) });
    expect(result).toMatchObject({ imported: 50_000, added: 50_000, rejected: 0 });
    expect(await countRecipients(h.db, w.series.id)).toBe(50_000);
    // A second import of the same people adds holdings, not recipients.
    const again = await importRecipientCsv(h.db, w.editor.actor, { seriesId: w.series.id, fileName: "again.csv", bytes: csv(text) });
    expect(again).toMatchObject({ imported: 50_000, added: 0 });
    expect(await countRecipients(h.db, w.series.id)).toBe(50_000);
  }, 120_000);

  test("list: search (case-insensitive, % and _ literal), source filter, pagination, sources per row", async () => {
    const w = await makeWorld(h.db);
    await addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "first_last@x.com", name: "Underscore" });
    await addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "firstXlast@x.com", name: "Not underscore" });
    const imp = await importRecipientCsv(h.db, w.editor.actor, {
      seriesId: w.series.id,
      fileName: "people.csv",
      bytes: csv(["email,name", "first_last@x.com,U", ...Array.from({ length: 25 }, (_, i) => `p${String(i).padStart(2, "0")}@x.com,Person ${i}`)].join("\n")),
    });

    const search = await listRecipients(h.db, w.editor.actor, { seriesId: w.series.id, q: "FIRST_" });
    expect(search.rows.map((r) => r.email)).toEqual(["first_last@x.com"]);
    expect(search.rows[0].sources.map((s) => [s.kind, s.label])).toEqual([["manual", "Manual"], ["csv", "people.csv"]]);
    expect((await listRecipients(h.db, w.editor.actor, { seriesId: w.series.id, q: "person 1" })).total).toBe(11); // 1, 10–19

    const filtered = await listRecipients(h.db, w.editor.actor, { seriesId: w.series.id, sourceId: imp.sourceId, pageSize: 10, page: 3 });
    expect(filtered).toMatchObject({ total: 26, page: 3, pageCount: 3, pageSize: 10 });
    expect(filtered.rows).toHaveLength(6);
    // A page past the end shows the last page.
    expect((await listRecipients(h.db, w.editor.actor, { seriesId: w.series.id, pageSize: 10, page: 99 })).page).toBe(3);

    const sources = await listSources(h.db, w.editor.actor, w.series.id);
    expect(sources.map((s) => [s.kind, s.label, s.holdings])).toEqual([["manual", "Manual", 2], ["csv", "people.csv", 26]]);
  });

  test("series list shows only the actor's organizations, with counts", async () => {
    const w = await makeWorld(h.db);
    const elsewhere = await makeWorld(h.db);
    await addManualRecipient(h.db, w.editor.actor, { seriesId: w.series.id, email: "a@x.com" });
    const mine = await listSeriesForActor(h.db, w.editor.actor);
    expect(mine.map((s) => [s.id, s.recipientCount])).toEqual([[w.series.id, 1]]);
    expect(mine.some((s) => s.id === elsewhere.series.id)).toBe(false);
  });

  test("the audience summary: each source with its state and count, ticked groups included before they hold anyone", async () => {
    const { org, series, actor } = await makeOrgWithEditor(h.db);
    const connection = await makeConnection(h.db, org.id);
    const [staff, outreach, gone, old] = await makeGroups(h.db, connection.id, [
      { displayName: "All-Staff" },
      { displayName: "Outreach" },
      { displayName: "Gone" },
      { displayName: "Unticked" },
    ]);
    const base = { seriesId: series.id, connectionId: connection.id };
    await addManualRecipient(h.db, actor, { seriesId: series.id, email: "hand@x.com" });
    await makeGroupSource(h.db, { ...base, group: staff, members: ["a@x.com", "b@x.com"] });
    const queued = await makeGroupSource(h.db, { ...base, group: outreach, state: "not_synced" });
    await makeJob(h.db, { ...base, sourceId: queued.id, status: "queued" });
    await makeGroupSource(h.db, { ...base, group: gone, state: "error" });
    await makeGroupSource(h.db, { ...base, group: old, selected: false, state: "not_synced" });

    const summary = await audienceSummary(h.db, actor, series.id);
    expect(summary.map((x) => [x.kind, x.label, x.state, x.holdings])).toEqual([
      ["manual", "Manual", null, 1],
      ["directory_group", "All-Staff", "synced", 2],
      ["directory_group", "Outreach", "queued", 0],
      ["directory_group", "Gone", "error", 0],
    ]);
    const other = await makeOrgWithEditor(h.db);
    await expect(audienceSummary(h.db, other.actor, series.id)).rejects.toMatchObject({ code: "not_found" });
  });
});
