import { describe, expect, test } from "vitest";
import { credentialExpiryOf, describeCredentialExpiry, describeSecretExpiry, secretExpiryStatus } from "./secret-expiry";

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

describe("the expiry of the credential in use", () => {
  const row = { secretExpiresOn: "2027-06-01", certificateExpiresAt: new Date("2026-12-05T10:00:00Z"), certificateThumbprint: "AB12" };
  test("a secret's from its entered date; a certificate's from its own notAfter; a federated credential has none", () => {
    expect(credentialExpiryOf({ ...row, credentialKind: "secret" }, NOW)).toMatchObject({ kind: "secret", expiresOn: "2027-06-01", status: { level: "ok", banner: false } });
    const cert = credentialExpiryOf({ ...row, credentialKind: "certificate" }, NOW)!;
    expect(cert).toMatchObject({ kind: "certificate", expiresOn: "2026-12-05", thumbprint: "AB12", status: { level: "urgent", daysLeft: 9, banner: true } });
    expect(describeCredentialExpiry(cert)).toBe("The certificate expires on 2026-12-05 (in 9 days).");
    expect(credentialExpiryOf({ ...row, credentialKind: "federated" }, NOW)).toBeNull();
    // A connection switched away from its secret no longer warns about it, however close its date.
    expect(credentialExpiryOf({ ...row, secretExpiresOn: "2026-11-27", credentialKind: "certificate", certificateExpiresAt: new Date("2027-11-27T00:00:00Z") }, NOW)?.status.banner).toBe(false);
  });
  test("a certificate past its notAfter is expired", () => {
    const cert = credentialExpiryOf({ ...row, credentialKind: "certificate", certificateExpiresAt: new Date("2026-11-20T00:00:00Z") }, NOW)!;
    expect(describeCredentialExpiry(cert)).toBe("The certificate expired on 2026-11-20. Syncs fail until a new one is verified.");
  });
});
