import type { NextConfig } from "next";

/**
 * Every response's security headers, in this one place.
 *
 * - `frame-ancestors 'none'` (with the legacy `X-Frame-Options: DENY`): no page of Roster can be framed, not even
 *   by a same-site page, so nothing can be clickjacked.
 * - script-src stays `'self' 'unsafe-inline'`: Next's App Router streams inline `<script>` tags for hydration, and
 *   nonces would need every page rendered dynamically through a proxy. The rest is strict: no plugins, no foreign
 *   origins for scripts, styles, images, fonts or fetches, and `<base>` cannot be re-pointed. Development adds
 *   `'unsafe-eval'`, which React's refresh runtime needs.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

const nextConfig: NextConfig = {
  // Each Playwright run (and each engineer working side by side) can build into its own folder.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // PGlite ships a WASM build and resolves files relative to itself; bundled, it fails to find them.
  serverExternalPackages: ["@electric-sql/pglite", "@azure/identity", "@azure/msal-node"],
  poweredByHeader: false,
  // `npm test` type-checks the whole project first (`tsc --noEmit`); checking again inside the build only adds time.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
  // forbidden(): the admin area answers editors with 403 (app/forbidden.tsx), not with a 200 page.
  experimental: { authInterrupts: true },
};

export default nextConfig;
