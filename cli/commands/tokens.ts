import { createApiToken, listApiTokens, revokeApiToken } from "@/lib/tokens/api-tokens";
import type { CommandGroup } from "../command";
import { UsageError } from "../command";

const OPERATOR = { kind: "operator", label: "cli" } as const;
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace("T", " ") : "never");

export const tokensCommands: CommandGroup = {
  name: "tokens",
  summary: "Create, list and revoke the API tokens the newsletter platform calls Roster with",
  subcommands: {
    create: {
      summary: "Create an API token for an organization and print it once",
      options: {
        org: { type: "string", description: "the organization's name", placeholder: "name", required: true },
        label: { type: "string", description: "what the token is for, e.g. “Newsletter platform”", placeholder: "text", required: true },
      },
      details: [
        "The token is printed once and stored only as a hash: copy it into the newsletter platform now.",
        "It authorizes POST/DELETE /api/series/<series-id>/exclusions for that organization's series.",
      ],
      run: async (ctx, { options }) => {
        const { token, info } = await createApiToken(await ctx.db(), OPERATOR, { organization: String(options.org), label: String(options.label) });
        ctx.out(`Created API token “${info.label}” for ${info.organizationName}. Token id: ${info.id}`);
        ctx.out("Copy the token now; it is not shown again:");
        ctx.out(token);
      },
    },
    list: {
      summary: "List API tokens (never the tokens themselves)",
      options: { org: { type: "string", description: "only this organization's tokens", placeholder: "name" } },
      run: async (ctx, { options }) => {
        const rows = await listApiTokens(await ctx.db(), { organization: typeof options.org === "string" ? options.org : undefined });
        if (rows.length === 0) return void ctx.out("No API tokens.");
        for (const t of rows) {
          const state = t.revokedAt ? `revoked ${day(t.revokedAt)}` : "active";
          ctx.out(`${t.id}  ${t.organizationName}  “${t.label}”  ${t.prefix}…  ${state}  created ${day(t.createdAt)} by ${t.createdBy}  last used ${day(t.lastUsedAt)}`);
        }
      },
    },
    revoke: {
      summary: "Revoke an API token: its next call is refused",
      args: "<token-id>",
      run: async (ctx, { args }) => {
        if (args.length !== 1) throw new UsageError("Give the id of one token (see tokens list).");
        const t = await revokeApiToken(await ctx.db(), OPERATOR, args[0]);
        ctx.out(`Revoked API token “${t.label}” of ${t.organizationName}.`);
      },
    },
  },
};
