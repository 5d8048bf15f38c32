import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { auditEvents, directoryConnections, pendingCredentials, rosterSigningKeys } from "@/db/schema";
import type { CommandContext } from "@/cli/command";
import { connectionsCommands } from "@/cli/commands/connections";
import { keysCommands } from "@/cli/commands/keys";
import { createConnection } from "@/lib/connections/create";
import { graphForConnection } from "@/lib/connections/graph-access";
import { parseSealingKey } from "@/lib/crypto/keys";
import { connectionSecretAad, sealedKeyId, unsealSecret } from "@/lib/crypto/seal";
import { prepareWizardCredential } from "@/lib/connections/pending-credential";
import { prepareCertificate } from "@/lib/connections/switch-credential";
import { forgetSharedCredentials } from "@/lib/directory/entra/client";
import { startIssuerFront } from "./issuer-front";
import { dbKinds, createTestDb, type TestDb } from "@/test/support/db";
import { makeActor, makeOrg, wizardForm } from "./connection-fixtures";
import { mainApp, startSandboxForFile } from "./graph-sandbox";

const sandbox = startSandboxForFile();
const newKey = () => randomBytes(32).toString("base64");

function cli(h: TestDb) {
  const lines: string[] = [];
  const ctx: CommandContext = { db: async () => h.db, out: (l = "") => void lines.push(l), progress: () => {}, promptHidden: async () => "", isInteractive: false };
  return { ctx, lines };
}

describe.each(dbKinds)("keys rotate and the connections CLI on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await h.close();
  });

  async function connectUnder(key: string) {
    vi.stubEnv("ENCRYPTION_KEY", key);
    vi.stubEnv("ENCRYPTION_KEY_PREVIOUS", "");
    const org = await makeOrg(h.db);
    const admin = await makeActor(h.db, [{ orgId: org.id, role: "admin" }]);
    const t = await sandbox.createTenant();
    const r = await createConnection(h.db, admin, wizardForm(t, [org.id]));
    if (!r.saved) throw new Error("not saved");
    return { t, id: r.connectionId };
  }

  test("re-seals every secret under the current key and leaves none under the previous one", async () => {
    const oldKey = newKey();
    const a = await connectUnder(oldKey);
    const b = await connectUnder(oldKey);
    const currentKey = newKey();
    vi.stubEnv("ENCRYPTION_KEY", currentKey);
    vi.stubEnv("ENCRYPTION_KEY_PREVIOUS", oldKey);
    const { ctx, lines } = cli(h);
    expect(await keysCommands.subcommands.rotate.run(ctx, { options: {}, args: [] })).toBe(0);
    expect(lines.join("\n")).toMatch(/Re-sealed 2; already under the current key 0/);
    const current = parseSealingKey(currentKey, "K");
    const rows = await h.db.select().from(directoryConnections);
    expect(rows.map((r) => r.secretKeyId)).toEqual([current.id, current.id]);
    for (const [conn, row] of [[a, rows.find((r) => r.id === a.id)!], [b, rows.find((r) => r.id === b.id)!]] as const) {
      expect(unsealSecret(row.secretSealed!, connectionSecretAad(row.id), { current })).toBe(mainApp(conn.t).secret);
    }
    // The previous key can go: the connection still works with only the current one.
    vi.stubEnv("ENCRYPTION_KEY_PREVIOUS", "");
    const { graph } = await graphForConnection(h.db, a.id);
    expect((await graph.grantedPermissions()).length).toBeGreaterThan(0);
    const audit = await h.db.select().from(auditEvents).where(eq(auditEvents.action, "connection.reseal"));
    expect(audit).toHaveLength(2);
    expect(audit[0].actorLabel).toBe("cli");
    // Running again changes nothing.
    const again = cli(h);
    await keysCommands.subcommands.rotate.run(again.ctx, { options: {}, args: [] });
    expect(again.lines.join("\n")).toMatch(/Re-sealed 0; already under the current key 2/);
  });

  test("certificate keys (current, next, prepared) and signing keys are re-sealed too: certificate and federated connections work with only the new key", async () => {
    const front = await startIssuerFront(() => h.db);
    try {
      const oldKey = newKey();
      vi.stubEnv("ENCRYPTION_KEY", oldKey);
      vi.stubEnv("ENCRYPTION_KEY_PREVIOUS", "");
      vi.stubEnv("OIDC_ISSUER_URL", front.url);
      const org = await makeOrg(h.db);
      const admin = await makeActor(h.db, [{ orgId: org.id, role: "admin" }]);
      const ids: string[] = [];
      for (const credentialKind of ["certificate", "federated"] as const) {
        const t = await sandbox.createTenant();
        const clientId = mainApp(t).clientId;
        const prepared = await prepareWizardCredential(h.db, admin, { certificate: credentialKind === "certificate" });
        await sandbox.mutate(t.tenantId, [
          credentialKind === "certificate"
            ? { op: "addCertificate", clientId, certificate: prepared.certificate!.pem }
            : { op: "addFederatedCredential", clientId, name: "roster", issuer: front.url, subject: prepared.federation.subject },
        ]);
        const r = await createConnection(h.db, admin, wizardForm(t, [org.id], { credentialKind, pendingId: prepared.pendingId, secretId: undefined, secretValue: undefined, secretExpiresOn: undefined }));
        if (!r.saved) throw new Error(`not saved: ${JSON.stringify(r.verification.checklist)}`);
        ids.push(r.connectionId);
      }
      await prepareCertificate(h.db, admin, { connectionId: ids[0] }); // the next certificate
      await prepareWizardCredential(h.db, admin, { certificate: true }); // one prepared, not yet saved

      const currentKey = newKey();
      vi.stubEnv("ENCRYPTION_KEY", currentKey);
      vi.stubEnv("ENCRYPTION_KEY_PREVIOUS", oldKey);
      const { ctx, lines } = cli(h);
      expect(await keysCommands.subcommands.rotate.run(ctx, { options: {}, args: [] })).toBe(0);
      expect(lines.join("\n")).toContain("Re-sealed 4 private keys (certificates and signing keys).");
      const current = parseSealingKey(currentKey, "K").id;
      const [conn] = await h.db.select().from(directoryConnections).where(eq(directoryConnections.id, ids[0]));
      expect([conn.certificateKeySealed, conn.nextCertificateKeySealed].map((v) => sealedKeyId(v!))).toEqual([current, current]);
      expect((await h.db.select().from(pendingCredentials)).map((p) => sealedKeyId(p.certificateKeySealed!))).toEqual([current]);
      expect((await h.db.select().from(rosterSigningKeys)).map((k) => k.sealingKeyId)).toEqual([current]);

      // The previous key goes: both connections still sign in (afresh, as a new process would).
      vi.stubEnv("ENCRYPTION_KEY_PREVIOUS", "");
      forgetSharedCredentials();
      for (const id of ids) {
        const { graph } = await graphForConnection(h.db, id);
        expect((await graph.grantedPermissions()).length).toBeGreaterThan(0);
      }
    } finally {
      await front.close();
    }
  });

  test("a secret no configured key opens is reported, not lost", async () => {
    const lost = await connectUnder(newKey());
    vi.stubEnv("ENCRYPTION_KEY", newKey());
    const { ctx, lines } = cli(h);
    expect(await keysCommands.subcommands.rotate.run(ctx, { options: {}, args: [] })).toBe(1);
    expect(lines.join("\n")).toContain(lost.id);
    const [row] = await h.db.select().from(directoryConnections);
    expect(row.secretSealed).toBeTruthy();
  });

  test("connections list and verify print health and each check, never the secret", async () => {
    const { t, id } = await connectUnder(newKey());
    await sandbox.mutate(t.tenantId, [{ op: "revokePermission", clientId: mainApp(t).clientId, permission: "User.Read.All" }]);
    const verify = cli(h);
    expect(await connectionsCommands.subcommands.verify.run(verify.ctx, { options: {}, args: [id] })).toBe(1);
    const out = verify.lines.join("\n");
    expect(out).toMatch(/FAIL {2}User\.Read\.All \(Application\)/);
    expect(out).toMatch(/Fix: .*Grant admin consent/);
    expect(out).toMatch(/Health: degraded/);
    const list = cli(h);
    await connectionsCommands.subcommands.list.run(list.ctx, { options: {}, args: [] });
    expect(list.lines.join("\n")).toMatch(new RegExp(`${id}.*\\n.*health degraded`));
    expect([...verify.lines, ...list.lines].join("\n")).not.toContain(mainApp(t).secret);
    await expect(connectionsCommands.subcommands.verify.run(verify.ctx, { options: {}, args: ["nope"] })).rejects.toThrow(/not a connection id/);
  });
});
