/**
 * Switching a stored connection from its client secret to federation or a certificate, and rotating the
 * certificate, through the real @azure/identity against the sandbox, with syncs before, between and after: the
 * new credential is verified first, a failed verification changes nothing (syncs go on with the old one), and
 * once switched the old secret can be deleted in Azure without a failed sync.
 */
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import * as s from "@/db/schema";
import { prepareCertificate, switchCredential } from "@/lib/connections/switch-credential";
import { toConnectionView } from "@/lib/connections/view";
import { forgetSharedCredentials } from "@/lib/directory/entra/client";
import { federationSubject } from "@/lib/identity-keys/issuer";
import { requestSync, runQueuedWork } from "@/lib/sync/verbs";
import type { Sandbox } from "@/sandbox/server";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { arrangeTenant, mutate, startTenantServer, type Arranged } from "../reliability/sandbox-harness";
import { startIssuerFront, type IssuerFront } from "./issuer-front";

const operator = { kind: "operator" as const, label: "test" };

describe.each(dbKinds)("switching credentials on %s", (kind) => {
  let sb: Sandbox;
  let h: TestDb;
  let front: IssuerFront;
  beforeAll(async () => {
    sb = await startTenantServer();
    front = await startIssuerFront(() => h.db);
  });
  afterAll(async () => {
    await front.close();
    await sb.close();
  });
  beforeEach(async () => {
    h = await createTestDb(kind);
    vi.stubEnv("OIDC_ISSUER_URL", front.url);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await h.close();
  });

  const row = async (id: string) => (await h.db.select().from(s.directoryConnections).where(eq(s.directoryConnections.id, id)))[0];
  const groups = (t: Arranged) => t.manifest.groups.filter((g) => g.displayName && !/hidden/i.test(g.displayName)).slice(0, 4).map((g) => g.id);
  /** Selects one more group and runs the queued work: the sync this connection does next. */
  async function syncOneMore(t: Arranged, ids: string[], n: number) {
    forgetSharedCredentials(); // as a new process would: the next sync signs in afresh with the stored credential
    await t.select(ids.slice(0, n));
    return runQueuedWork(h.db, { budgetMs: 60_000 });
  }
  async function removeTheSecret(t: Arranged) {
    const r = await row(t.connectionId);
    await mutate(sb, t.manifest.tenantId, { op: "removeSecret", clientId: t.clientId, secretId: r.secretId });
  }

  test("secret → federated: refused until the federated credential exists, then switched; the secret deleted in Azure breaks nothing", async () => {
    const t = await arrangeTenant(h.db, sb, { scenario: "northwind" });
    const ids = groups(t);
    expect(await syncOneMore(t, ids, 1)).toMatchObject({ completed: 1, failed: 0 });

    const refused = await switchCredential(h.db, operator, { connectionId: t.connectionId, to: "federated" });
    expect(refused.switched).toBe(false);
    expect(refused.verification.fields.federatedCredential).toContain(federationSubject(t.connectionId));
    expect((await row(t.connectionId)).credentialKind).toBe("secret");
    expect(await syncOneMore(t, ids, 2)).toMatchObject({ completed: 1, failed: 0 });

    await mutate(sb, t.manifest.tenantId, { op: "addFederatedCredential", clientId: t.clientId, name: "roster", issuer: front.url, subject: federationSubject(t.connectionId) });
    const switched = await switchCredential(h.db, operator, { connectionId: t.connectionId, to: "federated" });
    expect(switched).toMatchObject({ switched: true, kind: "federated", previousKind: "secret", secretCanBeDeleted: true });
    const after = await row(t.connectionId);
    expect(after.credentialKind).toBe("federated");
    expect(after.secretRetiredAt).not.toBeNull();
    const view = toConnectionView(after, []);
    expect(view.credential).toMatchObject({ kind: "federated", federation: { issuer: front.url, subject: federationSubject(t.connectionId), audience: "api://AzureADTokenExchange", issuerReachable: true } });
    expect(view.secretExpiry?.banner).toBe(false);
    expect(view.credentialExpiry).toBeNull();

    await removeTheSecret(t);
    expect(await syncOneMore(t, ids, 3)).toMatchObject({ completed: 1, failed: 0 });
  });

  test("secret → certificate → next certificate: each verified before use, both valid in the overlap, nothing private returned", async () => {
    const t = await arrangeTenant(h.db, sb, { scenario: "northwind" });
    const ids = groups(t);
    expect(await syncOneMore(t, ids, 1)).toMatchObject({ completed: 1, failed: 0 });

    const first = await prepareCertificate(h.db, operator, { connectionId: t.connectionId });
    expect(first.certificatePem).toContain("BEGIN CERTIFICATE");
    expect(JSON.stringify(first)).not.toMatch(/PRIVATE KEY/);
    const notYet = await switchCredential(h.db, operator, { connectionId: t.connectionId, to: "certificate" });
    expect(notYet.switched).toBe(false);
    expect(notYet.verification.fields.certificate).toContain(first.thumbprint);
    expect(await syncOneMore(t, ids, 2)).toMatchObject({ completed: 1, failed: 0 }); // still on the secret

    await mutate(sb, t.manifest.tenantId, { op: "addCertificate", clientId: t.clientId, certificate: first.certificatePem });
    expect(await switchCredential(h.db, operator, { connectionId: t.connectionId, to: "certificate" })).toMatchObject({ switched: true, kind: "certificate", secretCanBeDeleted: true, retiredThumbprint: null });
    await removeTheSecret(t);
    expect(await syncOneMore(t, ids, 3)).toMatchObject({ completed: 1, failed: 0 });

    const next = await prepareCertificate(h.db, operator, { connectionId: t.connectionId, validDays: 730 });
    expect(toConnectionView(await row(t.connectionId), []).credential).toMatchObject({ certificate: { thumbprint: first.thumbprint }, nextCertificate: { thumbprint: next.thumbprint } });
    await mutate(sb, t.manifest.tenantId, { op: "addCertificate", clientId: t.clientId, certificate: next.certificatePem });
    const rotated = await switchCredential(h.db, operator, { connectionId: t.connectionId, to: "certificate" });
    expect(rotated).toMatchObject({ switched: true, retiredThumbprint: first.thumbprint });
    await mutate(sb, t.manifest.tenantId, { op: "removeCertificate", clientId: t.clientId, thumbprint: first.thumbprint });
    expect(await syncOneMore(t, ids, 4)).toMatchObject({ completed: 1, failed: 0 });

    // The certificate in use removed in Azure: the sync fails on the connection, and its diagnosis is about
    // the certificate (its thumbprint), never "create a new client secret".
    await mutate(sb, t.manifest.tenantId, { op: "removeCertificate", clientId: t.clientId, thumbprint: next.thumbprint });
    forgetSharedCredentials();
    const [source] = await h.db.select().from(s.audienceSources).where(eq(s.audienceSources.connectionId, t.connectionId)).limit(1);
    await requestSync(h.db, t.actor, { sourceId: source.id });
    expect(await runQueuedWork(h.db, { budgetMs: 60_000 })).toMatchObject({ completed: 0, failed: 1 });
    const health = await row(t.connectionId);
    const said = JSON.stringify(health.lastError ?? null);
    expect(health.lastError).toMatchObject({ code: "certificate_not_registered" });
    expect(said).toContain(next.thumbprint);
    expect(said).not.toMatch(/client secret/i);
    await mutate(sb, t.manifest.tenantId, { op: "addCertificate", clientId: t.clientId, certificate: next.certificatePem });

    const stored = await row(t.connectionId);
    expect(stored.certificateThumbprint).toBe(next.thumbprint);
    expect(stored.nextCertificatePem).toBeNull();
    expect(stored.certificateKeySealed).toMatch(/^v1\./);
    const audit = await h.db.select().from(s.auditEvents).where(eq(s.auditEvents.targetId, t.connectionId));
    expect(JSON.stringify(audit)).not.toMatch(/PRIVATE KEY|v1\.[A-Za-z0-9_-]+\./);
  });
});
