type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined;

/**
 * The address a sign-in came from, for the per-client limit: the first hop of X-Forwarded-For. Vercel sets that
 * header to the connecting client and overwrites a client's own value (https://vercel.com/docs/headers/request-headers);
 * `next start` fills it from the socket only when absent, so without a proxy in front a client can name any
 * address, and the per-account ceiling (lib/auth/sign-in.ts) is what still holds. Without the header at all,
 * every such request shares one bucket.
 */
export function clientAddress(headers: HeaderSource): string {
  const raw = headers instanceof Headers ? headers.get("x-forwarded-for") : headers?.["x-forwarded-for"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const first = value?.split(",")[0]?.trim().toLowerCase();
  // An address is short; anything else is noise a client made up, and must not become an unbounded key.
  return first && /^[0-9a-f.:[\]]{2,45}$/.test(first) ? first : "unknown";
}
