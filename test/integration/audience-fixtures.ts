/**
 * Arrangements shared by the audience, authorization and sign-in tests: organizations, people with roles,
 * series, and the actor each person acts as (loaded the way a request loads it).
 */
import { randomBytes } from "node:crypto";
import type { Executor } from "@/db/client";
import { memberships, organizations, series, users } from "@/db/schema";
import { loadActor, type Actor, type Role } from "@/lib/auth/actor";
import { hashPassword } from "@/lib/auth/password";
import { normalizeEmail } from "@/lib/email";

const unique = () => randomBytes(4).toString("hex");

export async function makeOrg(db: Executor, name = `Org ${unique()}`) {
  const [row] = await db.insert(organizations).values({ name }).returning();
  return row;
}

export async function makeUser(
  db: Executor,
  opts: { org?: { id: string }; role?: Role; email?: string; password?: string | null } = {},
): Promise<{ id: string; email: string; actor: Actor }> {
  const email = opts.email ?? `${opts.role ?? "nobody"}-${unique()}@example.test`;
  const passwordHash = opts.password ? await hashPassword(opts.password) : null;
  const [row] = await db.insert(users).values({ email, emailNormalized: normalizeEmail(email), name: `Person ${unique()}`, passwordHash }).returning();
  if (opts.org && opts.role) await db.insert(memberships).values({ userId: row.id, organizationId: opts.org.id, role: opts.role });
  return { id: row.id, email, actor: (await loadActor(db, row.id))! };
}

export async function makeSeries(db: Executor, org: { id: string }, name = `Series ${unique()}`) {
  const [row] = await db.insert(series).values({ organizationId: org.id, name }).returning();
  return row;
}

/** An organization with an admin, an editor and a series: the usual starting point. */
export async function makeWorld(db: Executor) {
  const org = await makeOrg(db);
  const admin = await makeUser(db, { org, role: "admin" });
  const editor = await makeUser(db, { org, role: "editor" });
  const s = await makeSeries(db, org);
  return { org, admin, editor, series: s };
}

export const csv = (text: string) => new TextEncoder().encode(text);
