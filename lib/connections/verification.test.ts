import { describe, expect, test } from "vitest";
import type { ChecklistItem } from "@/lib/directory/types";
import { describeVerificationOutcome } from "./verification";

const pass = (id: string): ChecklistItem => ({ id, label: id, ok: true });
const fail = (id: string, title?: string): ChecklistItem => ({ id, label: `${id} label`, ok: false, code: "x", title, fix: "do it" });
const skip = (id: string): ChecklistItem => ({ id, label: id, ok: false, skipped: true, title: "Not checked" });

describe("describeVerificationOutcome", () => {
  test.each([
    ["all passed", true, [pass("tenant"), pass("token")], "Every check passed."],
    ["one failure names its cause", false, [pass("tenant"), fail("token", "Entra ID rejected the client secret"), skip("p")], "Verification failed: Entra ID rejected the client secret. The fix is in the checklist below."],
    ["several failures name the first", false, [fail("roles", "No application permissions."), fail("p1", "a"), fail("p2", "b")], "Verification failed in 3 checks, first: No application permissions. Each fix is in the checklist below."],
    ["a failure without title falls back to its label", false, [fail("group")], "Verification failed: group label. The fix is in the checklist below."],
    ["only skipped lines", false, [skip("token")], "Verification did not finish: verify again."],
  ])("%s", (_name, ok, checklist, text) => {
    expect(describeVerificationOutcome({ ok, checklist })).toBe(text);
  });
});

test("the place of the fixes can be named", () => {
  expect(describeVerificationOutcome({ ok: false, checklist: [fail("token", "Expired.")] }, "above")).toBe("Verification failed: Expired. The fix is above.");
});
