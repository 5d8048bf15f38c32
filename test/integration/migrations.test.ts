import { afterEach, describe, expect, test } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { createTestDb, dbKinds, type TestDb } from "../support/db";

describe.each(dbKinds)("migrations on %s", (kind) => {
  let h: TestDb | undefined;
  afterEach(async () => h?.close());

  test("apply from empty and create every table of the domain", async () => {
    h = await createTestDb(kind);
    const rows = await queryRows<{ table_name: string }>(
      h.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        "organizations", "users", "memberships", "series", "audience_sources", "recipients", "recipient_sources",
        "directory_connections", "connection_organizations", "directory_groups", "sync_jobs", "sync_staging",
        "sync_runs", "audit_events", "sign_in_throttle",
      ]),
    );
  });
});
