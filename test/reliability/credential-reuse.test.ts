/**
 * One token per connection and hour, not one per job: a connection's jobs share its credential through the
 * real @azure/identity credential against the sandbox's token endpoint; a rotated secret gets a new one, and
 * verification always signs in afresh. Every Graph request carries a client-request-id GUID.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { connectionSecretAad, sealSecret } from "@/lib/crypto/seal";
import { verifyStoredConnection } from "@/lib/connections/graph-access";
import { requestSync, runQueuedWork } from "@/lib/sync/verbs";
import type { Sandbox } from "@/sandbox/server";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { arrangeTenant, control, mutate, startTenantServer } from "./sandbox-harness";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

interface Logged {
  kind: string;
  status: number;
  clientRequestId: string | null;
}
const log = async (tenantId: string) => (await control<{ requests: Logged[] }>(sb, `/tenants/${tenantId}/requests`)).requests;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe.each(dbKinds)("a connection's credential on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  test("jobs of one connection share one token; a rotated secret signs in anew; verification always does", async () => {
    const t = await arrangeTenant(h.db, sb, { scenario: "northwind" });
    const [a, b] = t.manifest.groups;
    await t.select([a.id]);
    expect(await runQueuedWork(h.db, { budgetMs: 30_000 })).toMatchObject({ completed: 1 });
    await t.select([a.id, b.id]);
    const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, t.catalog.get(a.id)!));
    await requestSync(h.db, t.actor, { sourceId: source.id });
    expect(await runQueuedWork(h.db, { budgetMs: 30_000 })).toMatchObject({ completed: 2 });
    let requests = await log(t.manifest.tenantId);
    expect(requests.filter((r) => r.kind === "token")).toHaveLength(1); // three jobs, one sign-in
    const graph = requests.filter((r) => r.kind === "graph");
    expect(graph.length).toBeGreaterThanOrEqual(3);
    for (const r of graph) expect(r.clientRequestId).toMatch(GUID);
    expect(new Set(graph.map((r) => r.clientRequestId)).size).toBe(graph.length);

    // The admin rotates the secret: the next job signs in with the new one.
    const { results } = (await mutate(sb, t.manifest.tenantId, { op: "rotateSecret", clientId: t.clientId, removeOld: true })) as { results: { value: string }[] };
    const [rotated] = results;
    const sealed = sealSecret(rotated.value, connectionSecretAad(t.connectionId));
    await h.db
      .update(s.directoryConnections)
      .set({ secretSealed: sealed.sealed, secretKeyId: sealed.keyId })
      .where(eq(s.directoryConnections.id, t.connectionId));
    await control(sb, `/tenants/${t.manifest.tenantId}/requests`, "DELETE");
    await requestSync(h.db, t.actor, { sourceId: source.id });
    expect(await runQueuedWork(h.db, { budgetMs: 30_000 })).toMatchObject({ completed: 1 });
    requests = await log(t.manifest.tenantId);
    expect(requests.filter((r) => r.kind === "token").map((r) => r.status)).toEqual([200]);

    // Verification does not reuse it: it must see consent granted a minute ago.
    const [connection] = await h.db.select().from(s.directoryConnections).where(eq(s.directoryConnections.id, t.connectionId));
    await verifyStoredConnection(h.db, connection);
    expect((await log(t.manifest.tenantId)).filter((r) => r.kind === "token")).toHaveLength(2);
  }, 90_000);
});
