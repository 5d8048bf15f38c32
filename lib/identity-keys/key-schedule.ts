/**
 * Which of Roster's signing keys signs and which are published, at a given time. Pure, so the overlap can be
 * tested at any instant. A rotation adds a key that is published at once and signs from `signsFrom`; every
 * older key keeps verifying until its `retireAt`, so assertions signed just before the switch, and JWKS copies
 * Entra fetched before it, stay good through the overlap.
 */
export interface ScheduledKey {
  kid: string;
  publicJwk: Record<string, unknown>;
  signsFrom: Date;
  retireAt: Date | null;
}

export const isPublished = (k: ScheduledKey, now: number) => k.retireAt === null || k.retireAt.getTime() > now;

/** The key that signs now: the published key that started signing most recently. */
export function signingKeyAt<K extends ScheduledKey>(keys: K[], now: number): K | null {
  const ready = keys.filter((k) => isPublished(k, now) && k.signsFrom.getTime() <= now);
  ready.sort((a, b) => b.signsFrom.getTime() - a.signsFrom.getTime() || a.kid.localeCompare(b.kid));
  return ready[0] ?? null;
}

/** The JWKS: every key not yet retired, including one that will sign only later, each with its `kid`. */
export function jwksAt(keys: ScheduledKey[], now: number): { keys: Record<string, unknown>[] } {
  return {
    keys: keys
      .filter((k) => isPublished(k, now))
      .sort((a, b) => a.signsFrom.getTime() - b.signsFrom.getTime())
      .map((k) => ({ kty: k.publicJwk.kty, n: k.publicJwk.n, e: k.publicJwk.e, kid: k.kid, use: "sig", alg: "RS256" })),
  };
}
