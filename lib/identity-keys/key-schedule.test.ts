import { describe, expect, test } from "vitest";
import { jwksAt, signingKeyAt, type ScheduledKey } from "./key-schedule";

const H = 3_600_000;
const jwk = (n: string) => ({ kty: "RSA", n, e: "AQAB", d: "private part that must never be published" });
const key = (kid: string, signsFrom: number, retireAt: number | null): ScheduledKey => ({ kid, publicJwk: jwk(kid), signsFrom: new Date(signsFrom), retireAt: retireAt === null ? null : new Date(retireAt) });

// Before the rotation: A alone. A rotation at 10h added B, signing from 11h (an hour's lead), and set A to
// retire at 11h + 24h.
const before = [key("A", 0, null)];
const keys = [key("A", 0, 35 * H), key("B", 11 * H, null)];

describe("signing keys during a rotation", () => {
  test.each([
    ["before the rotation", before, 5 * H, "A", ["A"]],
    ["in the lead: B is published before it signs", keys, 10.5 * H, "A", ["A", "B"]],
    ["in the overlap: A still verifies what it signed", keys, 11 * H, "B", ["A", "B"]],
    ["at the end of the overlap", keys, 35 * H - 1, "B", ["A", "B"]],
    ["once A retired", keys, 35 * H, "B", ["B"]],
  ])("%s", (_name, set, now, signer, published) => {
    expect(signingKeyAt(set, now)?.kid).toBe(signer);
    expect(jwksAt(set, now).keys.map((k) => k.kid)).toEqual(published);
  });

  test("the JWKS carries only public members, with kid, use and alg", () => {
    const [k] = jwksAt(keys, 12 * H).keys;
    expect(k).toEqual({ kty: "RSA", n: "A", e: "AQAB", kid: "A", use: "sig", alg: "RS256" });
    expect(JSON.stringify(jwksAt(keys, 12 * H))).not.toContain("private part");
  });

  test("no key signs when all are retired or none has started", () => {
    expect(signingKeyAt([key("A", 0, H)], 2 * H)).toBeNull();
    expect(signingKeyAt([key("A", 5 * H, null)], H)).toBeNull();
  });
});
