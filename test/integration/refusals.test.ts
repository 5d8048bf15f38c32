/**
 * Refusals that say only what they should: a cross-origin server action is a 403 (Next's own refusal is a 500),
 * an editor at the admin area gets a 403 (not a 200 page that says no), and a preview of another organization's
 * group answers exactly like a preview of a group that does not exist.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { NextRequest } from "next/server";
import type { Actor } from "@/lib/auth/actor";
import nextConfig from "@/next.config";
import { proxy, config as proxyConfig } from "@/proxy";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { makeConnection, makeGroups, makeOrgWithEditor } from "./directory-fixtures";

const current: { db?: TestDb["db"]; actor?: Actor | null } = {};
vi.mock("@/lib/db", () => ({ getDb: async () => current.db! }));
vi.mock("@/lib/auth/session", () => ({ currentActor: async () => current.actor ?? null }));

const { default: AdminLayout } = await import("@/app/admin/layout");
const { requestPreview } = await import("@/lib/sync/verbs");

const action = (origin: string | null, host = "roster.example.com") =>
  new NextRequest(`https://${host}/series/1`, {
    method: "POST",
    headers: { host, "next-action": "7f00aa", ...(origin === null ? {} : { origin }) },
  });

describe("a server action from another origin", () => {
  test.each([["https://evil.example"], ["null"], ["https://roster.example.com.evil.example"], ["not a url"]])("Origin %s: 403", async (origin) => {
    const response = proxy(action(origin));
    expect(response.status).toBe(403);
    expect(await response.text()).toBe("Cross-site request refused.");
  });

  test.each([["https://roster.example.com"], [null]])("Origin %s goes on to Next", (origin) => {
    const response = proxy(action(origin));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-middleware-next")).toBe("1");
  });

  test("only requests carrying a server action reach the proxy", () => {
    expect(proxyConfig.matcher).toEqual([{ source: "/:path*", has: [{ type: "header", key: "next-action" }] }]);
  });
});

describe.each(dbKinds)("on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
    current.db = h.db;
  });
  afterEach(async () => {
    current.db = undefined;
    current.actor = undefined;
    await h.close();
  });

  test("an editor at the admin area gets a 403; an admin gets the page", async () => {
    expect(nextConfig.experimental?.authInterrupts).toBe(true);
    // What the build defines when that flag is on (forbidden() refuses to work without it).
    process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";
    const editor = await makeOrgWithEditor(h.db, "editor");
    const admin = await makeOrgWithEditor(h.db, "admin");
    current.actor = editor.actor;
    await expect(AdminLayout({ children: null })).rejects.toMatchObject({ digest: "NEXT_HTTP_ERROR_FALLBACK;403" });
    current.actor = admin.actor;
    await expect(AdminLayout({ children: null })).resolves.toBeTruthy();
  });

  test("a preview of another organization's group answers like one of a group that does not exist", async () => {
    const ours = await makeOrgWithEditor(h.db);
    const theirs = await makeOrgWithEditor(h.db);
    const theirConnection = await makeConnection(h.db, theirs.org.id);
    const [foreign] = await makeGroups(h.db, theirConnection.id, [{ displayName: "Their Secret Project" }]);
    const answer = async (groupId: string) => {
      try {
        await requestPreview(h.db, ours.actor, { seriesId: ours.series.id, groupId });
      } catch (error) {
        const e = error as { code?: string; message?: string; status?: number };
        return { code: e.code, message: e.message, status: e.status };
      }
      throw new Error("expected the preview to be refused");
    };
    const nonexistent = await answer("00000000-0000-4000-8000-000000000000");
    expect(nonexistent).toEqual({ code: "not_found", message: "That group was not found.", status: 404 });
    expect(await answer(foreign.id)).toEqual(nonexistent);
    // And a stranger to the series learns nothing about group ids at all.
    const stranger = async (groupId: string) => {
      try {
        await requestPreview(h.db, theirs.actor, { seriesId: ours.series.id, groupId });
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(await stranger(foreign.id)).toBe(await stranger("00000000-0000-4000-8000-000000000000"));
  });
});
