/**
 * Client assertions through the real @azure/identity: certificates (ClientCertificateCredential, which signs PS256
 * with x5t#S256, and an RS256 assertion with x5t through ClientAssertionCredential) and federated identity
 * credentials (a token from an HTTPS issuer whose discovery document and JWKS the sandbox fetches). Each refusal
 * is Entra's, with its AADSTS code; sources in sandbox/auth/aadsts.ts and client-assertion.ts.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { ClientAssertionCredential, ClientCertificateCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePayload } from "../auth/jwt";
import type { Sandbox } from "../server";
import { certificateAssertion, makeCertificate, nowSeconds, startIssuer, type Issuer } from "./assertions";
import { app, control, mutate, newTenant, requests, start, type Manifest } from "./helpers";

let sb: Sandbox;
let issuer: Issuer;
beforeAll(async () => {
  sb = await start();
  issuer = await startIssuer();
});
afterAll(async () => {
  await issuer.close();
  await sb.close();
});

const GRAPH = "https://graph.microsoft.com/.default";
const opts = () => ({ authorityHost: sb.url, disableInstanceDiscovery: true });

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected getToken to fail");
}

async function tenantWithCertificate(validDays = 30, now = Date.now()) {
  const m = await newTenant(sb);
  const { clientId } = app(m);
  const cert = await makeCertificate("Roster test", validDays, now);
  const [added] = await mutate(sb, m.tenantId, { op: "addCertificate", clientId, certificate: cert.certificatePem });
  return { m, clientId, cert, added };
}

const tokenUrl = (m: Manifest) => `${sb.url}/${m.tenantId}/oauth2/v2.0/token`;

describe("certificate credentials", () => {
  it("ClientCertificateCredential signs in with a registered certificate (PS256, x5t#S256); the token says appidacr 2", async () => {
    const { m, clientId, cert, added } = await tenantWithCertificate();
    expect(added.thumbprint).toBe(cert.thumbprint);
    const cred = new ClientCertificateCredential(m.tenantId, clientId, { certificate: cert.certificatePem + cert.privateKeyPem }, opts());
    const token = await cred.getToken(GRAPH);
    expect(decodePayload(token.token)).toMatchObject({ appid: clientId, appidacr: "2", tid: m.tenantId });
    const manifest = (await control<Manifest>(sb, `/tenants/${m.tenantId}`)).body;
    expect(app(manifest).app.certificates).toEqual([expect.objectContaining({ thumbprint: cert.thumbprint, keyId: added.keyId })]);
  });

  it("an RS256 assertion naming the certificate by x5t (SHA-1) is accepted", async () => {
    const { m, clientId, cert } = await tenantWithCertificate();
    const der = Buffer.from(new X509Certificate(cert.certificatePem).raw);
    const key = createPrivateKey(cert.privateKeyPem);
    const cred = new ClientAssertionCredential(m.tenantId, clientId, async () => certificateAssertion(key, der, clientId, tokenUrl(m)), opts());
    expect((await cred.getToken(GRAPH)).token).toBeTruthy();
  });

  it("a certificate not registered on the app → AADSTS700027 (key not found), naming its thumbprint", async () => {
    const m = await newTenant(sb);
    const { clientId } = app(m);
    const cert = await makeCertificate("never uploaded", 30);
    const message = await refusal(new ClientCertificateCredential(m.tenantId, clientId, { certificate: cert.certificatePem + cert.privateKeyPem }, opts()).getToken(GRAPH));
    expect(message).toContain("invalid_client: Error(s): 700027 - ");
    expect(message).toContain("[Reason - The key was not found.");
    const log = (await requests(sb, m.tenantId)).filter((r) => r.kind === "token");
    expect(log.at(-1)).toMatchObject({ error: "AADSTS700027", appId: clientId });
  });

  it("a removed certificate stops working at once; another registered one keeps working (rotation overlap)", async () => {
    const { m, clientId, cert } = await tenantWithCertificate();
    const next = await makeCertificate("Roster test next", 60);
    await mutate(sb, m.tenantId, { op: "addCertificate", clientId, certificate: next.certificatePem });
    const old = () => new ClientCertificateCredential(m.tenantId, clientId, { certificate: cert.certificatePem + cert.privateKeyPem }, opts()).getToken(GRAPH);
    const fresh = () => new ClientCertificateCredential(m.tenantId, clientId, { certificate: next.certificatePem + next.privateKeyPem }, opts()).getToken(GRAPH);
    expect((await old()).token).toBeTruthy();
    expect((await fresh()).token).toBeTruthy();
    await mutate(sb, m.tenantId, { op: "removeCertificate", clientId, thumbprint: cert.thumbprint });
    expect(await refusal(old())).toContain("AADSTS700027");
    expect((await fresh()).token).toBeTruthy();
  });

  it("an expired certificate → AADSTS700027 (key expired)", async () => {
    const { m, clientId, cert } = await tenantWithCertificate(1, Date.now() - 3 * 86_400_000);
    const message = await refusal(new ClientCertificateCredential(m.tenantId, clientId, { certificate: cert.certificatePem + cert.privateKeyPem }, opts()).getToken(GRAPH));
    expect(message).toContain("[Reason - The key used is expired.");
  });

  it("a registered thumbprint with a signature by another key → AADSTS700027 (invalid signature)", async () => {
    const { m, clientId, cert } = await tenantWithCertificate();
    const other = await makeCertificate("impostor", 30);
    const der = Buffer.from(new X509Certificate(cert.certificatePem).raw);
    const forged = new ClientAssertionCredential(m.tenantId, clientId, async () => certificateAssertion(createPrivateKey(other.privateKeyPem), der, clientId, tokenUrl(m)), opts());
    expect(await refusal(forged.getToken(GRAPH))).toContain("[Reason - The signature is invalid.");
  });

  it.each([
    ["expired ten minutes ago", 700024, { nbf: nowSeconds() - 1800, exp: nowSeconds() - 600 }, "Client assertion is not within its valid time range."],
    ["not valid for an hour", 700024, { nbf: nowSeconds() + 3600, exp: nowSeconds() + 4200 }, "Client assertion is not within its valid time range."],
    ["for another audience", 700023, { aud: "https://login.microsoftonline.com/other/oauth2/v2.0/token" }, "Client assertion audience claim does not match Realm issuer."],
    ["with sub ≠ iss", 700021, { sub: "someone-else" }, "Client assertion application identifier doesn't match 'client_id' parameter."],
  ])("an assertion %s → AADSTS%s", async (_name, code, claims, text) => {
    const { m, clientId, cert } = await tenantWithCertificate();
    const der = Buffer.from(new X509Certificate(cert.certificatePem).raw);
    const key = createPrivateKey(cert.privateKeyPem);
    const cred = new ClientAssertionCredential(m.tenantId, clientId, async () => certificateAssertion(key, der, clientId, tokenUrl(m), claims), opts());
    const message = await refusal(cred.getToken(GRAPH));
    expect(message).toContain(`AADSTS${code}: ${text}`);
  });
});

describe("federated identity credentials", () => {
  async function tenantWithFederation(subject = "roster:connection:test", extra: Record<string, unknown> = {}) {
    const m = await newTenant(sb);
    const { clientId } = app(m);
    await mutate(sb, m.tenantId, { op: "addFederatedCredential", clientId, name: "roster", issuer: issuer.url, subject, ...extra });
    return { m, clientId, subject };
  }
  const federated = (m: Manifest, clientId: string, claims: Record<string, unknown>, kid?: string) =>
    new ClientAssertionCredential(m.tenantId, clientId, async () => issuer.token(claims, kid), opts());

  it("a token from the registered issuer, subject and audience signs in; the sandbox fetched discovery and JWKS over HTTPS", async () => {
    const { m, clientId, subject } = await tenantWithFederation();
    const before = issuer.hits.length;
    const token = await federated(m, clientId, { sub: subject }).getToken(GRAPH);
    expect(decodePayload(token.token)).toMatchObject({ appid: clientId, appidacr: "2" });
    expect(issuer.hits.slice(before)).toEqual(["/.well-known/openid-configuration", "/jwks"]);
    const manifest = (await control<Manifest>(sb, `/tenants/${m.tenantId}`)).body;
    expect(app(manifest).app.federatedCredentials).toEqual([expect.objectContaining({ name: "roster", issuer: issuer.url, subject, audiences: ["api://AzureADTokenExchange"] })]);
  });

  it("during a key overlap the JWKS has both keys and tokens signed by either are accepted; a removed key → AADSTS7000272", async () => {
    const { m, clientId, subject } = await tenantWithFederation();
    issuer.addKey("key-2");
    try {
      expect((await federated(m, clientId, { sub: subject }, "key-1").getToken(GRAPH)).token).toBeTruthy();
      expect((await federated(m, clientId, { sub: subject }, "key-2").getToken(GRAPH)).token).toBeTruthy();
      const jwt = issuer.token({ sub: subject }, "key-2");
      issuer.removeKey("key-2");
      const message = await refusal(new ClientAssertionCredential(m.tenantId, clientId, async () => jwt, opts()).getToken(GRAPH));
      expect(message).toContain("AADSTS7000272: The certificate with identifier key-2 used to sign the federated credential could not be found");
    } finally {
      issuer.removeKey("key-2");
    }
  });

  it.each([
    ["another subject", 700213, { sub: "roster:connection:other" }, "No matching federated identity record found for presented assertion subject 'roster:connection:other'"],
    ["another audience", 700212, { aud: "api://SomethingElse" }, "No matching federated identity record found for presented assertion audience 'api://SomethingElse'"],
    ["another issuer", 700211, { iss: "https://issuer.example" }, "No matching federated identity record found for presented assertion issuer 'https://issuer.example'"],
    ["an expired lifetime", 700024, { nbf: nowSeconds() - 3600, exp: nowSeconds() - 900 }, "Client assertion is not within its valid time range."],
  ])("a token with %s → AADSTS%s", async (_name, code, claims, text) => {
    const { m, clientId, subject } = await tenantWithFederation();
    const message = await refusal(federated(m, clientId, { sub: subject, ...claims }).getToken(GRAPH));
    expect(message).toContain(`invalid_`);
    expect(message).toContain(`AADSTS${code}: ${text}`);
    const log = (await requests(sb, m.tenantId)).filter((r) => r.kind === "token");
    expect(log.at(-1)).toMatchObject({ error: `AADSTS${code}` });
  });

  it("an app with no federated credential → AADSTS70021 naming the assertion's issuer, subject and audience", async () => {
    const m = await newTenant(sb);
    const { clientId } = app(m);
    const message = await refusal(federated(m, clientId, { sub: "roster:connection:x" }).getToken(GRAPH));
    expect(message).toContain(`AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer.url}'. Assertion Subject: 'roster:connection:x'. Assertion Audience: 'api://AzureADTokenExchange'.`);
  });

  it("an issuer the sandbox cannot reach, or one over plain HTTP → AADSTS50166", async () => {
    const gone = await startIssuer();
    await gone.close();
    for (const iss of [gone.url, issuer.url.replace("https:", "http:")]) {
      const m = await newTenant(sb);
      const { clientId } = app(m);
      await mutate(sb, m.tenantId, { op: "addFederatedCredential", clientId, name: "roster", issuer: iss, subject: "s" });
      const message = await refusal(federated(m, clientId, { iss, sub: "s" }).getToken(GRAPH));
      expect(message).toContain("AADSTS50166: Request to External OIDC endpoint failed.");
    }
  });

  it("a signature by a key the JWKS does not hold under that kid → AADSTS700027", async () => {
    const { m, clientId, subject } = await tenantWithFederation();
    const [h, p] = issuer.token({ sub: subject }).split(".");
    const tampered = `${h}.${p}.${Buffer.from("not a signature").toString("base64url")}`;
    const message = await refusal(new ClientAssertionCredential(m.tenantId, clientId, async () => tampered, opts()).getToken(GRAPH));
    expect(message).toContain("AADSTS700027: Client assertion contains an invalid signature.");
  });

  it("control ops: duplicate names and issuer+subject pairs are refused; removing a credential stops its sign-ins", async () => {
    const { m, clientId, subject } = await tenantWithFederation();
    const dup = await control(sb, `/tenants/${m.tenantId}/mutations`, "POST", { op: "addFederatedCredential", clientId, name: "ROSTER", issuer: issuer.url, subject: "x" });
    expect(dup.status).toBe(400);
    const pair = await control(sb, `/tenants/${m.tenantId}/mutations`, "POST", { op: "addFederatedCredential", clientId, name: "two", issuer: issuer.url, subject });
    expect(pair.status).toBe(400);
    await mutate(sb, m.tenantId, { op: "removeFederatedCredential", clientId, name: "roster" });
    expect(await refusal(federated(m, clientId, { sub: subject }).getToken(GRAPH))).toContain("AADSTS70021");
    const bad = await control(sb, `/tenants/${m.tenantId}/mutations`, "POST", { op: "addCertificate", clientId, certificate: "not a certificate" });
    expect(bad.status).toBe(400);
  });
});
