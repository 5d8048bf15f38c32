import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { memberVerdict } from "@/lib/audience/eligibility";
import { explainAudienceMember, type PersonLookup } from "@/lib/why/audience";
import { explainPresence, syncAddress, type ConnectionFacts, type SyncedDirectorySource, type WhyInput } from "@/lib/why/explain";
import { findDirectoryPerson, odataString, type DirectoryPerson, type GraphReader } from "@/lib/directory/entra/person";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { makeConnection, makeGroupSource, makeGroups, makeOrgWithEditor } from "./directory-fixtures";

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

describe("findDirectoryPerson", () => {
  function fakeGraph(routes: Record<string, unknown>): GraphReader & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      async get<T>(path: string): Promise<T> {
        calls.push(path);
        const key = Object.keys(routes).find((k) => path.startsWith(k));
        if (!key) throw new Error(`unexpected Graph call ${path}`);
        return routes[key] as T;
      },
    };
  }

  test("finds a user by mail, follows every page of transitive groups, drops roles", async () => {
    const graph = fakeGraph({
      "/users?": { value: [{ id: "u2", userPrincipalName: "other@x.test", mail: "someone@else.test" }, { id: "u1", displayName: "Dana", mail: "Dana@Contoso.test", accountEnabled: false }] },
      "/users/u1/transitiveMemberOf": {
        value: [{ id: "g1", displayName: "All-Staff", "@odata.type": "#microsoft.graph.group" }, { id: "r1", "@odata.type": "#microsoft.graph.directoryRole" }],
        "@odata.nextLink": "https://graph.test/v1.0/users/u1/transitiveMemberOf?$skiptoken=2",
      },
      "https://graph.test/v1.0/users/u1/transitiveMemberOf?$skiptoken=2": { value: [{ id: "g2", displayName: "Outreach", "@odata.type": "#microsoft.graph.group" }] },
    });
    const found = await findDirectoryPerson(graph, "dana@contoso.test");
    expect(found).toMatchObject({ kind: "user", objectId: "u1", accountEnabled: false, groups: [{ objectId: "g1" }, { objectId: "g2" }] });
    expect(decodeURIComponent(graph.calls[0])).toContain("$filter=mail eq 'dana@contoso.test' or userPrincipalName eq 'dana@contoso.test'");
  });

  test("falls back to org contacts, and answers null when nobody has the address", async () => {
    const contact = fakeGraph({
      "/users?": { value: [] },
      "/contacts?": { value: [{ id: "c1", displayName: "Partner", mail: "p@partner.test" }] },
      "/contacts/c1/transitiveMemberOf": { value: [{ id: "g1", displayName: "Outreach", "@odata.type": "#microsoft.graph.group" }] },
    });
    expect(await findDirectoryPerson(contact, "p@partner.test")).toMatchObject({ kind: "contact", accountEnabled: true, groups: [{ objectId: "g1" }] });
    const nobody = fakeGraph({ "/users?": { value: [] }, "/contacts?": { value: [] } });
    expect(await findDirectoryPerson(nobody, "x@y.test")).toBeNull();
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

  async function arrange() {
    const a = await makeOrgWithEditor(h.db);
    const connection = await makeConnection(h.db, a.org.id, { name: "Contoso" });
    const [allStaff, outreach] = await makeGroups(h.db, connection.id, [{ displayName: "All-Staff" }, { displayName: "Outreach" }]);
    await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: connection.id, group: allStaff, members: ["ann@contoso.test"] });
    await makeGroupSource(h.db, { seriesId: a.series.id, connectionId: connection.id, group: outreach, selected: false, state: "not_synced" });
    return { ...a, connection, allStaff, outreach };
  }

  const lookupOf = (people: Record<string, DirectoryPerson | null>): PersonLookup & { asked: string[] } => {
    const asked: string[] = [];
    return {
      asked,
      async findPerson(_db, connectionId, email) {
        asked.push(`${connectionId}:${email}`);
        return people[email] ?? null;
      },
    };
  };

  test("lists the sources that hold an address", async () => {
    const a = await arrange();
    const lookup = lookupOf({ "ann@contoso.test": person({ mail: "ann@contoso.test", groups: [{ objectId: a.allStaff.objectId, displayName: "All-Staff" }] }) });
    const answer = await explainAudienceMember(h.db, a.actor, { seriesId: a.series.id, email: " Ann@Contoso.TEST " }, lookup);
    expect(answer).toMatchObject({ email: "ann@contoso.test", inAudience: true, holders: [{ label: "All-Staff", kind: "directory_group", connectionId: a.connection.id }] });
    expect(answer.reasons.map((r) => r.code)).toEqual(["held"]);
    expect(lookup.asked).toEqual([`${a.connection.id}:ann@contoso.test`]);
  });

  test("says a disabled member of a synced group is disabled", async () => {
    const a = await arrange();
    const lookup = lookupOf({
      "dis@contoso.test": person({ displayName: "Dis Abled", mail: "dis@contoso.test", accountEnabled: false, groups: [{ objectId: a.allStaff.objectId, displayName: "All-Staff" }] }),
    });
    const answer = await explainAudienceMember(h.db, a.actor, { seriesId: a.series.id, email: "dis@contoso.test" }, lookup);
    expect(answer.inAudience).toBe(false);
    expect(answer.reasons).toEqual([{ code: "disabled", message: expect.stringContaining("Dis Abled is in “All-Staff”, but the account is disabled") }]);
  });

  test("an unticked group does not count as synced", async () => {
    const a = await arrange();
    const lookup = lookupOf({ "o@contoso.test": person({ mail: "o@contoso.test", groups: [{ objectId: a.outreach.objectId, displayName: "Outreach" }] }) });
    const answer = await explainAudienceMember(h.db, a.actor, { seriesId: a.series.id, email: "o@contoso.test" }, lookup);
    expect(answer.reasons.map((r) => r.code)).toEqual(["group_not_synced"]);
  });

  test("a failed lookup is explained without its raw error", async () => {
    const a = await arrange();
    const lookup: PersonLookup = {
      async findPerson() {
        throw new Error("client_secret=hunter2 rejected");
      },
      describeError: () => "The client secret has expired.",
    };
    const answer = await explainAudienceMember(h.db, a.actor, { seriesId: a.series.id, email: "x@contoso.test" }, lookup);
    expect(answer.reasons).toEqual([{ code: "lookup_failed", message: "Could not look the address up in Contoso: The client secret has expired." }]);
    expect(JSON.stringify(answer)).not.toContain("hunter2");
  });

  test("refuses an invalid address, and another organization's editor", async () => {
    const a = await arrange();
    const lookup = lookupOf({});
    await expect(explainAudienceMember(h.db, a.actor, { seriesId: a.series.id, email: "not an address" }, lookup)).rejects.toMatchObject({ code: "invalid_input" });
    const other = await makeOrgWithEditor(h.db);
    await expect(explainAudienceMember(h.db, other.actor, { seriesId: a.series.id, email: "ann@contoso.test" }, lookup)).rejects.toMatchObject({ code: "not_found" });
    expect(lookup.asked).toEqual([]);
  });
});
