import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { memberships, organizations, series, users } from "@/db/schema";
import type { Role } from "@/db/schema";
import { forbidden, notFound, unauthenticated } from "@/lib/errors";
import { isUuid } from "@/lib/uuid";

export type { Role };

export interface Actor {
  userId: string;
  email: string;
  name: string;
  memberships: { organizationId: string; organizationName: string; role: Role }[];
}

/**
 * Re-reads the user and their roles from the database. Sessions carry only the user id and the session version,
 * so a demoted admin's old session cannot act as admin, a deleted user's session stops working at once, and so
 * does every session of a user who signed out (the version moved on). `sessionVersion` is what the session
 * carries; callers that are not serving a session (tests, the CLI) leave it out.
 */
export async function loadActor(db: Executor, userId: string | null | undefined, sessionVersion?: number): Promise<Actor | null> {
  if (!userId || !isUuid(userId)) return null;
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) return null;
  if (sessionVersion !== undefined && user.sessionVersion !== sessionVersion) return null;
  const rows = await db
    .select({ organizationId: memberships.organizationId, organizationName: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(eq(memberships.userId, userId))
    .orderBy(organizations.name);
  return { userId: user.id, email: user.email, name: user.name, memberships: rows };
}

/** Ends every session of the user: their tokens carry the old version, which no longer matches. */
export async function revokeSessions(db: Executor, userId: string | null | undefined): Promise<void> {
  if (!userId || !isUuid(userId)) return;
  await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
}

export function requireActor(actor: Actor | null): Actor {
  if (!actor) throw unauthenticated();
  return actor;
}

export function roleIn(actor: Actor, organizationId: string): Role | null {
  return actor.memberships.find((m) => m.organizationId === organizationId)?.role ?? null;
}

export function isAdminAnywhere(actor: Actor): boolean {
  return actor.memberships.some((m) => m.role === "admin");
}

/** Admins can do everything editors can. */
export function hasRole(actor: Actor, organizationId: string, role: Role): boolean {
  const held = roleIn(actor, organizationId);
  return held === "admin" || (held === "editor" && role === "editor");
}

export function requireRole(actor: Actor | null, organizationId: string, role: Role): Actor {
  const a = requireActor(actor);
  if (!roleIn(a, organizationId)) throw notFound("That organization");
  if (!hasRole(a, organizationId, role)) {
    throw forbidden(role === "admin" ? "Only an organization admin can do that." : "You do not have permission to do that.");
  }
  return a;
}

/**
 * The series, if the actor may work on it. A series of another organization answers "not found", exactly
 * like a series that does not exist, so ids cannot be probed.
 */
export async function requireSeries(db: Executor, actor: Actor | null, seriesId: string, role: Role = "editor") {
  const a = requireActor(actor);
  if (!isUuid(seriesId)) throw notFound("That series");
  const [row] = await db.select().from(series).where(eq(series.id, seriesId));
  if (!row || !roleIn(a, row.organizationId)) throw notFound("That series");
  requireRole(a, row.organizationId, role);
  return row;
}
