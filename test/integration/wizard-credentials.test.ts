/**
 * The wizard's three credentials through the real @azure/identity against the sandbox: a federated credential or a
 * certificate is prepared before the connection exists (its id, so the subject can be entered in Azure first),
 * verified, and the connection is saved only once it signs in; the prepared id is the admin's own and is used
 * once. The secret columns are null for such a connection, and the database refuses a kind without its material.
 */
import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import * as s from "@/db/schema";
import { createConnection, verifyConnectionDraft } from "@/lib/connections/create";
import { connectionCredential } from "@/lib/connections/credential-config";
import { prepareWizardCredential } from "@/lib/connections/pending-credential";
import { openGraph } from "@/lib/directory/entra/client";
import { federationSubject } from "@/lib/identity-keys/issuer";
import { RosterError } from "@/lib/errors";
import { getConnection, secretExpiryAlerts } from "@/lib/connections/queries";
import { describeCredentialExpiry } from "@/lib/connections/secret-expiry";
import { dbKinds } from "@/test/support/db";
import { makeActor, makeOrg, wizardForm } from "./connection-fixtures";
import { mainApp, startSandboxForFile } from "./graph-sandbox";
import { issuerFrontPerTest } from "./issuer-front";

const sandbox = startSandboxForFile();

describe.each(dbKinds)("the wizard's credential choice on %s", (kind) => {
  const env = issuerFrontPerTest(kind);

  async function setup() {
    const org = await makeOrg(env.h.db);
    const admin = await makeActor(env.h.db, [{ orgId: org.id, role: "admin" }]);
    const t = await sandbox.createTenant();
    return { org, admin, t, clientId: mainApp(t).clientId };
  }
  const noSecret = { secretId: undefined, secretValue: undefined, secretExpiresOn: undefined };
  const row = async (id: string) => (await env.h.db.select().from(s.directoryConnections).where(eq(s.directoryConnections.id, id)))[0];

  test("federated: the subject is shown before saving; not saved until Azure trusts it; then saved with no secret and reads Graph", async () => {
    const { org, admin, t, clientId } = await setup();
    const prepared = await prepareWizardCredential(env.h.db, admin, {});
    expect(prepared.federation).toEqual({ issuer: env.front.url, subject: federationSubject(prepared.pendingId), audience: "api://AzureADTokenExchange", issuerReachable: true });
    expect(prepared.certificate).toBeNull();
    const form = wizardForm(t, [org.id], { ...noSecret, credentialKind: "federated", pendingId: prepared.pendingId });

    const refused = await createConnection(env.h.db, admin, form);
    expect(refused.saved).toBe(false);
    expect(refused.verification.checklist.find((c) => c.id === "token")).toMatchObject({ ok: false, code: "federation_not_configured" });
    expect(await env.h.db.select().from(s.directoryConnections)).toEqual([]);

    await sandbox.mutate(t.tenantId, [{ op: "addFederatedCredential", clientId, name: "roster", issuer: env.front.url, subject: prepared.federation.subject }]);
    expect((await verifyConnectionDraft(env.h.db, admin, form)).ok).toBe(true);
    const saved = await createConnection(env.h.db, admin, form);
    if (!saved.saved) throw new Error(`expected a saved connection: ${JSON.stringify(saved.verification.checklist)}`);
    expect(saved.connectionId).toBe(prepared.pendingId);
    expect(saved.status).toBe("active");
    const r = await row(saved.connectionId);
    expect(r).toMatchObject({ credentialKind: "federated", secretId: null, secretSealed: null, secretExpiresOn: null, certificatePem: null });
    const graph = openGraph({ tenantId: r.tenantId, clientId: r.clientId, cloud: r.cloud, ...connectionCredential(env.h.db, r) });
    expect((await graph.get<{ value: unknown[] }>("/groups?$top=1")).value).toHaveLength(1);
    expect(await env.h.db.select().from(s.pendingCredentials)).toEqual([]);

    // Used once: the same prepared id cannot make a second connection.
    await expect(createConnection(env.h.db, admin, { ...form, name: "Again" })).rejects.toMatchObject({ code: "invalid_input", fields: { credentialKind: expect.stringMatching(/expired .* or were already used/) } });
  });

  test("certificate: made once per prepared id, downloadable (public part only), verified once uploaded in Azure, stored in the current slot", async () => {
    const { org, admin, t, clientId } = await setup();
    const first = await prepareWizardCredential(env.h.db, admin, {});
    const form = wizardForm(t, [org.id], { ...noSecret, credentialKind: "certificate", pendingId: first.pendingId });
    await expect(verifyConnectionDraft(env.h.db, admin, form)).rejects.toMatchObject({ fields: { certificate: "Create the certificate first, upload it in Azure, then verify." } });

    const prepared = await prepareWizardCredential(env.h.db, admin, { pendingId: first.pendingId, certificate: true, validDays: 730 });
    expect(prepared.pendingId).toBe(first.pendingId);
    const cert = prepared.certificate!;
    expect(cert.pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(JSON.stringify(prepared)).not.toMatch(/PRIVATE KEY/);
    const days = Math.round((Date.parse(cert.expiresAt) - Date.now()) / 86_400_000);
    expect(days).toBeGreaterThanOrEqual(729);
    expect(days).toBeLessThanOrEqual(730);
    // Asking again (the page reloaded its step) returns the same certificate, not a new one.
    expect((await prepareWizardCredential(env.h.db, admin, { pendingId: first.pendingId, certificate: true })).certificate?.thumbprint).toBe(cert.thumbprint);

    const notUploaded = await createConnection(env.h.db, admin, form);
    expect(notUploaded.saved).toBe(false);
    expect(notUploaded.verification.checklist.find((c) => c.id === "token")).toMatchObject({ ok: false, code: "certificate_not_registered" });

    await sandbox.mutate(t.tenantId, [{ op: "addCertificate", clientId, certificate: cert.pem }]);
    const saved = await createConnection(env.h.db, admin, form);
    if (!saved.saved) throw new Error(`expected a saved connection: ${JSON.stringify(saved.verification.checklist)}`);
    const r = await row(saved.connectionId);
    expect(r).toMatchObject({ credentialKind: "certificate", certificateThumbprint: cert.thumbprint, certificatePem: cert.pem, secretSealed: null });
    expect(r.certificateExpiresAt?.toISOString()).toBe(cert.expiresAt);
    expect(r.certificateKeySealed).not.toMatch(/PRIVATE KEY/);
    const graph = openGraph({ tenantId: r.tenantId, clientId: r.clientId, cloud: r.cloud, ...connectionCredential(env.h.db, r) });
    expect((await graph.get<{ value: unknown[] }>("/groups?$top=1")).value).toHaveLength(1);

    // Its expiry is the certificate's own: no banner two years out; one within 14 days, naming the certificate.
    expect(await secretExpiryAlerts(env.h.db, admin)).toEqual([]);
    expect((await getConnection(env.h.db, admin, r.id)).credentialExpiry).toMatchObject({ kind: "certificate", expiresOn: cert.expiresAt.slice(0, 10), thumbprint: cert.thumbprint });
    await env.h.db.update(s.directoryConnections).set({ certificateExpiresAt: new Date(Date.now() + 10 * 86_400_000) }).where(eq(s.directoryConnections.id, r.id));
    const [alert] = await secretExpiryAlerts(env.h.db, admin);
    expect(alert).toMatchObject({ id: r.id, expiry: { kind: "certificate", status: { level: "urgent", banner: true } } });
    expect(describeCredentialExpiry(alert.expiry)).toMatch(/^The certificate expires on \d{4}-\d{2}-\d{2} \(in (9|10) days\)\.$/);
  });

  test("a prepared id is its admin's own: another admin, an id Roster never handed out, or an expired one is refused on the credential field", async () => {
    const { org, admin, t } = await setup();
    const other = await makeActor(env.h.db, [{ orgId: org.id, role: "admin" }]);
    const prepared = await prepareWizardCredential(env.h.db, admin, {});
    const form = (pendingId: string) => wizardForm(t, [org.id], { ...noSecret, credentialKind: "federated", pendingId });
    const refusal = { code: "invalid_input", fields: { credentialKind: expect.stringMatching(/Choose the credential again/) } };
    await expect(verifyConnectionDraft(env.h.db, other, form(prepared.pendingId))).rejects.toMatchObject(refusal);
    await expect(createConnection(env.h.db, other, form(prepared.pendingId))).rejects.toMatchObject(refusal);
    await expect(prepareWizardCredential(env.h.db, other, { pendingId: prepared.pendingId })).rejects.toMatchObject(refusal);
    await expect(createConnection(env.h.db, admin, form("00000000-0000-4000-8000-000000000000"))).rejects.toMatchObject(refusal);
    await expect(createConnection(env.h.db, admin, form("not-an-id"))).rejects.toMatchObject(refusal);
    await env.h.db.update(s.pendingCredentials).set({ createdAt: new Date(Date.now() - 8 * 86_400_000) }).where(eq(s.pendingCredentials.id, prepared.pendingId));
    await expect(verifyConnectionDraft(env.h.db, admin, form(prepared.pendingId))).rejects.toMatchObject(refusal);
    // An unknown kind is named on the same field.
    await expect(createConnection(env.h.db, admin, wizardForm(t, [org.id], { credentialKind: "password" }))).rejects.toMatchObject({ fields: { credentialKind: expect.stringMatching(/federated credential, a certificate or a client secret/) } });
    // A client secret remains the default when no kind is named.
    expect((await createConnection(env.h.db, admin, wizardForm(t, [org.id]))).saved).toBe(true);
  });

  test("the database requires the chosen kind's material: a secret kind without its secret, or a certificate kind without its certificate, is refused", async () => {
    const { org, admin, t } = await setup();
    const saved = await createConnection(env.h.db, admin, wizardForm(t, [org.id]));
    if (!saved.saved) throw new Error("expected a saved connection");
    const refusedBy = async (patch: Partial<typeof s.directoryConnections.$inferInsert>) => {
      const error = await env.h.db
        .update(s.directoryConnections)
        .set(patch)
        .where(eq(s.directoryConnections.id, saved.connectionId))
        .then(() => null, (e: unknown) => e);
      return String((error as { cause?: unknown })?.cause ?? error);
    };
    expect(await refusedBy({ secretSealed: null })).toMatch(/directory_connections_credential_material/);
    expect(await refusedBy({ credentialKind: "certificate" })).toMatch(/directory_connections_credential_material/);
    // Federated needs nothing stored; the secret may then be cleared.
    expect(await refusedBy({ credentialKind: "federated", secretId: null, secretHint: null, secretSealed: null, secretKeyId: null, secretExpiresOn: null })).toBe("null");
    expect(await row(saved.connectionId)).toMatchObject({ credentialKind: "federated", secretSealed: null });
  });

  test("only admins prepare credentials", async () => {
    const { org } = await setup();
    const editor = await makeActor(env.h.db, [{ orgId: org.id, role: "editor" }]);
    await expect(prepareWizardCredential(env.h.db, editor, {})).rejects.toBeInstanceOf(RosterError);
    expect(await env.h.db.select().from(s.pendingCredentials)).toEqual([]);
  });
});
