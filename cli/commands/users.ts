import { asc, eq } from "drizzle-orm";
import { memberships, organizations, users } from "@/db/schema";
import { passwordProblem } from "@/lib/auth/password";
import { createUser, ROLES } from "@/lib/users/create-user";
import { UsageError, type CommandGroup } from "../command";

/** The password comes from ROSTER_PASSWORD (scripts) or a hidden prompt (people); never from an argument, which shell history and `ps` would keep. */
async function readPassword(ctx: Parameters<CommandGroup["subcommands"][string]["run"]>[0]): Promise<string> {
  const fromEnv = process.env.ROSTER_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (!ctx.isInteractive) throw new UsageError("Set ROSTER_PASSWORD, or run the command in a terminal to be asked for the password.");
  for (;;) {
    const first = await ctx.promptHidden("Password (at least 12 characters): ");
    const problem = passwordProblem(first);
    if (problem) {
      ctx.out(`That password is too weak: ${problem}`);
      continue;
    }
    const second = await ctx.promptHidden("Repeat the password: ");
    if (first === second) return first;
    ctx.out("The two passwords differ. Try again.");
  }
}

export const usersCommands: CommandGroup = {
  name: "users",
  summary: "Create and list the people who sign in to Roster",
  subcommands: {
    create: {
      summary: "Create a user in an organization with a role",
      options: {
        email: { type: "string", description: "sign-in email address", placeholder: "email", required: true },
        name: { type: "string", description: "the person's name", placeholder: "name", required: true },
        org: { type: "string", description: "organization name, as listed by `users list`", placeholder: "organization", required: true },
        role: { type: "string", description: "admin or editor", placeholder: "admin|editor", required: true },
      },
      details: [
        "The password is read from ROSTER_PASSWORD, or asked for without echo when run in a terminal.",
        "",
        "Example:",
        '  ROSTER_PASSWORD=… npm run roster -- users create --email ada@northwind.example --name "Ada Lovelace" --org Northwind --role admin',
      ],
      async run(ctx, { options }) {
        const role = String(options.role);
        // Checked before the password prompt, so nobody types a password only to learn the role was misspelled.
        if (!ROLES.includes(role as (typeof ROLES)[number])) throw new UsageError(`Unknown role "${role}". Use admin or editor.`);
        const password = await readPassword(ctx);
        const user = await createUser(await ctx.db(), {
          email: String(options.email),
          name: String(options.name),
          organization: String(options.org),
          role,
          password,
        });
        ctx.out(`Created ${user.role} ${user.email} (${user.name}) in ${user.organizationName}. User id: ${user.id}`);
      },
    },
    list: {
      summary: "List users with their organizations and roles",
      options: { org: { type: "string", description: "only this organization", placeholder: "organization" } },
      async run(ctx, { options }) {
        const db = await ctx.db();
        const query = db
          .select({ email: users.email, name: users.name, org: organizations.name, role: memberships.role, lastSignInAt: users.lastSignInAt })
          .from(memberships)
          .innerJoin(users, eq(users.id, memberships.userId))
          .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
          .orderBy(asc(organizations.name), asc(users.emailNormalized));
        const rows = options.org ? await query.where(eq(organizations.name, String(options.org))) : await query;
        if (rows.length === 0) {
          ctx.out(options.org ? `No users in an organization named "${options.org}".` : "No users yet.");
          return;
        }
        for (const r of rows) {
          const seen = r.lastSignInAt ? `last sign-in ${r.lastSignInAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : "never signed in";
          ctx.out(`${r.org.padEnd(16)} ${r.role.padEnd(6)} ${r.email}  (${r.name}, ${seen})`);
        }
      },
    },
  },
};
