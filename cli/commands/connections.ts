import { listAllConnections } from "@/lib/connections/queries";
import { verifyConnectionAs } from "@/lib/connections/verify";
import { refreshCatalog } from "@/lib/connections/catalog";
import { providerForConnection } from "@/lib/directory/registry";
import { UsageError, type CommandContext, type CommandGroup } from "../command";
import { isUuid } from "@/lib/uuid";
import type { ConnectionView } from "@/lib/connections/view";

const OPERATOR = { kind: "operator" as const, label: "cli" };

function connectionIdArg(args: string[]): string {
  const id = args[0];
  if (!id) throw new UsageError("Give the connection id (see `connections list`).");
  if (!isUuid(id)) throw new UsageError(`“${id}” is not a connection id (a GUID, see \`connections list\`).`);
  return id;
}

/** The credential that signs in and when it expires, as `connections list` prints it: public facts only. */
export function credentialLine(c: Pick<ConnectionView, "credential" | "credentialExpiry" | "secretId">): string {
  const e = c.credentialExpiry;
  const left = e ? (e.status.level === "expired" ? "EXPIRED" : `${e.status.daysLeft} days left`) : "";
  if (c.credential.kind === "federated") return `federated (subject ${c.credential.federation.subject}; nothing expires)`;
  if (c.credential.kind === "certificate") return `certificate ${c.credential.certificate?.thumbprint ?? "?"} expires ${e?.expiresOn ?? "?"} (${left})`;
  return `secret ${c.secretId} expires ${e?.expiresOn ?? "?"} (${left})`;
}

async function list(ctx: CommandContext) {
  const connections = await listAllConnections(await ctx.db());
  if (connections.length === 0) {
    ctx.out("No directory connections.");
    return;
  }
  for (const c of connections) {
    ctx.out(`${c.id}  ${c.name}`);
    ctx.out(`  status ${c.status}, health ${c.health}, ${c.cloud === "usgov" ? "Azure Government" : "Azure Global"}, tenant ${c.tenantId}, app ${c.clientId}`);
    ctx.out(`  credential ${credentialLine(c)}; last verified ${c.lastVerifiedAt ?? "never"}`);
    ctx.out(`  organizations: ${c.organizations.map((o) => o.name).join(", ") || "none"}`);
    if (c.lastError) ctx.out(`  last error: ${c.lastError.title}. Fix: ${c.lastError.fix}`);
  }
}

export const connectionsCommands: CommandGroup = {
  name: "connections",
  summary: "List directory connections, verify one, refresh its groups",
  subcommands: {
    list: {
      summary: "Every connection with its status, health, credential kind and its expiry",
      run: async (ctx) => list(ctx),
    },
    verify: {
      summary: "Verify a connection against Entra ID and Graph (records its health)",
      args: "<connection-id>",
      run: async (ctx, { args }) => {
        const id = connectionIdArg(args);
        ctx.progress("Verifying…");
        const result = await verifyConnectionAs(await ctx.db(), OPERATOR, id);
        for (const item of result.verification.checklist) {
          ctx.out(`${item.ok ? "PASS" : item.skipped ? "SKIP" : "FAIL"}  ${item.label}`);
          if (!item.ok && item.title) ctx.out(`      ${item.title}`);
          if (!item.ok && item.fix) ctx.out(`      Fix: ${item.fix}`);
          if (!item.ok && !item.skipped && item.details) ctx.out(`      Details: ${item.details.replace(/\s+/g, " ")}`);
        }
        ctx.out(`Health: ${result.health}, status: ${result.status}`);
        return result.verification.ok ? 0 : 1;
      },
    },
    "refresh-groups": {
      summary: "Refresh a connection's group catalog from Graph now",
      args: "<connection-id>",
      run: async (ctx, { args }) => {
        const id = connectionIdArg(args);
        ctx.progress("Reading groups from Microsoft Graph…");
        try {
          const r = await refreshCatalog(await ctx.db(), id);
          ctx.out(`Groups: ${r.seen} found, ${r.added} new, ${r.restored} back, ${r.markedDeleted} no longer in Azure.`);
          return 0;
        } catch (error) {
          if (error && typeof error === "object" && "code" in error && (error as { code: unknown }).code === "not_found") throw error;
          // The failure may come before the connection was read: the column default's provider explains it.
          const d = providerForConnection(null).diagnose(error);
          ctx.out(`Failed: ${d.title}. Fix: ${d.fix}`);
          if (d.details) ctx.out(`Details: ${d.details.replace(/\s+/g, " ")}`);
          return 1;
        }
      },
    },
  },
};
