/**
 * The certificate and federated credentials through the real @azure/identity and Graph client against the
 * sandbox: sign in and read the directory, rotate (certificates overlap; signing keys overlap in the JWKS), and
 * each refusal Entra gives, with the diagnosis that names its fix. Signing keys live in the test's database.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { openGraph } from "@/lib/directory/entra/client";
import type { GraphConnectionConfig } from "@/lib/directory/entra/types";
import { verifyDirectoryAccess } from "@/lib/directory/entra/verify";
import { generateCertificate } from "@/lib/identity-keys/certificate";
import { federatedCredentialConfig } from "@/lib/identity-keys/federated-credential";
import { federationSubject } from "@/lib/identity-keys/issuer";
import { ensureSigningKey, publishedJwks, rotateSigningKey, signingKeyStatus } from "@/lib/identity-keys/signing-keys";
import type { CommandContext } from "@/cli/command";
import { keysCommands } from "@/cli/commands/keys";
import { summarizeVerification } from "@/lib/connections/verification";
import { dbKinds } from "@/test/support/db";
import { mainApp, startSandboxForFile } from "./graph-sandbox";
import { issuerFrontPerTest } from "./issuer-front";

const sandbox = startSandboxForFile();

describe.each(dbKinds)("certificate and federated credentials on %s", (kind) => {
  const env = issuerFrontPerTest(kind, { stubIssuerUrl: false });

  async function tenant() {
    const t = await sandbox.createTenant();
    return { t, clientId: mainApp(t).clientId };
  }
  const base = (tenantId: string, clientId: string): GraphConnectionConfig => ({ tenantId, clientId, clientSecret: "", cloud: "global" });
  const verify = (config: GraphConnectionConfig) => verifyDirectoryAccess(config, { groupObjectIds: [], syncContacts: false });
  const tokenCheck = (r: Awaited<ReturnType<typeof verify>>) => r.checklist.find((c) => c.id === "token")!;

  test("federated: Roster's assertion signs in and reads groups; a signing-key rotation keeps it working, both keys in the JWKS", async () => {
    const { t, clientId } = await tenant();
    const connectionId = randomUUID();
    await sandbox.mutate(t.tenantId, [{ op: "addFederatedCredential", clientId, name: "roster", issuer: env.front.url, subject: federationSubject(connectionId) }]);
    const config = { ...base(t.tenantId, clientId), credential: federatedCredentialConfig(env.h.db, connectionId, env.front.url) };
    const graph = openGraph(config);
    const page = await graph.get<{ value: unknown[] }>("/groups?$top=5");
    expect(page.value.length).toBeGreaterThan(0);
    expect(await graph.tokenRoles()).toContain("GroupMember.Read.All");
    const [first] = env.front.lastJwksKids;

    const rotated = await rotateSigningKey(env.h.db, { leadMs: 0 });
    const after = openGraph(config); // a new session signs in afresh with the new key
    expect((await after.get<{ value: unknown[] }>("/groups?$top=1")).value).toHaveLength(1);
    expect(env.front.lastJwksKids).toEqual([first, rotated.kid]);
    const states = await signingKeyStatus(env.h.db);
    expect(states.map((s) => [s.kid, s.state])).toEqual([
      [first, "verifying only"],
      [rotated.kid, "signing"],
    ]);
    expect((await verify(config)).ok).toBe(true);
  });

  test.each([
    ["no federated credential", "federation_not_configured", "federatedCredential", null],
    ["another subject", "federation_subject_mismatch", "federatedCredential", { subject: "roster:directory-connection:someone-else" }],
    ["another issuer", "federation_issuer_mismatch", "federatedCredential", { issuer: "https://old-roster.example.com" }],
    ["another audience", "federation_audience_mismatch", "federatedCredential", { audiences: ["api://Other"] }],
  ])("federated with %s → %s, placed on the %s field, naming the values to enter", async (_name, code, field, fic) => {
    const { t, clientId } = await tenant();
    const connectionId = randomUUID();
    if (fic) {
      await sandbox.mutate(t.tenantId, [{ op: "addFederatedCredential", clientId, name: "roster", issuer: env.front.url, subject: federationSubject(connectionId), ...fic }]);
    }
    const result = await verify({ ...base(t.tenantId, clientId), credential: federatedCredentialConfig(env.h.db, connectionId, env.front.url) });
    expect(result.ok).toBe(false);
    const check = tokenCheck(result);
    expect(check.code).toBe(code);
    expect(summarizeVerification(result).fields[field]).toContain(check.fix);
    if (code === "federation_not_configured") expect(check.fix).toContain(`Issuer ${env.front.url}, Subject identifier ${federationSubject(connectionId)}, Audience api://AzureADTokenExchange`);
    if (code === "federation_subject_mismatch") expect(check.fix).toContain(federationSubject(connectionId));
  });

  test("federated with Roster unreachable from Entra → federation_issuer_unreachable", async () => {
    const { t, clientId } = await tenant();
    const connectionId = randomUUID();
    await sandbox.mutate(t.tenantId, [{ op: "addFederatedCredential", clientId, name: "roster", issuer: env.front.url, subject: federationSubject(connectionId) }]);
    env.front.down = true;
    const check = tokenCheck(await verify({ ...base(t.tenantId, clientId), credential: federatedCredentialConfig(env.h.db, connectionId, env.front.url) }));
    expect(check.code).toBe("federation_issuer_unreachable");
    expect(check.fix).toContain(`${env.front.url}/.well-known/openid-configuration`);
  });

  test("federated with an assertion outside its valid time (server clock off) → assertion_time_invalid", async () => {
    const { t, clientId } = await tenant();
    const connectionId = randomUUID();
    await sandbox.mutate(t.tenantId, [{ op: "addFederatedCredential", clientId, name: "roster", issuer: env.front.url, subject: federationSubject(connectionId) }]);
    const fed = federatedCredentialConfig(env.h.db, connectionId, env.front.url);
    // An assertion made an hour ago, as a server whose clock runs an hour late would make it.
    const { signClientAssertion } = await import("@/lib/identity-keys/assertion");
    const { currentSigningKey } = await import("@/lib/identity-keys/signing-keys");
    const key = await currentSigningKey(env.h.db);
    const stale = { ...fed, getAssertion: async () => signClientAssertion({ issuer: env.front.url, subject: federationSubject(connectionId), kid: key.kid, privateKey: key.privateKey, now: Date.now() - 3_600_000 }) };
    expect(tokenCheck(await verify({ ...base(t.tenantId, clientId), credential: stale })).code).toBe("assertion_time_invalid");
  });

  test("certificate: Roster's certificate signs in once uploaded; rotation overlaps; an unregistered one is diagnosed with its thumbprint", async () => {
    const { t, clientId } = await tenant();
    const cert = await generateCertificate("Roster test connection", 365);
    const credential = { kind: "certificate" as const, certificatePem: cert.certificatePem, privateKeyPem: cert.privateKeyPem, thumbprint: cert.thumbprint };
    const config = { ...base(t.tenantId, clientId), credential };

    const before = tokenCheck(await verify(config));
    expect(before.code).toBe("certificate_not_registered");
    expect(before.fix).toContain(cert.thumbprint);
    expect(JSON.stringify(before)).not.toContain("PRIVATE KEY");

    await sandbox.mutate(t.tenantId, [{ op: "addCertificate", clientId, certificate: cert.certificatePem }]);
    expect((await verify(config)).ok).toBe(true);
    expect((await openGraph(config).get<{ value: unknown[] }>("/groups?$top=2")).value).toHaveLength(2);

    const next = await generateCertificate("Roster test connection", 730);
    await sandbox.mutate(t.tenantId, [{ op: "addCertificate", clientId, certificate: next.certificatePem }]);
    const nextConfig = { ...base(t.tenantId, clientId), credential: { ...credential, certificatePem: next.certificatePem, privateKeyPem: next.privateKeyPem, thumbprint: next.thumbprint } };
    expect((await verify(nextConfig)).ok).toBe(true);
    expect((await verify(config)).ok).toBe(true); // both valid in the overlap
    await sandbox.mutate(t.tenantId, [{ op: "removeCertificate", clientId, thumbprint: cert.thumbprint }]);
    expect(tokenCheck(await verify(config)).code).toBe("certificate_not_registered");
    expect((await verify(nextConfig)).ok).toBe(true);
  });

  test("CLI: rotate-signing-key adds a key ahead of time, signing-keys lists both, and no private key is printed", async () => {
    const lines: string[] = [];
    const ctx: CommandContext = { db: async () => env.h.db, out: (l = "") => void lines.push(l), progress: () => {}, promptHidden: async () => "", isInteractive: false };
    await ensureSigningKey(env.h.db);
    await keysCommands.subcommands["rotate-signing-key"].run(ctx, { options: { "lead-minutes": "30" }, args: [] });
    await keysCommands.subcommands["signing-keys"].run(ctx, { options: {}, args: [] });
    const listed = lines.filter((l) => /^[A-Za-z0-9_-]{22}\s/.test(l));
    expect(listed.map((l) => l.split(/\s+/)[1])).toEqual(["signing", "next"]);
    const jwks = await publishedJwks(env.h.db);
    expect(jwks.keys).toHaveLength(2);
    const printed = lines.join("\n");
    expect(printed).not.toMatch(/PRIVATE KEY|"d":|v1\./);
    await expect(keysCommands.subcommands["rotate-signing-key"].run(ctx, { options: { "lead-minutes": "-5" }, args: [] })).rejects.toThrow(/--lead-minutes/);
  });

  test("certificate: the expiry comes from the certificate itself", async () => {
    const now = Date.UTC(2026, 5, 1);
    const cert = await generateCertificate("Roster", 730, now);
    expect(cert.notAfter.toISOString()).toBe(new Date(now + 730 * 86_400_000).toISOString());
    expect(cert.thumbprint).toMatch(/^[0-9A-F]{40}$/);
  });
});
