import { NextResponse, type NextRequest } from "next/server";
import { isSameOrigin } from "@/lib/auth/same-origin";

/**
 * Server actions from another origin answer 403 here. Next refuses them itself but answers 500 ("Invalid Server
 * Actions request."), which reads as Roster's failure rather than a refusal. The check is the one the route
 * handlers use (lib/auth/same-origin.ts): an Origin naming another host is refused; no Origin is let through to
 * Next's own check and the SameSite cookie.
 */
export function proxy(request: NextRequest) {
  if (request.method === "POST" && request.headers.has("next-action") && !isSameOrigin(request)) {
    return new NextResponse("Cross-site request refused.", { status: 403, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  }
  return NextResponse.next();
}

// Only requests that carry a server action reach the proxy; every other request skips it.
export const config = { matcher: [{ source: "/:path*", has: [{ type: "header", key: "next-action" }] }] };
