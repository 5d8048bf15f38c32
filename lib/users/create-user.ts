import "server-only";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { memberships, organizations, users } from "@/db/schema";
import type { Role } from "@/lib/auth/actor";
import { hashPassword, passwordProblem } from "@/lib/auth/password";
import { isValidEmail, normalizeEmail } from "@/lib/email";
import { RosterError, invalidInput } from "@/lib/errors";

export const ROLES: readonly Role[] = ["admin", "editor"];

export interface CreateUserInput {
  email: string;
  name: string;
  /** The organization's name, as support staff know it. */
  organization: string;
  role: string;
  /** Null for a user who signs in only with Entra ID single sign-on. */
  password: string | null;
}

export interface CreatedUser {
  id: string;
  email: string;
  name: string;
  organizationId: string;
  organizationName: string;
  role: Role;
}

/**
 * Creates a user with one membership. For the operator CLI and the demo seed, which run with the database's
 * own credentials, so there is no actor to authorize: whoever can run them can already write the database.
 */
export async function createUser(db: Executor, input: CreateUserInput): Promise<CreatedUser> {
  const email = input.email.trim();
  const name = input.name.trim();
  if (!isValidEmail(email)) throw invalidInput(`"${email}" is not a valid email address.`, { email: "Enter a valid email address." });
  if (!name) throw invalidInput("The name is empty.", { name: "Enter the person's name." });
  if (!ROLES.includes(input.role as Role)) {
    throw invalidInput(`Unknown role "${input.role}". Use admin or editor.`, { role: "Use admin or editor." });
  }
  if (input.password !== null) {
    const problem = passwordProblem(input.password);
    if (problem) throw invalidInput(`The password is too weak: ${problem}`, { password: problem });
  }
  const [org] = await db.select().from(organizations).where(eq(organizations.name, input.organization.trim()));
  if (!org) {
    const known = await db.select({ name: organizations.name }).from(organizations).orderBy(organizations.name);
    const list = known.map((o) => `"${o.name}"`).join(", ") || "none yet";
    throw new RosterError("not_found", `No organization is named "${input.organization.trim()}". Known organizations: ${list}.`);
  }
  const emailNormalized = normalizeEmail(email);
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.emailNormalized, emailNormalized));
  if (taken) throw new RosterError("conflict", `A user with the email ${email} already exists.`, { email: "This email is taken." });

  // Hash before the transaction: scrypt takes a noticeable moment and should not hold a connection open.
  const passwordHash = input.password === null ? null : await hashPassword(input.password);
  const role = input.role as Role;
  return db.transaction(async (tx) => {
    const [user] = await tx.insert(users).values({ email, emailNormalized, name, passwordHash }).returning({ id: users.id });
    await tx.insert(memberships).values({ userId: user.id, organizationId: org.id, role });
    return { id: user.id, email, name, organizationId: org.id, organizationName: org.name, role };
  });
}
