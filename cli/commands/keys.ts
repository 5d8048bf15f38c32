import { resealConnectionSecrets } from "@/lib/connections/reseal";
import { sealingKeysFromEnv } from "@/lib/crypto/keys";
import type { CommandGroup } from "../command";

export const keysCommands: CommandGroup = {
  name: "keys",
  summary: "Rotate the key that seals client secrets at rest",
  subcommands: {
    rotate: {
      summary: "Re-seal every client secret under ENCRYPTION_KEY, leaving none under ENCRYPTION_KEY_PREVIOUS",
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
        if (report.unreadable.length === 0) ctx.out("No secret remains under an older key: ENCRYPTION_KEY_PREVIOUS can be removed.");
        return report.unreadable.length === 0 ? 0 : 1;
      },
    },
  },
};
