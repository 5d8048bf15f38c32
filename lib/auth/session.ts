import "server-only";
import { getServerSession } from "next-auth";
import { authOptions } from "./options";
import { loadActor, type Actor } from "./actor";
import type { Executor } from "@/db/client";

/** The signed-in actor for this request, re-read from the database; null when signed out. */
export async function currentActor(db: Executor): Promise<Actor | null> {
  const session = await getServerSession(authOptions);
  const userId = (session?.user as { id?: string } | undefined)?.id;
  return loadActor(db, userId);
}
