import { describe, expect, test } from "vitest";
import {
  certificateValiditySchema,
  fieldsNeedAttention,
  parseGroupObjectIds,
  switchTargetSchema,
  validateConnectionForm,
  validateCredentialChoice,
  validateOptions,
  validateSecret,
  validateWith,
} from "./validation";

const NOW = new Date("2026-11-26T10:00:00Z");
const guid = (n: number) => `${String(n).padStart(8, "0")}-1111-4111-8111-111111111111`;
const valid = {
  organizationIds: ["org-1"],
  ownerName: "Ada Admin",
  ownerEmail: "ada@example.com",
  clientId: "d012528c-01cc-4458-8110-fcbc483b097a",
  tenantId: "85d978f4-047b-4fa9-860b-6eaa8da2157d",
  secretId: "1e86d8d7-9a7d-4299-baf9-60092164ffb4",
  secretValue: "am28Q~6YW-oL_JphEvDd4w4yAm_5NTFi5_3Z2iT5",
  secretExpiresOn: "2027-06-01",
  groupObjectIds: "",
};

describe("connection form validation", () => {
  test("a complete form passes and is normalized", () => {
    const r = validateConnectionForm({ ...valid, clientId: ` ${valid.clientId.toUpperCase()} `, azureGovernment: true, syncContacts: "on" }, NOW);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.clientId).toBe(valid.clientId);
      expect(r.value.cloud).toBe("usgov");
      expect(r.value.syncContacts).toBe(true);
      expect(r.value.useUsernameFallback).toBe(false);
    }
  });

  test.each([
    ["clientId", { clientId: "not-a-guid" }, /Not a GUID: the Application \(client\) ID/],
    ["clientId", { clientId: "" }, /Enter the Application \(client\) ID/],
    ["tenantId", { tenantId: "contoso" }, /Not a GUID: the Directory \(tenant\) ID/],
    ["tenantId", { tenantId: valid.clientId.toUpperCase() }, /Application \(client\) ID again/],
    ["secretId", { secretId: "abc" }, /Not a GUID: the Client secret ID/],
    ["secretValue", { secretValue: valid.secretId }, /^This is the Secret ID; paste the secret's Value\.$/],
    ["secretValue", { secretValue: valid.secretId.toUpperCase() }, /This is the Secret ID/],
    ["secretValue", { secretValue: guid(7) }, /This is the Secret ID/],
    ["secretValue", { secretValue: "" }, /Paste the client secret's Value/],
    ["secretValue", { secretValue: "short" }, /does not look like a client secret Value/],
    ["secretExpiresOn", { secretExpiresOn: "2026-11-25" }, /in the past/],
    ["secretExpiresOn", { secretExpiresOn: "2028-11-27" }, /at most 24 months.*2028-11-26/],
    ["secretExpiresOn", { secretExpiresOn: "26/11/2027" }, /YYYY-MM-DD/],
    ["secretExpiresOn", { secretExpiresOn: "2027-02-31" }, /^2027-02-31 is not a date: that month has no day 31\.$/],
    ["secretExpiresOn", { secretExpiresOn: "2027-02-29" }, /not a date/],
    ["secretExpiresOn", { secretExpiresOn: "2027-04-31" }, /not a date/],
    ["secretExpiresOn", { secretExpiresOn: "2027-13-01" }, /YYYY-MM-DD|not a date/],
    ["secretExpiresOn", { secretExpiresOn: "" }, /Enter the date/],
    ["groupObjectIds", { groupObjectIds: "nope" }, /Not a GUID: “nope”/],
    ["groupObjectIds", { groupObjectIds: `${guid(1)}, ${guid(1).toUpperCase()}` }, /listed twice/],
    ["groupObjectIds", { groupObjectIds: Array.from({ length: 16 }, (_, i) => guid(i)).join("\n") }, /At most 15 groups can be selected \(you entered 16\)/],
    ["ownerName", { ownerName: " " }, /Enter the name/],
    ["ownerEmail", { ownerEmail: "ada@" }, /not a valid e-mail/],
    ["organizationIds", { organizationIds: [] }, /at least one organization/],
  ])("%s: %j", (field, patch, message) => {
    const r = validateConnectionForm({ ...valid, ...patch }, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.fields[field]).toMatch(message);
      expect(Object.keys(r.fields)).toEqual([field]);
    }
  });

  test.each([
    ["today", "2026-11-26", true],
    ["exactly 24 months", "2028-11-26", true],
    ["one day beyond", "2028-11-27", false],
  ])("expiry %s", (_name, secretExpiresOn, ok) => {
    expect(validateSecret({ ...valid, secretExpiresOn }, NOW).ok).toBe(ok);
  });

  test("group ids split on commas, spaces and new lines; 15 are allowed", () => {
    const ids = Array.from({ length: 15 }, (_, i) => guid(i));
    const r = parseGroupObjectIds(`${ids.slice(0, 5).join(",")}\n${ids.slice(5, 10).join(" ")} ; ${ids.slice(10).join(";")}`);
    expect(r.error).toBeNull();
    expect(r.ids).toEqual(ids);
  });

  test("a rejected secret value is never echoed in the message", () => {
    const secretValue = "abc def ghi jkl mno pqr";
    const r = validateSecret({ ...valid, secretValue }, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(JSON.stringify(r.fields)).not.toContain("abc def");
  });
});

describe("fieldsNeedAttention", () => {
  test.each([
    [{}, "Some fields need attention."],
    [{ secretValue: "x" }, "1 field needs attention: Client secret value."],
    [{ secretExpiresOn: "x", clientId: "x", ownerEmail: "x" }, "3 fields need attention: Setup owner email, Application (client) ID and Secret expires on."],
  ])("%j", (fields, message) => {
    expect(fieldsNeedAttention(fields)).toBe(message);
  });
});

describe("sync schedule", () => {
  test.each([
    [undefined, "weekly"],
    ["", "weekly"],
    ["weekly", "weekly"],
    ["daily", "daily"],
  ])("cadence %s is %s", (cadence, expected) => {
    expect(validateOptions(cadence === undefined ? {} : { cadence })).toMatchObject({ ok: true, value: { cadence: expected } });
  });

  test.each([["hourly"], ["Weekly"], ["monthly"]])("cadence %s is refused on its field", (cadence) => {
    expect(validateOptions({ cadence })).toEqual({ ok: false, fields: { cadence: "Choose weekly or daily." } });
  });
});

describe("the credential choice", () => {
  const pendingId = "5f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f";
  test("no kind named is a client secret, validated as one", () => {
    expect(validateCredentialChoice({ ...valid }, NOW)).toMatchObject({ ok: true, value: { kind: "secret", secret: { secretId: valid.secretId } } });
    expect(validateCredentialChoice({ ...valid, secretValue: "" }, NOW)).toEqual({ ok: false, fields: { secretValue: expect.stringMatching(/Paste the client secret's Value/) } });
  });
  test.each([["federated"], ["certificate"]])("%s needs only its prepared id; the secret fields are not asked for", (kind) => {
    expect(validateCredentialChoice({ credentialKind: kind, pendingId: pendingId.toUpperCase() }, NOW)).toEqual({ ok: true, value: { kind, pendingId } });
    const form = validateConnectionForm({ ...valid, secretId: "", secretValue: "", secretExpiresOn: "", credentialKind: kind, pendingId }, NOW);
    expect(form).toMatchObject({ ok: true, value: { credential: { kind, pendingId } } });
  });
  test.each([
    [{ credentialKind: "federated" }, /Choose the credential again/],
    [{ credentialKind: "federated", pendingId: "../../etc" }, /Choose the credential again/],
    [{ credentialKind: "password" }, /a federated credential, a certificate or a client secret/],
  ])("%j is refused on the credential field", (patch, message) => {
    const r = validateConnectionForm({ ...valid, ...patch }, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fields).toEqual({ credentialKind: expect.stringMatching(message) });
  });
  test("switch targets and certificate validity", () => {
    expect(validateWith(switchTargetSchema, { to: "federated" })).toEqual({ ok: true, value: { to: "federated" } });
    expect(validateWith(switchTargetSchema, { to: "secret" })).toEqual({ ok: false, fields: { to: "Choose a certificate or a federated credential." } });
    expect(validateWith(certificateValiditySchema, {})).toEqual({ ok: true, value: { validDays: 365 } });
    expect(validateWith(certificateValiditySchema, { validDays: 730 })).toEqual({ ok: true, value: { validDays: 730 } });
    expect(validateWith(certificateValiditySchema, { validDays: 30 })).toEqual({ ok: false, fields: { validDays: "Choose a validity of one or two years." } });
  });
  test("every field's error comes at once, across the parts of the form", () => {
    const r = validateConnectionForm({ ...valid, clientId: "x", ownerEmail: "x", credentialKind: "federated" }, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.fields).sort()).toEqual(["clientId", "credentialKind", "ownerEmail"]);
  });
});
