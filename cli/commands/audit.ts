import { eq } from "drizzle-orm";
import { organizations } from "@/db/schema";
import { describeDetails, listAuditEventsAsOperator } from "@/lib/audit/list";
import { RosterError } from "@/lib/errors";
import type { CommandGroup } from "../command";

export const auditCommands: CommandGroup = {
  name: "audit",
  summary: "Read the audit log: who changed what, and when",
  subcommands: {
    list: {
      summary: "List audit entries, newest first",
      options: {
        org: { type: "string", description: "only this organization's entries", placeholder: "name" },
        kind: { type: "string", description: "a kind (exclusion, connection, selection, review, import, recipient, api_token…) or an action (exclusion.add)", placeholder: "kind" },
        person: { type: "string", description: "part of the actor's email or label", placeholder: "text" },
        since: { type: "string", description: "from this day (UTC), inclusive", placeholder: "YYYY-MM-DD" },
        until: { type: "string", description: "to this day (UTC), inclusive", placeholder: "YYYY-MM-DD" },
        limit: { type: "string", description: "at most this many entries (default 100)", placeholder: "n" },
      },
      run: async (ctx, { options }) => {
        const db = await ctx.db();
        const str = (k: string) => (typeof options[k] === "string" ? (options[k] as string) : undefined);
        let organizationId: string | undefined;
        if (str("org")) {
          const [org] = await db.select().from(organizations).where(eq(organizations.name, str("org")!.trim()));
          if (!org) throw new RosterError("not_found", `No organization is named "${str("org")}".`);
          organizationId = org.id;
        }
        const limit = str("limit") ? Number.parseInt(str("limit")!, 10) : 100;
        if (!Number.isFinite(limit) || limit < 1) throw new RosterError("invalid_input", "--limit must be a positive number.");
        const rows = await listAuditEventsAsOperator(db, { organizationId, kind: str("kind"), person: str("person"), from: str("since"), to: str("until"), limit });
        if (rows.length === 0) return void ctx.out("No audit entries match.");
        for (const r of rows) {
          const details = describeDetails(r.details);
          ctx.out(`${r.createdAt.toISOString().slice(0, 19).replace("T", " ")}  ${r.organizationName ?? "-"}  ${r.actor}  ${r.action}${r.targetId ? ` ${r.targetType}:${r.targetId}` : ""}${details ? `  ${details}` : ""}`);
        }
      },
    },
  },
};
