/**
 * Private keys never leave the server through the operator CLI: `connections list` shows each connection's
 * credential kind and expiry (a certificate's thumbprint, a federated subject, a Secret ID) and `keys signing-keys`
 * / `keys rotate-signing-key` show kids and states, never a private key in any of its forms (PEM, its base64
 * body, its JWK `d`) nor its sealed text. The keys looked for are the real ones, opened from the database.
 */
import { createPrivateKey } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import * as s from "@/db/schema";
import type { CommandContext } from "@/cli/command";
import { connectionsCommands } from "@/cli/commands/connections";
import { keysCommands } from "@/cli/commands/keys";
import { createConnection } from "@/lib/connections/create";
import { certificateKeyAad } from "@/lib/connections/credential-config";
import { prepareWizardCredential } from "@/lib/connections/pending-credential";
import { unsealSecret } from "@/lib/crypto/seal";
import { dbKinds } from "@/test/support/db";
import { makeActor, makeOrg, wizardForm } from "./connection-fixtures";
import { mainApp, startSandboxForFile } from "./graph-sandbox";
import { issuerFrontPerTest } from "./issuer-front";

const sandbox = startSandboxForFile();

/** Every form a private key PEM could be printed in: the PEM, any line of its base64 body, its JWK `d`. */
export function privateKeyForms(pem: string): string[] {
  const body = pem.split("\n").filter((l) => l && !l.startsWith("-----"));
  const d = createPrivateKey(pem).export({ format: "jwk" }).d!;
  return [pem, ...body, d];
}

describe.each(dbKinds)("no private key in the CLI's output on %s", (kind) => {
  const env = issuerFrontPerTest(kind);

  test("connections list shows each kind and its expiry; the signing-key commands show kids; no key in any form", async () => {
    const org = await makeOrg(env.h.db);
    const admin = await makeActor(env.h.db, [{ orgId: org.id, role: "admin" }]);
    const saved: string[] = [];
    for (const credentialKind of ["secret", "certificate", "federated"] as const) {
      const t = await sandbox.createTenant();
      const clientId = mainApp(t).clientId;
      let patch: Record<string, unknown> = {};
      if (credentialKind !== "secret") {
        const prepared = await prepareWizardCredential(env.h.db, admin, { certificate: credentialKind === "certificate" });
        patch = { credentialKind, pendingId: prepared.pendingId, secretId: undefined, secretValue: undefined, secretExpiresOn: undefined };
        await sandbox.mutate(t.tenantId, [
          credentialKind === "certificate"
            ? { op: "addCertificate", clientId, certificate: prepared.certificate!.pem }
            : { op: "addFederatedCredential", clientId, name: "roster", issuer: env.front.url, subject: prepared.federation.subject },
        ]);
      }
      const r = await createConnection(env.h.db, admin, wizardForm(t, [org.id], { name: `Via ${credentialKind}`, ...patch }));
      if (!r.saved) throw new Error(`expected ${credentialKind} to save: ${JSON.stringify(r.verification.checklist)}`);
      saved.push(r.connectionId);
    }

    const lines: string[] = [];
    const ctx: CommandContext = { db: async () => env.h.db, out: (l = "") => void lines.push(l), progress: (l) => void lines.push(l), promptHidden: async () => "", isInteractive: false };
    await connectionsCommands.subcommands.list.run(ctx, { options: {}, args: [] });
    await keysCommands.subcommands["rotate-signing-key"].run(ctx, { options: { "lead-minutes": "0" }, args: [] });
    await keysCommands.subcommands["signing-keys"].run(ctx, { options: {}, args: [] });
    const output = lines.join("\n");

    const [secretRow, certRow, fedRow] = await Promise.all(saved.map(async (id) => (await env.h.db.select().from(s.directoryConnections).where(eq(s.directoryConnections.id, id)))[0]));
    // The listing names each credential with its expiry.
    expect(output).toContain(`credential secret ${secretRow.secretId} expires ${secretRow.secretExpiresOn} (`);
    const certLine = output.split("\n").find((l) => l.includes(`credential certificate ${certRow.certificateThumbprint} expires ${certRow.certificateExpiresAt!.toISOString().slice(0, 10)} (`));
    expect(Number(certLine?.match(/\((\d+) days left\)/)?.[1])).toBeGreaterThanOrEqual(364);
    expect(output).toContain(`credential federated (subject roster:directory-connection:${fedRow.id}; nothing expires)`);

    const signingKeys = await env.h.db.select().from(s.rosterSigningKeys);
    expect(signingKeys.length).toBe(2); // the one the federated sign-in made, and the rotation's
    for (const k of signingKeys) expect(output).toContain(k.kid);
    const privateKeys = [
      unsealSecret(certRow.certificateKeySealed!, certificateKeyAad(certRow.id, "current")),
      ...signingKeys.map((k) => unsealSecret(k.privateKeySealed, `roster-signing-key:${k.kid}`)),
    ];
    const sealed = [certRow.certificateKeySealed!, secretRow.secretSealed!, ...signingKeys.map((k) => k.privateKeySealed)];
    expect(output).not.toMatch(/PRIVATE KEY/);
    for (const key of privateKeys) for (const form of privateKeyForms(key)) expect(output).not.toContain(form);
    for (const text of sealed) expect(output).not.toContain(text);
  });
});
