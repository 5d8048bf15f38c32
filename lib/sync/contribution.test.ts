import { describe, expect, test } from "vitest";
import type { DirectoryMember } from "@/lib/directory/types";
import { looksLikeMissingUserRead, memberVerdict, pageContribution } from "./contribution";

const u = (over: Partial<DirectoryMember>): DirectoryMember => ({
  objectType: "user",
  id: "id-1",
  displayName: "Ada Lovelace",
  mail: "Ada@Contoso.example",
  userPrincipalName: "ada@contoso.onmicrosoft.example",
  accountEnabled: true,
  ...over,
});

describe("memberVerdict", () => {
  test.each([
    ["enabled user with mail", u({}), false, { email: "Ada@Contoso.example", key: "ada@contoso.example" }],
    ["mail is trimmed", u({ mail: "  ada@contoso.example " }), false, { email: "ada@contoso.example", key: "ada@contoso.example" }],
    ["disabled user", u({ accountEnabled: false }), true, "disabled"],
    ["enabled state unknown counts as not enabled", u({ accountEnabled: null }), true, "disabled"],
    ["no mail, fallback off", u({ mail: null }), false, "noAddress"],
    ["no mail, fallback on: user principal name", u({ mail: null }), true, { email: "ada@contoso.onmicrosoft.example", key: "ada@contoso.onmicrosoft.example" }],
    ["guest #EXT# name is never an address", u({ mail: null, userPrincipalName: "ada_fabrikam.example#EXT#@contoso.onmicrosoft.example" }), true, "noAddress"],
    ["invalid user principal name", u({ mail: null, userPrincipalName: "not an address" }), true, "noAddress"],
    ["invalid mail falls back to the user principal name", u({ mail: "broken@", userPrincipalName: "Ada@Contoso.example" }), true, { email: "Ada@Contoso.example", key: "ada@contoso.example" }],
    ["contact with mail", u({ objectType: "contact", accountEnabled: true, userPrincipalName: null }), false, { email: "Ada@Contoso.example", key: "ada@contoso.example" }],
    ["contact without mail never falls back", u({ objectType: "contact", mail: null, userPrincipalName: "x@y.example" }), true, "noAddress"],
  ])("%s", (_name, member, fallback, expected) => {
    const verdict = memberVerdict(member, { useUsernameFallback: fallback });
    if (typeof expected === "string") expect(verdict).toEqual({ skip: expected });
    else expect(verdict).toEqual({ address: { email: expected.email, emailNormalized: expected.key, name: "Ada Lovelace", objectId: "id-1" } });
  });
});

test("pageContribution counts skipped members by reason and keeps parallel arrays aligned", () => {
  const page = pageContribution(
    [u({ id: "a" }), u({ id: "b", accountEnabled: false }), u({ id: "c", mail: null }), u({ id: "d", mail: "d@x.example", displayName: null })],
    { useUsernameFallback: false },
  );
  expect(page).toEqual({
    keys: ["ada@contoso.example", "d@x.example"],
    emails: ["Ada@Contoso.example", "d@x.example"],
    names: ["Ada Lovelace", null],
    objectIds: ["a", "d"],
    disabled: 1,
    // The disabled member's id, so the change log can say "disabled" when its address leaves.
    disabledIds: ["b"],
    noAddress: 1,
    contactsOff: 0,
  });
});

test.each([
  ["ids only (no User.Read.All)", [u({ accountEnabled: null, mail: null, userPrincipalName: null })], true],
  ["a real page", [u({})], false],
  ["an empty page", [], false],
  ["contacts only", [u({ objectType: "contact", accountEnabled: true })], false],
])("looksLikeMissingUserRead: %s", (_name, members, expected) => {
  expect(looksLikeMissingUserRead(members as DirectoryMember[])).toBe(expected);
});
