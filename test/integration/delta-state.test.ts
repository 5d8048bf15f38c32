/**
 * The incremental-sync state in the database, on PostgreSQL and PGlite: the membership graph and delta links
 * saved and loaded back give the same recipients; a delta round keeps the last full pass's time and drift;
 * a transaction that fails after saving leaves the previous state (and so the previous token) in place.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { loadDeltaState, saveDeltaState } from "@/lib/directory/delta-state";
import { MembershipGraph, type GraphChange } from "@/lib/directory/membership-graph";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { makeConnection, makeOrgWithUser } from "@/test/support/factories";

const OPTIONS = { useUsernameFallback: true, contacts: true };
const cursor = (n: number) => ({ groups: [{ groupIds: ["s"], deltaLink: `https://graph.example/v1.0/groups/delta?$deltatoken=t${n}` }], users: `u${n}`, contacts: null });

function graph(users: number): MembershipGraph {
  const g = new MembershipGraph(OPTIONS, ["s"]);
  const changes: GraphChange[] = [{ kind: "link", groupId: "s", memberId: "n", memberType: "group", present: true }];
  for (let i = 0; i < users; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    changes.push({ kind: "link", groupId: i % 2 ? "s" : "n", memberId: id, memberType: "user", present: true });
    changes.push({ kind: "member", state: { objectType: "user", id, displayName: `Person ${i}`, mail: i % 7 ? `p${i}@example.com` : null, userPrincipalName: `p${i}@example.com`, accountEnabled: i % 11 !== 0 } });
  }
  g.seed(changes);
  return g;
}

describe.each(dbKinds)("delta state on %s", (kind) => {
  let t: TestDb;
  let connectionId: string;
  beforeEach(async () => {
    t = await createTestDb(kind);
    const { org } = await makeOrgWithUser(t.db);
    connectionId = (await makeConnection(t.db, [org.id])).id;
  });
  afterEach(() => t.close());

  test("saves and loads the graph and the links; a delta round keeps the full pass's time and drift", async () => {
    const g = graph(5_000);
    const full = new Date("2026-11-30T09:00:00Z");
    const { graphBytes } = await saveDeltaState(t.db, connectionId, { graph: g, cursor: cursor(1), kind: "full", drift: 0, at: full });
    expect(graphBytes).toBeGreaterThan(1000);
    const back = (await loadDeltaState(t.db, connectionId, OPTIONS))!;
    expect([...back.graph.recipients("s").values()]).toEqual([...g.recipients("s").values()]);
    expect(back.cursor).toEqual(cursor(1));
    expect(back).toMatchObject({ lastFullAt: full, lastFullDrift: 0, lastDeltaAt: null, graphBytes });

    const changes = back.graph.apply([{ kind: "link", groupId: "n", memberId: "00000000-0000-4000-8000-000000000002", memberType: "user", present: false }]);
    expect(changes).toEqual([{ sourceGroupId: "s", added: [], removed: ["p2@example.com"] }]);
    const delta = new Date("2026-12-02T02:00:00Z");
    await saveDeltaState(t.db, connectionId, { graph: back.graph, cursor: cursor(2), kind: "delta", at: delta });
    const again = (await loadDeltaState(t.db, connectionId, OPTIONS))!;
    expect(again).toMatchObject({ lastFullAt: full, lastFullDrift: 0, lastDeltaAt: delta, cursor: cursor(2) });
    expect(again.graph.recipients("s").has("p2@example.com")).toBe(false);
  });

  test("a round whose transaction fails after saving keeps the previous graph and token", async () => {
    await saveDeltaState(t.db, connectionId, { graph: graph(100), cursor: cursor(1), kind: "full", drift: 0 });
    const loaded = (await loadDeltaState(t.db, connectionId, OPTIONS))!;
    loaded.graph.apply([{ kind: "groupDeleted", groupId: "n" }]);
    await expect(
      t.db.transaction(async (tx) => {
        await saveDeltaState(tx, connectionId, { graph: loaded.graph, cursor: cursor(2), kind: "delta" });
        throw new Error("the audience apply failed");
      }),
    ).rejects.toThrow("the audience apply failed");
    const kept = (await loadDeltaState(t.db, connectionId, OPTIONS))!;
    expect(kept.cursor).toEqual(cursor(1));
    expect(kept.graph.recipients("s").size).toBe(graph(100).recipients("s").size);
    expect(kept.lastDeltaAt).toBeNull();
  });
});
