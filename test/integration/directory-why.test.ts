/**
 * "Why is or isn't this person here?": the answer from what the directory says (explainPresence and
 * syncAddress, pure, agreeing with the sync's rules for every member shape), the person read from the sandbox
 * tenant through the real credential and Graph client (findDirectoryPerson: by mail or username, org contacts,
 * every page of transitive groups, roles and units dropped), and explainAudienceMember over a Roster database
 * whose connection reaches that tenant through the product's lookup (personLookupThroughConnections): the
 * sources that hold an address, disabled and unticked cases, a failed sign-in explained without Entra's raw
 * error, and refusals that ask the directory nothing. Which requests were made is read from the sandbox's log.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import * as s from "@/db/schema";
import { memberVerdict } from "@/lib/audience/eligibility";
import { openGraph } from "@/lib/directory/entra/client";
import { findDirectoryPerson, odataString, type DirectoryPerson } from "@/lib/directory/entra/person";
import { runQueuedWork } from "@/lib/sync/verbs";
import { explainAudienceMember } from "@/lib/why/audience";
import { explainPresence, syncAddress, type ConnectionFacts, type SyncedDirectorySource, type WhyInput } from "@/lib/why/explain";
import { personLookupThroughConnections } from "@/lib/why/person-lookup";
import type { Sandbox } from "@/sandbox/server";
import { arrangeTenant, createTenant, mutate, requestLog, startTenantServer, type Manifest } from "@/test/reliability/sandbox-harness";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { makeGroup, makeOrgWithUser } from "@/test/support/factories";

interface ManifestUser {
  id: string;
  displayName: string;
  mail: string | null;
  userPrincipalName: string;
  accountEnabled: boolean;
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTenantServer();
});
afterAll(() => sb?.close());

const person = (over: Partial<DirectoryPerson> = {}): DirectoryPerson => ({
  kind: "user",
  objectId: "u1",
  displayName: "Dana Doe",
  mail: "dana@contoso.test",
  userPrincipalName: "dana@contoso.onmicrosoft.test",
  accountEnabled: true,
  groups: [{ objectId: "g-staff", displayName: "All-Staff" }],
  ...over,
});
const staff: SyncedDirectorySource = { label: "All-Staff", kind: "directory_group", connectionId: "c1", groupObjectId: "g-staff", state: "synced", lastGoodSyncAt: null };
const facts = (over: Partial<ConnectionFacts> = {}): ConnectionFacts => ({ connectionId: "c1", name: "Contoso", useUsernameFallback: false, syncContacts: false, person: person(), ...over });
const input = (over: Partial<WhyInput> = {}): WhyInput => ({ email: "dana@contoso.test", holders: [], synced: [staff], connections: [facts()], ...over });
const codes = (i: WhyInput) => explainPresence(i).reasons.map((r) => r.code);

describe("explainPresence", () => {
  test.each<[string, WhyInput, string[]]>([
    ["held by a synced group", input({ holders: [{ label: "All-Staff", kind: "directory_group", connectionId: "c1" }] }), ["held"]],
    ["held by hand only: the directory has nothing to add", input({ holders: [{ label: "Manual", kind: "manual", connectionId: null }], connections: [facts({ person: null })] }), ["held"]],
    ["nothing synced and not held", input({ synced: [], connections: [] }), ["no_directory_sources"]],
    ["nobody with that address", input({ connections: [facts({ person: null })] }), ["not_in_directory"]],
    ["in no group at all", input({ connections: [facts({ person: person({ groups: [] }) })] }), ["not_member"]],
    ["in groups that are not synced", input({ connections: [facts({ person: person({ groups: [{ objectId: "g-eng", displayName: "Engineering" }] }) })] }), ["group_not_synced"]],
    ["disabled member", input({ connections: [facts({ person: person({ accountEnabled: false }) })] }), ["disabled"]],
    ["account state unknown (no User.Read.All): not included, as in the sync", input({ connections: [facts({ person: person({ accountEnabled: null }) })] }), ["disabled"]],
    ["invalid mail: the sync skips it, so does the answer", input({ connections: [facts({ person: person({ mail: "dana@" }) })] }), ["no_address"]],
    ["no mail, no fallback", input({ connections: [facts({ person: person({ mail: null }) })] }), ["no_address"]],
    ["no mail, fallback gives the username", input({ email: "dana@contoso.onmicrosoft.test", connections: [facts({ useUsernameFallback: true, person: person({ mail: null }) })] }), ["sync_pending"]],
    ["guest username is not an address", input({ connections: [facts({ useUsernameFallback: true, person: person({ mail: null, userPrincipalName: "x_y.test#EXT#@contoso.onmicrosoft.test" }) })] }), ["no_address"]],
    ["found by username but synced under mail", input({ email: "dana@contoso.onmicrosoft.test" }), ["different_address"]],
    ["contact while contacts are off", input({ connections: [facts({ person: person({ kind: "contact", userPrincipalName: null }) })] }), ["contacts_not_synced"]],
    ["contact while contacts are on, not synced yet", input({ connections: [facts({ syncContacts: true, person: person({ kind: "contact" }) })] }), ["sync_pending"]],
    ["would be included but the group has not synced", input({ synced: [{ ...staff, state: "error" }] }), ["sync_pending"]],
    ["entire directory brings everyone enabled", input({ synced: [{ ...staff, kind: "directory_all", groupObjectId: null, label: "Entire directory" }], connections: [facts({ person: person({ groups: [] }) })] }), ["sync_pending"]],
    ["held, but now disabled: leaves with the next sync", input({ holders: [{ label: "All-Staff", kind: "directory_group", connectionId: "c1" }], connections: [facts({ person: person({ accountEnabled: false }) })] }), ["held", "leaves_next_sync"]],
    ["held, but no longer in the group", input({ holders: [{ label: "All-Staff", kind: "directory_group", connectionId: "c1" }], connections: [facts({ person: person({ groups: [] }) })] }), ["held", "leaves_next_sync"]],
    ["lookup failed", input({ connections: [facts({ person: undefined, lookupError: "The client secret has expired." })] }), ["lookup_failed"]],
  ])("%s", (_name, i, expected) => {
    expect(codes(i)).toEqual(expected);
  });

  test("the disabled answer names the person, the group and the rule", () => {
    const [reason] = explainPresence(input({ connections: [facts({ person: person({ accountEnabled: false }) })] })).reasons;
    expect(reason.message).toBe("Dana Doe is in “All-Staff”, but the account is disabled in Azure. Roster does not sync disabled accounts.");
  });

  test("an unknown account state is explained as the missing User.Read.All, not as disabled", () => {
    const [reason] = explainPresence(input({ connections: [facts({ person: person({ accountEnabled: null }) })] })).reasons;
    expect(reason.message).toContain("User.Read.All");
    expect(reason.message).not.toContain("disabled");
  });

  test("the answer and the sync agree for every member shape", () => {
    const shapes: Partial<DirectoryPerson>[] = [
      {}, { accountEnabled: false }, { accountEnabled: null }, { mail: null }, { mail: "x@" }, { mail: " Dana@Contoso.test " },
      { mail: null, userPrincipalName: "g_x.test#EXT#@t.test" }, { kind: "contact", userPrincipalName: null }, { kind: "contact", mail: null },
    ];
    for (const shape of shapes) {
      for (const useUsernameFallback of [false, true]) {
        const p = person(shape);
        const verdict = memberVerdict(
          { objectType: p.kind, id: p.objectId, displayName: p.displayName, mail: p.mail, userPrincipalName: p.userPrincipalName, accountEnabled: p.kind === "contact" ? true : p.accountEnabled },
          { useUsernameFallback },
        );
        const answer = codes(input({ email: "address" in verdict ? verdict.address.emailNormalized : "dana@contoso.test", connections: [facts({ useUsernameFallback, syncContacts: true, person: p })] }));
        if ("address" in verdict) expect(answer).toEqual(["sync_pending"]);
        else expect(answer).toEqual([verdict.skip === "disabled" ? "disabled" : "no_address"]);
      }
    }
  });

  test("a group the person is in but the series does not sync is named", () => {
    const answer = explainPresence(input({ connections: [facts({ person: person({ groups: [{ objectId: "g-eng", displayName: "Engineering" }] }) })] }));
    expect(answer.reasons[0].message).toContain("“Engineering”");
    expect(answer.reasons[0].message).toContain("synced: “All-Staff”");
  });

  test.each([
    [{ mail: " Dana@Contoso.test " }, false, { address: "dana@contoso.test" }],
    [{ mail: null }, true, { address: "dana@contoso.onmicrosoft.test" }],
    [{ mail: null, userPrincipalName: "not an address" }, true, { missing: "has no mail address, and the username is not a valid address" }],
    // The sync's rule: a mail value that is no address does not count, and the username stands in.
    [{ mail: "dana@" }, true, { address: "dana@contoso.onmicrosoft.test" }],
    [{ mail: "dana@" }, false, { missing: "has a mail value (dana@) that is not a valid address, and this connection does not use the username as a fallback" }],
    [{ mail: null, userPrincipalName: "dana#team@contoso.test" }, true, { missing: "has no mail address, and a guest's username (#EXT#) is not an address" }],
  ])("syncAddress(%j, fallback %s)", (over, fallback, expected) => {
    expect(syncAddress(person(over), fallback)).toEqual(expected);
  });
});

describe("findDirectoryPerson against the sandbox tenant", () => {
  /** A tenant and a Graph session on it through the real credential and client (its main app's current secret). */
  async function tenant(scenario: "northwind" | "empty") {
    const manifest = (await createTenant(sb, { scenario })) as Omit<Manifest, "users"> & { users: ManifestUser[] };
    const app = manifest.apps.find((a) => a.name === "Roster Directory Sync")!;
    const graph = openGraph({ tenantId: manifest.tenantId, clientId: app.clientId, clientSecret: app.secrets.find((x) => !x.expired)!.value, cloud: "global" });
    const graphPaths = async () =>
      (await requestLog(sb, manifest.tenantId)).filter((r) => r.kind === "graph").map((r) => decodeURIComponent(r.url).replace(/^\/v1\.0/, ""));
    return { manifest, graph, graphPaths };
  }

  test("finds a user by mail, follows every page of transitive groups, drops roles", async () => {
    const { manifest, graph, graphPaths } = await tenant("northwind");
    // Rosa Brown (mail Rosa.Brown@northwind.example) is a User Administrator and in the Seattle Office unit. Her
    // username moves aside and another, earlier user takes it: the lookup finds both, and the mail match wins.
    const rosa = manifest.users.find((u) => u.displayName === "Rosa Brown")!;
    const other = manifest.users[0];
    expect(manifest.users.indexOf(other)).toBeLessThan(manifest.users.indexOf(rosa));
    // In 1,000 more groups: her groups are more than one page of 999.
    const committees = Array.from({ length: 1000 }, (_, i) => ({ id: randomUUID(), displayName: `Committee ${i + 1}` }));
    await mutate(
      sb,
      manifest.tenantId,
      { op: "updateUser", userId: rosa.id, changes: { userPrincipalName: "rbrown@northwind.example" } },
      { op: "updateUser", userId: other.id, changes: { userPrincipalName: "rosa.brown@northwind.example" } },
      { op: "disableUser", userId: rosa.id },
      ...committees.map((group) => ({ op: "addGroup", group, memberIds: [rosa.id] })),
    );
    const found = await findDirectoryPerson(graph, "rosa.brown@northwind.example");
    expect(found).toMatchObject({ kind: "user", objectId: rosa.id, mail: "Rosa.Brown@northwind.example", userPrincipalName: "rbrown@northwind.example", accountEnabled: false });
    const named = ["All-Staff", "Board Confidential", "Leadership Circle", "Management"].map((n) => manifest.groups.find((g) => g.displayName === n)!.id);
    expect(found!.groups.map((g) => g.objectId).sort()).toEqual([...named, ...committees.map((c) => c.id)].sort());
    // Graph listed her directory role and administrative unit with them, on the last page.
    expect(found!.groups.map((g) => g.displayName)).not.toContain("User Administrator");
    expect(found!.groups.map((g) => g.displayName)).not.toContain("Seattle Office");
    const paths = await graphPaths();
    expect(paths[0]).toContain("$filter=mail eq 'rosa.brown@northwind.example' or userPrincipalName eq 'rosa.brown@northwind.example'");
    const pages = paths.filter((p) => p.startsWith(`/users/${rosa.id}/transitiveMemberOf`));
    expect(pages).toHaveLength(2);
    expect(pages[1]).toMatch(/\$skiptoken=/);
  });

  test("falls back to org contacts, and answers null when nobody has the address", async () => {
    const { manifest, graph, graphPaths } = await tenant("empty");
    const outreach = randomUUID();
    const { results } = await mutate(
      sb,
      manifest.tenantId,
      { op: "addGroup", group: { id: outreach, displayName: "Outreach" } },
      { op: "addContact", contact: { displayName: "Partner", mail: "p@partner.test" }, groupIds: [outreach] },
    ) as { results: { id: string }[] };
    const contactId = results[1].id;
    expect(await findDirectoryPerson(graph, "p@partner.test")).toMatchObject({ kind: "contact", objectId: contactId, accountEnabled: true, groups: [{ objectId: outreach, displayName: "Outreach" }] });
    const asked = await graphPaths();
    expect(asked.map((p) => p.split("?")[0])).toEqual(["/users", "/contacts", `/contacts/${contactId}/transitiveMemberOf`]);
    expect(asked[1]).toContain("$filter=mail eq 'p@partner.test'");

    expect(await findDirectoryPerson(graph, "x@y.test")).toBeNull();
    expect((await graphPaths()).slice(asked.length).map((p) => p.split("?")[0])).toEqual(["/users", "/contacts"]);
  });

  test.each([
    ["o'brien@x.test", "'o''brien@x.test'"],
    ["plain@x.test", "'plain@x.test'"],
  ])("odataString(%j) doubles single quotes", (value, expected) => {
    expect(odataString(value)).toBe(expected);
  });
});

describe.each(dbKinds)("explainAudienceMember on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(() => h.close());

  /**
   * A sandbox tenant with All-Staff (Ann, and Dis Abled whose account is disabled) and Outreach (O), its
   * connection serving the series: All-Staff ticked and, unless `sync` is false, synced; Outreach ticked once
   * and unticked. Every lookup goes to the tenant through the connection (personLookupThroughConnections).
   */
  async function arrange({ sync = true } = {}) {
    const t = await arrangeTenant(h.db, sb, { scenario: "empty" });
    const allStaff = randomUUID();
    const outreach = randomUUID();
    const person = (displayName: string, mail: string, groupId: string, accountEnabled = true) => ({
      op: "addUser",
      user: { displayName, mail, userPrincipalName: mail.replace("@", ".upn@"), accountEnabled },
      groupIds: [groupId],
    });
    const { results } = (await mutate(
      sb,
      t.manifest.tenantId,
      { op: "addGroup", group: { id: allStaff, displayName: "All-Staff" } },
      { op: "addGroup", group: { id: outreach, displayName: "Outreach" } },
      person("Ann Member", "ann@contoso.test", allStaff),
      person("Dis Abled", "dis@contoso.test", allStaff, false),
      person("O Reach", "o@contoso.test", outreach),
    )) as { results: { id?: string }[] };
    for (const [id, displayName] of [[allStaff, "All-Staff"], [outreach, "Outreach"]]) {
      t.catalog.set(id, (await makeGroup(h.db, t.connectionId, { objectId: id, displayName })).id);
    }
    await t.select([allStaff, outreach]);
    await t.select([allStaff]);
    if (sync) expect(await runQueuedWork(h.db, { budgetMs: 60_000 })).toMatchObject({ completed: 1, failed: 0 });
    const [unticked] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.directoryGroupId, t.catalog.get(outreach)!));
    expect(unticked).toMatchObject({ selected: false, state: "not_synced" });
    const [connection] = await h.db.select().from(s.directoryConnections).where(eq(s.directoryConnections.id, t.connectionId));
    const seen = Math.max(0, ...(await requestLog(sb, t.manifest.tenantId)).map((r) => r.seq));
    return {
      ...t,
      connection,
      allStaff,
      annId: results[2].id!,
      /** What the tenant was asked since the arrangement, Graph reads and sign-ins alike. */
      askedSince: async () => (await requestLog(sb, t.manifest.tenantId)).filter((r) => r.seq > seen),
    };
  }

  test("lists the sources that hold an address", async () => {
    const a = await arrange();
    const answer = await explainAudienceMember(h.db, a.actor, { seriesId: a.seriesId, email: " Ann@Contoso.TEST " }, personLookupThroughConnections);
    expect(answer).toMatchObject({ email: "ann@contoso.test", inAudience: true, holders: [{ label: "All-Staff", kind: "directory_group", connectionId: a.connectionId }] });
    expect(answer.reasons.map((r) => r.code)).toEqual(["held"]);
    // The one connection was asked once, for the normalized address.
    const asked = (await a.askedSince()).filter((r) => r.kind === "graph").map((r) => decodeURIComponent(r.url));
    expect(asked.map((u) => u.split("?")[0])).toEqual(["/v1.0/users", `/v1.0/users/${a.annId}/transitiveMemberOf`]);
    expect(asked[0]).toContain("$filter=mail eq 'ann@contoso.test' or userPrincipalName eq 'ann@contoso.test'");
  });

  test("says a disabled member of a synced group is disabled", async () => {
    const a = await arrange();
    const answer = await explainAudienceMember(h.db, a.actor, { seriesId: a.seriesId, email: "dis@contoso.test" }, personLookupThroughConnections);
    expect(answer.inAudience).toBe(false);
    expect(answer.reasons).toEqual([{ code: "disabled", message: expect.stringContaining("Dis Abled is in “All-Staff”, but the account is disabled") }]);
  });

  test("an unticked group does not count as synced", async () => {
    const a = await arrange();
    const answer = await explainAudienceMember(h.db, a.actor, { seriesId: a.seriesId, email: "o@contoso.test" }, personLookupThroughConnections);
    expect(answer.reasons.map((r) => r.code)).toEqual(["group_not_synced"]);
    expect(answer.reasons[0].message).toContain("“Outreach”");
  });

  test("a failed lookup is explained without its raw error", async () => {
    // No sync first: no token was issued to the connection before its secret expired in Azure.
    const a = await arrange({ sync: false });
    const secret = a.manifest.apps.find((x) => x.clientId === a.clientId)!.secrets.find((x) => !x.expired)!;
    await mutate(sb, a.manifest.tenantId, { op: "expireSecret", clientId: a.clientId, secretId: secret.secretId });
    const answer = await explainAudienceMember(h.db, a.actor, { seriesId: a.seriesId, email: "x@contoso.test" }, personLookupThroughConnections);
    expect(answer.reasons).toEqual([
      { code: "lookup_failed", message: expect.stringMatching(new RegExp(`^Could not look the address up in ${a.connection.name}: The client secret has expired\\. `)) },
    ]);
    // Entra's answer was a refusal with its code and trace; none of it, nor the secret, reaches the editor.
    expect((await a.askedSince()).map((r) => [r.kind, r.status, r.error])).toContainEqual(["token", 401, "AADSTS7000222"]);
    const text = JSON.stringify(answer);
    expect(text).not.toContain("AADSTS");
    expect(text).not.toContain("Trace ID");
    expect(text).not.toContain(secret.value);
  });

  test("refuses an invalid address, and another organization's editor", async () => {
    const a = await arrange();
    await expect(explainAudienceMember(h.db, a.actor, { seriesId: a.seriesId, email: "not an address" }, personLookupThroughConnections)).rejects.toMatchObject({
      code: "invalid_input",
    });
    const other = await makeOrgWithUser(h.db);
    await expect(explainAudienceMember(h.db, other.actor, { seriesId: a.seriesId, email: "ann@contoso.test" }, personLookupThroughConnections)).rejects.toMatchObject({
      code: "not_found",
    });
    // Neither refusal signed in or read anything.
    expect(await a.askedSince()).toEqual([]);
  });
});
