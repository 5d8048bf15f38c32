import "server-only";
import { eq, inArray } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { connectionOrganizations, directoryConnections, organizations } from "@/db/schema";
import { requireActor, roleIn, type Actor } from "@/lib/auth/actor";
import { forbidden, notFound } from "@/lib/errors";
import type { ConnectionActor } from "./audit";
import { isUuid } from "@/lib/uuid";

export type ConnectionRow = typeof directoryConnections.$inferSelect;

export interface LoadedConnection {
  row: ConnectionRow;
  organizations: { id: string; name: string }[];
}

export function asUser(actor: Actor | null): ConnectionActor {
  return { kind: "user", actor: requireActor(actor) };
}

export async function loadConnection(db: Executor, connectionId: string): Promise<LoadedConnection | null> {
  if (!isUuid(connectionId)) return null;
  const [row] = await db.select().from(directoryConnections).where(eq(directoryConnections.id, connectionId));
  if (!row) return null;
  const orgs = await db
    .select({ id: organizations.id, name: organizations.name })
    .from(connectionOrganizations)
    .innerJoin(organizations, eq(organizations.id, connectionOrganizations.organizationId))
    .where(eq(connectionOrganizations.connectionId, connectionId))
    .orderBy(organizations.name);
  return { row, organizations: orgs };
}

/**
 * A connection the actor administers: an admin of at least one organization it serves. Someone with no role
 * in any of its organizations gets "not found" (ids cannot be probed); an editor there gets "forbidden".
 * Operators (CLI, cron) act on any connection: they run with the server's own authority.
 */
export async function requireConnectionAdmin(db: Executor, by: ConnectionActor, connectionId: string): Promise<LoadedConnection> {
  const loaded = await loadConnection(db, connectionId);
  if (by.kind === "operator") {
    if (!loaded) throw notFound("That directory connection");
    return loaded;
  }
  if (!loaded || !loaded.organizations.some((o) => roleIn(by.actor, o.id))) throw notFound("That directory connection");
  if (!loaded.organizations.some((o) => roleIn(by.actor, o.id) === "admin")) {
    throw forbidden("Only an organization admin can manage directory connections.");
  }
  return loaded;
}

/** Organizations the actor may attach a connection to: those where they are admin. */
export function requireAdminOfAll(actor: Actor, organizationIds: string[]): void {
  for (const id of organizationIds) {
    const role = roleIn(actor, id);
    if (!role) throw notFound("That organization");
    if (role !== "admin") throw forbidden("Only an organization admin can connect a directory to it.");
  }
}

/** Organizations served by connections, for a list of connection ids. */
export async function organizationsOf(db: Executor, connectionIds: string[]) {
  if (connectionIds.length === 0) return new Map<string, { id: string; name: string }[]>();
  const rows = await db
    .select({ connectionId: connectionOrganizations.connectionId, id: organizations.id, name: organizations.name })
    .from(connectionOrganizations)
    .innerJoin(organizations, eq(organizations.id, connectionOrganizations.organizationId))
    .where(inArray(connectionOrganizations.connectionId, connectionIds))
    .orderBy(organizations.name);
  const map = new Map<string, { id: string; name: string }[]>();
  for (const r of rows) map.set(r.connectionId, [...(map.get(r.connectionId) ?? []), { id: r.id, name: r.name }]);
  return map;
}

/**
 * Changes that reach every organization a connection serves (delete, rotate the secret, re-scope its groups or
 * options) need an admin of each of them: a Northwind-only admin must not remove Contoso's recipients. The
 * refusal names the other organizations (the actor already sees them on the connection's page) and the way
 * out: an admin of those, or stopping the connection serving the actor's own organizations (always allowed).
 * Refusing rather than confirming: a confirmation would still let one organization's admin decide for another.
 */
export function requireAdminOfEveryServed(by: ConnectionActor, loaded: LoadedConnection, verb: string): void {
  if (by.kind === "operator") return;
  const others = loaded.organizations.filter((o) => roleIn(by.actor, o.id) !== "admin");
  if (others.length === 0) return;
  const names = others.map((o) => `“${o.name}”`).join(", ");
  throw forbidden(
    `This connection also serves ${names}, which you do not administer. Only an admin of every organization it serves can ${verb}. ` +
      `Ask an admin of ${names}, or remove your own organizations from the connection instead.`,
  );
}
