import "server-only";
import { headers } from "next/headers";
import type { z } from "zod";
import type { Db } from "@/db/client";
import { clientAddress } from "@/lib/auth/client-address";
import { getDb } from "@/lib/db";
import { errorResponse, type ActionResult } from "@/lib/errors";
import { logError } from "@/lib/log";
import { storableInput } from "@/lib/text/sanitize";
import type { SetupLinkContext } from "./complete";

/**
 * The one path a setup link's server actions take, as lib/action.ts is for signed-in people, except that the
 * authority is the token in the link, never the session: whoever holds the link has exactly the verbs of
 * lib/setup-links/complete.ts for that link's one connection, and a signed-in cookie adds nothing.
 */
export async function runSetupAction<S extends z.ZodType, R>(
  token: unknown,
  schema: S,
  input: unknown,
  verb: (db: Db, ctx: SetupLinkContext, input: z.infer<S>) => Promise<R>,
): Promise<ActionResult<R>> {
  try {
    const parsed = schema.safeParse(storableInput(input));
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) fields[issue.path.join(".") || "_"] ??= issue.message;
      return { ok: false, error: { code: "invalid_input", message: "Some fields need attention.", fields } };
    }
    const ctx: SetupLinkContext = { token: typeof token === "string" ? token : "", client: clientAddress(await headers()) };
    return { ok: true, data: await verb(await getDb(), ctx, parsed.data) };
  } catch (error) {
    return { ok: false, error: errorResponse(error, (e) => logError("setup link action failed", e)).error };
  }
}
