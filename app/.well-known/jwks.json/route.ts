import { getDb } from "@/lib/db";
import { publishedJwks } from "@/lib/identity-keys/signing-keys";
import { logError } from "@/lib/log";

/**
 * Roster's public signing keys: every key not yet retired, so during a rotation both the old and the new key
 * verify (lib/identity-keys/key-schedule.ts). Public keys only; a short cache so a rotation shows soon.
 */
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  try {
    return Response.json(await publishedJwks(await getDb()), { headers: { "cache-control": "public, max-age=300" } });
  } catch (error) {
    logError("publishing the JWKS failed", error);
    return Response.json({ error: "unavailable" }, { status: 503, headers: { "cache-control": "no-store" } });
  }
}
