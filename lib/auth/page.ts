import "server-only";
import { notFound, redirect } from "next/navigation";
import type { Db } from "@/db/client";
import { RosterError } from "@/lib/errors";
import { requireSeries, type Actor, type Role } from "./actor";
import { currentActor } from "./session";

/** Where to send someone signed out; only same-site paths are ever used as the return address. */
export function loginPath(returnTo: string): string {
  return `/login?callbackUrl=${encodeURIComponent(safeReturnPath(returnTo))}`;
}

/** A relative path on this site, or "/series". Rejects "//evil.example" and absolute URLs (open redirects). */
export function safeReturnPath(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/series";
  return value;
}

/** The signed-in actor for a page, or a redirect to the login page that comes back here. */
export async function requirePageActor(db: Db, returnTo: string): Promise<Actor> {
  const actor = await currentActor(db);
  if (!actor) redirect(loginPath(returnTo));
  return actor;
}

/** A series page's series: another organization's series is a 404, exactly like one that does not exist. */
export async function requirePageSeries(db: Db, actor: Actor, seriesId: string, role: Role = "editor") {
  try {
    return await requireSeries(db, actor, seriesId, role);
  } catch (error) {
    if (error instanceof RosterError && error.code === "not_found") notFound();
    throw error;
  }
}
