import { generateKeyPairSync, verify } from "node:crypto";
import { describe, expect, test } from "vitest";
import { ASSERTION_LIFETIME_SECONDS, signClientAssertion } from "./assertion";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const parts = (jwt: string) => jwt.split(".");
const decode = (s: string) => JSON.parse(Buffer.from(s, "base64url").toString("utf8"));

describe("federated client assertion", () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const jwt = signClientAssertion({ issuer: "https://roster.example.com", subject: "roster:directory-connection:c1", kid: "k1", privateKey, now });

  test("claims: Roster's issuer, the connection's subject, Entra's exchange audience, minutes of life", () => {
    const [h, p] = parts(jwt);
    expect(decode(h)).toEqual({ alg: "RS256", typ: "JWT", kid: "k1" });
    const claims = decode(p);
    expect(claims).toMatchObject({ iss: "https://roster.example.com", sub: "roster:directory-connection:c1", aud: "api://AzureADTokenExchange", iat: now / 1000, nbf: now / 1000 });
    expect(claims.exp - claims.iat).toBe(ASSERTION_LIFETIME_SECONDS);
    expect(ASSERTION_LIFETIME_SECONDS).toBeLessThanOrEqual(600);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("the signature verifies with the public key (RS256)", () => {
    const [h, p, s] = parts(jwt);
    expect(verify("sha256", Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, "base64url"))).toBe(true);
  });

  test("every assertion has its own jti", () => {
    const input = { issuer: "https://roster.example.com", subject: "s", kid: "k1", privateKey, now };
    const ids = new Set(Array.from({ length: 20 }, () => decode(parts(signClientAssertion(input))[1]).jti));
    expect(ids.size).toBe(20);
  });
});
