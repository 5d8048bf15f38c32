/**
 * Cross-site request check for route handlers that change data. Server actions get this from Next; route
 * handlers do not. The session cookie is SameSite=Lax, which already keeps it off cross-site POSTs; this is
 * the second lock, and it refuses a request whose Origin names another host.
 */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return true; // Same-origin fetches from older browsers and non-browser clients; the cookie rule still applies.
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
