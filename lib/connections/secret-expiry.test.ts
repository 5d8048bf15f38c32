import { describe, expect, test } from "vitest";
import { describeSecretExpiry, secretExpiryStatus } from "./secret-expiry";

const NOW = new Date("2026-11-26T23:30:00Z");

describe("secret expiry levels", () => {
  test.each([
    ["2027-06-01", "ok", false],
    ["2026-12-27", "ok", false], // 31 days
    ["2026-12-26", "soon", false], // 30 days: the connection page warns
    ["2026-12-11", "soon", false], // 15 days
    ["2026-12-10", "urgent", true], // 14 days: every admin page shows the banner
    ["2026-11-26", "urgent", true], // expires today
    ["2026-11-25", "expired", true],
  ])("%s is %s (banner %s)", (expiresOn, level, banner) => {
    expect(secretExpiryStatus(expiresOn, NOW)).toMatchObject({ level, banner });
  });

  test("describes the date and the days left", () => {
    expect(describeSecretExpiry("2026-12-06", secretExpiryStatus("2026-12-06", NOW))).toBe("The client secret expires on 2026-12-06 (in 10 days).");
    expect(describeSecretExpiry("2026-11-20", secretExpiryStatus("2026-11-20", NOW))).toMatch(/expired on 2026-11-20.*rotated/);
  });
});
