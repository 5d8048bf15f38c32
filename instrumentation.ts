/**
 * Next's start-up hook: the configuration is validated once, before the server answers anything, so a missing
 * or malformed variable stops it with a message naming the variable (lib/env.ts) instead of failing the first
 * request that reads it. Not while `next build` collects pages: a build needs no secrets.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { assertEnv } = await import("./lib/env");
  assertEnv();
}
