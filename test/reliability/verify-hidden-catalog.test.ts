/**
 * A connection offering the whole directory (no Group Object IDs) whose catalog holds a group with hidden
 * membership: verification checks Member.Read.Hidden on it with one real read, through the real credential
 * and Graph client against the sandbox.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { verifyStoredConnection } from "@/lib/connections/graph-access";
import type { Sandbox } from "@/sandbox/server";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { arrangeTenant, startTenantServer } from "./sandbox-harness";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

describe.each(dbKinds)("verifying a whole-directory connection on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test("a hidden-membership group in the catalog: Member.Read.Hidden is checked and noted; without one, no such line", async () => {
    const t = await arrangeTenant(h.db, sb, { scenario: "northwind" });
    const connection = async () => (await h.db.select().from(s.directoryConnections).where(eq(s.directoryConnections.id, t.connectionId)))[0];
    expect((await connection()).groupObjectIds).toEqual([]);
    expect((await verifyStoredConnection(h.db, await connection())).checklist.map((i) => i.id)).not.toContain("hidden-membership");

    const hidden = t.manifest.groups.find((g) => g.displayName === "Board Confidential")!;
    await h.db.update(s.directoryGroups).set({ visibility: "HiddenMembership" }).where(eq(s.directoryGroups.id, t.catalog.get(hidden.id)!));
    const result = await verifyStoredConnection(h.db, await connection());
    expect(result.ok).toBe(true); // advisory: the rest of the directory syncs
    expect(result.checklist.find((i) => i.id === "hidden-membership")).toMatchObject({ ok: true, note: expect.stringContaining("Member.Read.Hidden is not granted") });
  });
});
