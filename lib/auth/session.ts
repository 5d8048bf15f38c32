import "server-only";
import { getServerSession, type Session } from "next-auth";
import { authOptions } from "./options";
import { loadActor, type Actor } from "./actor";
import type { Executor } from "@/db/client";

/** What Roster puts in a session (lib/auth/options.ts): the user id and the user's session version. */
export type SessionUser = { id?: string; sessionVersion?: number };

/**
 * The actor a session names, re-read from the database. A session without a version (made before versions
 * existed, or forged without one) is refused like a revoked one.
 */
export async function actorForSession(db: Executor, session: Session | null): Promise<Actor | null> {
  const user = session?.user as SessionUser | undefined;
  const version = typeof user?.sessionVersion === "number" ? user.sessionVersion : -1;
  return loadActor(db, user?.id, version);
}

/** The signed-in actor for this request, re-read from the database; null when signed out. */
export async function currentActor(db: Executor): Promise<Actor | null> {
  return actorForSession(db, await getServerSession(authOptions));
}
