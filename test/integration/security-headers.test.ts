/**
 * The security headers are configured once, for every path (next.config.ts); e2e/headers.spec.ts checks them on
 * the production build's responses.
 */
import { describe, expect, test } from "vitest";
import nextConfig from "@/next.config";

describe("security headers", () => {
  test("apply to every path: no framing, no sniffing, a referrer policy", async () => {
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === "/:path*");
    expect(all).toBeDefined();
    const headers = Object.fromEntries(all!.headers.map((h) => [h.key.toLowerCase(), h.value]));
    const csp = headers["content-security-policy"].split(";").map((d) => d.trim());
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  });
});
