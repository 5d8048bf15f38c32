import "server-only";
import type { z } from "zod";
import type { Db } from "@/db/client";
import { getDb } from "@/lib/db";
import { currentActor } from "@/lib/auth/session";
import type { Actor } from "@/lib/auth/actor";
import { errorResponse, type ActionResult } from "@/lib/errors";
import { logError } from "@/lib/log";
import { storableInput } from "@/lib/text/sanitize";

export interface ActionContext {
  db: Db;
  actor: Actor | null;
}

/**
 * The one path every server action takes: parse the input with zod, resolve the actor from the session
 * (re-read from the database), run the domain verb (which authorizes against the object it touches), and
 * turn failures into a result the form can show. Unexpected errors are logged and never shown.
 */
export async function runAction<S extends z.ZodType, R>(
  schema: S,
  input: unknown,
  verb: (ctx: ActionContext, input: z.infer<S>) => Promise<R>,
): Promise<ActionResult<R>> {
  try {
    // Form text reaches the database: a NUL or a control character never does (lib/text/sanitize.ts).
    const parsed = schema.safeParse(storableInput(input));
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path.join(".") || "_";
        fields[key] ??= issue.message;
      }
      return { ok: false, error: { code: "invalid_input", message: "Some fields need attention.", fields } };
    }
    const db = await getDb();
    const actor = await currentActor(db);
    return { ok: true, data: await verb({ db, actor }, parsed.data) };
  } catch (error) {
    return { ok: false, error: errorResponse(error, (e) => logError("server action failed", e)).error };
  }
}
