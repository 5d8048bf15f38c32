/**
 * Delta rounds through the real credential and Graph client, over HTTPS to the sandbox tenant: a full
 * enumeration seeds the membership graph and the cursor; each round's changes, applied, leave every source's
 * recipients exactly what the sandbox predicts for the directory as it now is (its own manifest); a round
 * failing on page 2 throws before anything is applied and its cursor still delivers the changes; an expired
 * token and a synchronization reset ask for a full enumeration.
 */
import { describe, expect, test } from "vitest";
import { openGraph } from "@/lib/directory/entra/client";
import { DeltaResyncRequired, readDeltaRound, seedFromDirectory } from "@/lib/directory/entra/delta";
import { MembershipGraph } from "@/lib/directory/membership-graph";
import { mainApp, startSandboxForFile, type TenantManifest } from "./graph-sandbox";

const sandbox = startSandboxForFile();
const RULES = { useUsernameFallback: false, contacts: false };

async function northwind(retryPolicy?: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number }) {
  const tenant: TenantManifest = await sandbox.createTenant({ scenario: "northwind" });
  const app = mainApp(tenant);
  const graph = openGraph({ tenantId: tenant.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" }, retryPolicy ? { retryPolicy } : {});
  const group = (name: string): { id: string } => tenant.groups.find((g: { displayName: string }) => g.displayName === name);
  const expected = async (groupId: string): Promise<string[]> => (await sandbox.control("GET", `/tenants/${tenant.tenantId}/groups/${groupId}`)).recipients.mail;
  return { tenant, graph, group, expected };
}

const sorted = (m: Map<string, unknown>) => [...m.keys()].sort();

describe("delta rounds against the sandbox tenant", () => {
  test("seed, then rounds of changes keep All-Staff and Engineering exact, at a few requests a round", async () => {
    const { tenant, graph, group, expected } = await northwind();
    const sources = [group("All-Staff").id, group("Engineering").id];
    const known = new MembershipGraph(RULES, sources);
    let cursor = await seedFromDirectory(graph, known, sources, { contacts: false });
    for (const s of sources) expect(sorted(known.recipients(s))).toEqual(await expected(s));
    expect(known.recipients(sources[0]).size).toBe(229);

    // Nothing changed: one request per stream, nothing to apply.
    const before = graph.stats.requests;
    const quiet = await readDeltaRound(graph, known, cursor, { contacts: false });
    expect(quiet.changes).toEqual([]);
    expect(known.apply(quiet.changes)).toEqual([]);
    expect(graph.stats.requests - before).toBe(quiet.cursor.groups.length + 1);
    cursor = quiet.cursor;

    // A leaver disabled, a newcomer, a move between nested groups, a new nested group with members, and a
    // nested group taken out of Engineering.
    const users: Array<{ id: string; mail: string | null; accountEnabled: boolean }> = tenant.users;
    const engineer = (await expected(group("Platform").id))[0];
    const leaver = users.find((u) => u.mail?.toLowerCase() === engineer)!;
    await sandbox.mutate(tenant.tenantId, [
      { op: "disableUser", userId: leaver.id },
      { op: "addUser", user: { displayName: "Delta Newcomer" }, groupIds: [group("Mobile").id] },
    ]);
    const seller = (await expected(group("Sales").id))[0];
    const sellerId = users.find((u) => u.mail?.toLowerCase() === seller)!.id;
    const [created] = (await sandbox.mutate(tenant.tenantId, [{ op: "addGroup", group: { displayName: "Delta Guild" }, memberIds: [sellerId] }])).results;
    await sandbox.mutate(tenant.tenantId, [
      { op: "addUser", user: { displayName: "Guild Founder" }, groupIds: [created.id] },
      { op: "addMember", groupId: group("Engineering").id, memberId: created.id },
      { op: "removeMember", groupId: group("Engineering").id, memberId: group("Data").id },
    ]);
    const r = await readDeltaRound(graph, known, cursor, { contacts: false });
    expect(r.newGroups).toEqual([created.id.toLowerCase()]);
    const changed = known.apply(r.changes);
    for (const s of sources) expect(sorted(known.recipients(s)), s).toEqual(await expected(s));
    const eng = changed.find((c) => c.sourceGroupId === sources[1].toLowerCase())!;
    expect(eng.removed).toContain(engineer);
    expect(eng.added.map((a) => a.emailNormalized)).toEqual(expect.arrayContaining([seller, expect.stringMatching(/^guild\.founder/), expect.stringMatching(/^delta\.newcomer/)]));
    cursor = r.cursor;

    // Replaying the same round changes nothing.
    await sandbox.mutate(tenant.tenantId, [{ op: "setDeltaReplay", enabled: true }]);
    const replay = await readDeltaRound(graph, known, cursor, { contacts: false });
    expect(replay.changes.length).toBeGreaterThan(0);
    expect(known.apply(replay.changes)).toEqual([]);
    for (const s of sources) expect(sorted(known.recipients(s))).toEqual(await expected(s));
  });
});

describe("a delta round that cannot finish", () => {
  test("fails on page 2 before anything is applied; the kept cursor then delivers every change", async () => {
    const { tenant, graph, group, expected } = await northwind({ maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 });
    const sources = [group("Sales").id];
    const known = new MembershipGraph(RULES, sources);
    const cursor = await seedFromDirectory(graph, known, sources, { contacts: false });
    const before = sorted(known.recipients(sources[0]));
    const users: Array<{ id: string; accountEnabled: boolean; mail: string | null }> = tenant.users;
    const inSales = new Set(before);
    const joiners = users.filter((u) => u.accountEnabled && u.mail && !inSales.has(u.mail.toLowerCase())).slice(0, 6);
    await sandbox.mutate(tenant.tenantId, joiners.map((u) => ({ op: "addMember", groupId: sources[0], memberId: u.id })));
    // The second request to /groups/delta (the round's page 2, at 2 links a page) fails, retries included.
    await sandbox.faults(tenant.tenantId, { retryAfter: [{ path: "*/groups/delta*", nth: 2, times: 10, seconds: 0, status: 503 }] });
    await expect(readDeltaRound(graph, known, cursor, { contacts: false, maxPageSize: 2 })).rejects.toMatchObject({ status: 503 });
    expect(sorted(known.recipients(sources[0]))).toEqual(before);
    await sandbox.control("DELETE", `/tenants/${tenant.tenantId}/faults`);
    const r = await readDeltaRound(graph, known, cursor, { contacts: false, maxPageSize: 2 });
    const [change] = known.apply(r.changes);
    expect(change.added.map((a) => a.emailNormalized).sort()).toEqual(joiners.map((u) => u.mail!.toLowerCase()).sort());
    expect(sorted(known.recipients(sources[0]))).toEqual(await expected(sources[0]));
  });

  test("an expired token and a synchronization reset ask for a full enumeration", async () => {
    const { tenant, graph, group } = await northwind();
    const sources = [group("HR").id];
    const known = new MembershipGraph(RULES, sources);
    const cursor = await seedFromDirectory(graph, known, sources, { contacts: false });
    await sandbox.mutate(tenant.tenantId, [{ op: "advanceDeltaClock", days: 8 }]);
    const expired = await readDeltaRound(graph, known, cursor, { contacts: false }).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(DeltaResyncRequired);
    expect((expired as DeltaResyncRequired).reason).toBe("expired");
    const fresh = await seedFromDirectory(graph, new MembershipGraph(RULES, sources), sources, { contacts: false });
    await sandbox.mutate(tenant.tenantId, [{ op: "resetDeltaSync" }]);
    const reset = await readDeltaRound(graph, known, fresh, { contacts: false }).catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(DeltaResyncRequired);
    expect((reset as DeltaResyncRequired).reason).toBe("reset");
  });
});
