import { describe, expect, test } from "vitest";
import { GraphRequestError } from "@/test/support/factories";
import { classifyFailure, groupDeletedDiagnosis } from "./failure";

const notFound = () => new GraphRequestError({ status: 404, code: "Request_ResourceNotFound", message: "Resource 'g' does not exist" });

describe("a group deleted in Azure gets advice that fits its kind", () => {
  test.each([
    ["security", /restore it in Azure \(Groups → Deleted groups\) within 30 days/],
    ["dynamic", /restore it in Azure \(Groups → Deleted groups\) within 30 days/],
    ["microsoft365", /Deleted groups, Microsoft 365 groups\) within 30 days/],
    ["distribution", /Distribution lists cannot be restored from Azure's deleted groups/],
    ["mail_security", /Mail-enabled security groups cannot be restored/],
  ] as const)("%s", (kind, fix) => {
    const d = classifyFailure(notFound(), { groupObjectId: "g-1", groupKind: kind }).diagnosis;
    expect(d).toMatchObject({ code: "group_deleted", title: "Deleted in Azure" });
    expect(d.fix).toMatch(fix);
    expect(d.fix).toContain("Object ID: g-1.");
    expect(d.fix).toContain("stay in the audience as of the last good sync");
  });

  test("a distribution list is never told to look in Deleted groups", () => {
    expect(groupDeletedDiagnosis("g", undefined, { kind: "distribution" }).fix).not.toMatch(/within 30 days/);
  });

  test("a group synced from on-premises comes back from AD, whatever its kind", () => {
    const d = groupDeletedDiagnosis("g", undefined, { kind: "security", onPremisesSyncEnabled: true });
    expect(d.fix).toMatch(/synced from on-premises Active Directory: restore it in AD/);
    expect(d.fix).not.toMatch(/Deleted groups/);
  });

  test("an unknown kind gets the 30-day restore advice", () => {
    expect(classifyFailure(notFound(), { groupObjectId: "g" })).toMatchObject({ kind: "group_deleted", diagnosis: { fix: expect.stringMatching(/within 30 days/) } });
  });
});
