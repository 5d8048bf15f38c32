import { resealConnectionSecrets, resealKeyMaterial } from "@/lib/connections/reseal";
import { sealingKeysFromEnv } from "@/lib/crypto/keys";
import { rotateSigningKey, signingKeyStatus, SIGNING_KEY_OVERLAP_MS } from "@/lib/identity-keys/signing-keys";
import { UsageError, type CommandGroup } from "../command";

const MINUTE = 60_000;

export const keysCommands: CommandGroup = {
  name: "keys",
  summary: "Rotate the key that seals secrets at rest, and Roster's OIDC signing keys",
  subcommands: {
    rotate: {
      summary: "Re-seal every client secret, certificate key and signing key under ENCRYPTION_KEY, leaving none under ENCRYPTION_KEY_PREVIOUS",
      details: [
        "Steps: 1. generate a new key (openssl rand -base64 32); 2. set ENCRYPTION_KEY_PREVIOUS to the old key and",
        "ENCRYPTION_KEY to the new one, everywhere the app runs; 3. run this command; 4. remove ENCRYPTION_KEY_PREVIOUS.",
      ],
      run: async (ctx) => {
        const keys = sealingKeysFromEnv();
        ctx.out(`Current key: ${keys.current.id}${keys.previous ? `, previous key: ${keys.previous.id}` : " (no ENCRYPTION_KEY_PREVIOUS set)"}`);
        const report = await resealConnectionSecrets(await ctx.db(), { kind: "operator", label: "cli" }, keys);
        ctx.out(`Re-sealed ${report.resealed}; already under the current key ${report.alreadyCurrent}.`);
        for (const u of report.unreadable) {
          ctx.out(`Cannot open the secret of “${u.name}” (${u.id}), sealed under key ${u.keyId}: set ENCRYPTION_KEY_PREVIOUS to that key, or rotate the client secret on the connection page.`);
        }
        const keyReport = await resealKeyMaterial(await ctx.db(), keys);
        ctx.out(`Re-sealed ${keyReport.resealed} private keys (certificates and signing keys).`);
        for (const u of keyReport.unreadable) ctx.out(`Cannot open ${u}: set ENCRYPTION_KEY_PREVIOUS to the key it was sealed under, or replace it (a new certificate, or rotate-signing-key).`);
        const clean = report.unreadable.length === 0 && keyReport.unreadable.length === 0;
        if (clean) ctx.out("No secret or key remains under an older key: ENCRYPTION_KEY_PREVIOUS can be removed.");
        return clean ? 0 : 1;
      },
    },
    "signing-keys": {
      summary: "List Roster's OIDC signing keys (federated credentials): kid, state, when each signs and retires",
      run: async (ctx) => {
        const keys = await signingKeyStatus(await ctx.db());
        if (keys.length === 0) ctx.out("No signing key yet: the first is made when a federated connection first signs in or /.well-known/jwks.json is read.");
        for (const k of keys) ctx.out(`${k.kid}  ${k.state.padEnd(14)}  signs from ${k.signsFrom.toISOString()}  ${k.retireAt ? `retires ${k.retireAt.toISOString()}` : "no retirement set"}`);
      },
    },
    "rotate-signing-key": {
      summary: "Add Roster's next OIDC signing key; the JWKS publishes old and new through the overlap",
      options: {
        "lead-minutes": { type: "string", placeholder: "minutes", description: "Publish the new key this long before it signs (default 60), so Entra's copy of the JWKS already holds it" },
        "overlap-hours": { type: "string", placeholder: "hours", description: `Keep older keys in the JWKS this long after the new key signs (default ${SIGNING_KEY_OVERLAP_MS / 3_600_000})` },
      },
      details: ["Private keys never leave the database sealed; this prints key ids and times only."],
      run: async (ctx, { options }) => {
        const lead = Number(options["lead-minutes"] ?? 60);
        const overlap = Number(options["overlap-hours"] ?? SIGNING_KEY_OVERLAP_MS / 3_600_000);
        if (!Number.isFinite(lead) || lead < 0 || lead > 7 * 24 * 60) throw new UsageError("--lead-minutes must be a number of minutes between 0 and 10080");
        if (!Number.isFinite(overlap) || overlap < 1 || overlap > 24 * 30) throw new UsageError("--overlap-hours must be a number of hours between 1 and 720");
        const r = await rotateSigningKey(await ctx.db(), { leadMs: lead * MINUTE, overlapMs: overlap * 3_600_000 });
        ctx.out(`New signing key ${r.kid}: published now, signs from ${r.signsFrom.toISOString()}.`);
        ctx.out(`Older keys stay in the JWKS until ${r.olderKeysRetireAt.toISOString()}.`);
      },
    },
  },
};
