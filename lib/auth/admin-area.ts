import "server-only";
import type { Actor } from "./actor";
import { isAdminAnywhere, requireActor } from "./actor";
import { forbidden } from "@/lib/errors";

/**
 * The gate of /admin: the directory settings are for organization admins. It guards pages only; each admin
 * action still checks the role in the organization of the object it touches.
 */
export function requireAdminArea(actor: Actor | null): Actor {
  const a = requireActor(actor);
  if (!isAdminAnywhere(a)) throw forbidden("Only an organization admin can open the directory settings.");
  return a;
}
