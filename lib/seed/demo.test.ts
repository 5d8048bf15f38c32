import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import { memberships, organizations, recipients, series, users } from "@/db/schema";
import { authenticate } from "@/lib/auth/sign-in";
import { loadActor } from "@/lib/auth/actor";
import { requireSeries } from "@/lib/auth/actor";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { seedDemo } from "./demo";

describe.each(dbKinds)("seedDemo on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(async () => h.close());

  test("creates Northwind with its series and demo sign-ins, and Contoso that nobody in the demo can see", async () => {
    const demo = await seedDemo(h.db);
    expect(demo.signIns.map((s) => [s.role, s.email, s.password])).toEqual([
      ["admin", "admin@northwind.example", "roster-admin-demo"],
      ["editor", "editor@northwind.example", "roster-editor-demo"],
    ]);
    for (const s of demo.signIns) {
      const user = await authenticate(h.db, s.email, s.password);
      const actor = await loadActor(h.db, user.id);
      expect(actor?.memberships).toEqual([{ organizationId: demo.organizationId, organizationName: "Northwind", role: s.role }]);
      await expect(requireSeries(h.db, actor, demo.seriesId)).resolves.toMatchObject({ name: "Weekly All-Hands" });
      await expect(requireSeries(h.db, actor, demo.otherSeriesId)).rejects.toMatchObject({ code: "not_found" });
    }
    expect(await h.db.select().from(memberships).where(eq(memberships.organizationId, demo.otherOrganizationId))).toEqual([]);
    expect((await h.db.select().from(recipients).where(eq(recipients.seriesId, demo.seriesId))).length).toBe(3);
  });

  test("is idempotent, and a removed demo recipient stays removed", async () => {
    const first = await seedDemo(h.db);
    await h.db.delete(recipients).where(eq(recipients.emailNormalized, "alan.turing@northwind.example"));
    const second = await seedDemo(h.db);
    expect(second).toEqual(first);
    expect((await h.db.select().from(organizations)).length).toBe(2);
    expect((await h.db.select().from(series)).length).toBe(2);
    expect((await h.db.select().from(users)).length).toBe(2);
    expect((await h.db.select().from(memberships)).length).toBe(2);
    expect((await h.db.select().from(recipients)).length).toBe(2);
  });
});
