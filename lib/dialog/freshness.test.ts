import { describe, expect, test } from "vitest";
import { agoText, dayText, freshnessLine, syncNowNotice } from "./freshness";

const now = new Date("2026-12-02T10:00:00Z"); // a Wednesday

describe("the dialog's freshness line", () => {
  test("minutes, hours and days ago", () => {
    expect(agoText(new Date("2026-12-02T09:59:40Z"), now)).toBe("just now");
    expect(agoText(new Date("2026-12-02T09:56:00Z"), now)).toBe("4 min ago");
    expect(agoText(new Date("2026-12-02T07:00:00Z"), now)).toBe("3 h ago");
    expect(agoText(new Date("2026-11-30T09:00:00Z"), now)).toBe("2 days ago");
  });

  test("today, yesterday, a weekday, a date (UTC days)", () => {
    expect(dayText(new Date("2026-12-02T00:00:01Z"), now)).toBe("today");
    expect(dayText(new Date("2026-12-01T23:59:00Z"), now)).toBe("yesterday");
    expect(dayText(new Date("2026-11-30T00:00:00Z"), now)).toBe("Monday");
    expect(dayText(new Date("2026-11-20T00:00:00Z"), now)).toBe("on 20 Nov");
  });

  test("the line, with drift when the last full pass found any", () => {
    expect(freshnessLine({ lastDeltaAt: "2026-12-02T09:56:00Z", lastFullAt: "2026-11-30T00:05:00Z", lastFullDrift: 0 }, now)).toBe(
      "Checked for changes 4 min ago · last full pass Monday",
    );
    expect(freshnessLine({ lastDeltaAt: null, lastFullAt: "2026-12-02T09:00:00Z", lastFullDrift: 2 }, now)).toBe(
      "Not checked for changes yet · last full pass today (it found 2 differences the checks had missed)",
    );
  });

  test("what Sync now says", () => {
    expect(syncNowNotice("Sales", { outcome: "unchanged", added: 0, removed: 0 })).toBe("“Sales” is up to date: no changes in the directory.");
    expect(syncNowNotice("Sales", { outcome: "synced", added: 2, removed: 1 })).toBe("“Sales” is up to date: 2 joined, 1 left.");
    expect(syncNowNotice("Sales", { outcome: "needs_review", added: 0, removed: 0 })).toMatch(/Needs review/);
  });
});
