/**
 * The operator CLI's sync commands, end to end through main(): a database of its own (PostgreSQL: the CLI
 * opens DATABASE_URL itself) and the sandbox tenant.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { main } from "@/cli/roster";
import { progressLine } from "@/cli/commands/sync";
import type { Sandbox } from "@/sandbox/server";
import { createTestDb, type TestDb } from "@/test/support/db";
import { arrangeTenant, audienceOf, groupDetail, largestGroups, startTenantServer } from "./sandbox-harness";

test.each([
  [{ membersSeen: 500, pages: 1, expected: 1000 }, "G: [############------------]  50% 500 / 1,000 members, page 1"],
  [{ membersSeen: 12000, pages: 13, expected: null }, "G: 12,000 members so far, page 13"],
])("progressLine %#", (p, line) => {
  expect(progressLine("G", p)).toBe(line);
});

const postgres = process.env.DATABASE_URL ? describe : describe.skip;

postgres("npm run roster -- sync", () => {
  let sb: Sandbox;
  let h: TestDb;
  const savedUrl = process.env.DATABASE_URL;
  beforeAll(async () => {
    sb = await startTenantServer();
  });
  afterAll(() => sb?.close());
  beforeEach(async () => {
    h = await createTestDb("postgres");
    process.env.DATABASE_URL = h.url;
  });
  afterEach(async () => {
    process.env.DATABASE_URL = savedUrl;
    vi.restoreAllMocks();
    await h.close();
  });

  async function run(...argv: string[]) {
    let out = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
    const code = await main(argv);
    vi.restoreAllMocks();
    return { code, out };
  }

  test("sync --series --group syncs one group with progress; sync --due runs what is due; bad calls explain themselves", async () => {
    const t = await arrangeTenant(h.db, sb, { generate: { users: 2500, groups: 4, depth: 2, overlap: 20, seed: 3 } });
    const [big, other] = largestGroups(t.manifest, 2);
    await t.select([big.id, other.id]);
    const one = await run("sync", "--series", t.seriesId, "--group", big.id);
    expect(one.code).toBe(0);
    // Group listings report no total (ADR 0008), so progress counts members read so far.
    expect(one.out).toMatch(/members so far, page 1/);
    expect(one.out).toMatch(/synced/);
    expect(one.out).toMatch(/claimed 1, completed 1/);
    const detail = await groupDetail(sb, t.manifest.tenantId, big.id);
    const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, t.catalog.get(big.id)!));
    expect(source.memberCount).toBe(new Set(detail.recipients!.mail).size);

    const due = await run("sync", "--due");
    expect(due.code).toBe(0);
    // The other group's selection job was still queued: the schedule joins it rather than queueing a second.
    expect(due.out).toMatch(/Queued 1 due group sync; refreshed 1 group catalog\./);
    expect(due.out).toContain(`${other.displayName}: synced`);
    expect(due.out).toMatch(/remaining 0/);
    expect((await audienceOf(h.db, t.seriesId)).length).toBeGreaterThanOrEqual(source.memberCount);

    expect((await run("sync", "--series", t.seriesId)).code).toBe(2);
    const missing = await run("sync", "--series", t.seriesId, "--group", "00000000-0000-0000-0000-000000000000");
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/No group 00000000-0000-0000-0000-000000000000/);
    const nothingToConfirm = await run("sync", "--confirm", "--series", t.seriesId, "--group", big.id);
    expect(nothingToConfirm.code).toBe(1);
    expect(nothingToConfirm.out).toMatch(/no removals waiting for review/);

    // sync --due does what the cron does, the secret-expiry check included.
    await h.db.update(s.directoryConnections).set({ secretExpiresOn: "2000-01-01" });
    const expired = await run("sync", "--due");
    expect(expired.out).toMatch(/1 connection's client secret expired/);
    const [connection] = await h.db.select().from(s.directoryConnections);
    expect(connection).toMatchObject({ health: "failing", lastError: expect.objectContaining({ code: "secret_expired" }) });
  });

  test("sync --connection runs a delta round, sync --full a full pass; each says what it read and changed", async () => {
    const t = await arrangeTenant(h.db, sb, { scenario: "northwind" });
    const sales = t.manifest.groups.find((g) => g.displayName === "Sales")!;
    await t.select([sales.id]);
    expect((await run("sync", "--series", t.seriesId, "--group", sales.id)).code).toBe(0);
    const first = await run("sync", "--connection", t.connectionId);
    expect(first.code).toBe(0);
    expect(first.out).toContain(`connection ${t.connectionId}: full pass (first),`);
    const quiet = await run("sync", "--connection", t.connectionId);
    expect(quiet.out).toMatch(/delta round, \d+ requests?; \+0 −0 addresses in 0 groups/);
    const full = await run("sync", "--full");
    expect(full.code).toBe(0);
    expect(full.out).toMatch(/full pass, \d+ requests; \+0 −0 addresses in 0 groups, drift 0/);
    const [run0] = await h.db.select().from(s.syncRuns).where(eq(s.syncRuns.trigger, "operator"));
    expect(run0).toMatchObject({ kind: "full", outcome: "synced", added: 0, removed: 0 });
    const bad = await run("sync", "--connection", "not-a-uuid");
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/--connection must be a connection id/);
    expect((await run("sync", "--due", "--full")).out).toMatch(/--due takes no --full or --connection/);
  });
});
