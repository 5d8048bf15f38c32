import "server-only";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { currentActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { errorJson } from "@/lib/errors";
import { logError } from "@/lib/log";

/**
 * The directory dialog's JSON reads: resolve the actor from the session, run a read model (which authorizes
 * against the series and connection it touches), and map failures to a status with a message the dialog can
 * show. Never cached: these answers change while a sync runs.
 */
export async function respondJson<T>(read: (ctx: { db: Db; actor: Actor | null }) => Promise<T>): Promise<Response> {
  const headers = { "cache-control": "no-store" };
  try {
    const db = await getDb();
    const actor = await currentActor(db);
    return Response.json(await read({ db, actor }), { headers });
  } catch (error) {
    return errorJson(error, "directory read failed", logError);
  }
}
