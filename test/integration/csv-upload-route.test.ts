/**
 * The CSV upload routes (recipient import, exclusion list, import replacement) share one door; the upload route against bodies that lie about their size: a chunked body with no Content-Length is counted
 * as it arrives and abandoned past 5 MB, never buffered whole. The route handler is called directly with a real
 * streaming Request; the session is the one thing stood in for (it needs Next's request context).
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { makeWorld } from "./audience-fixtures";
import type { Actor } from "@/lib/auth/actor";

const current: { db?: TestDb["db"]; actor?: Actor | null } = {};
vi.mock("@/lib/db", () => ({ getDb: async () => current.db! }));
vi.mock("@/lib/auth/session", () => ({ currentActor: async () => current.actor ?? null }));

const { POST } = await import("@/app/series/[seriesId]/audience/upload/route");
const exclusionUpload = await import("@/app/series/[seriesId]/audience/exclusions/upload/route");
const replaceRoute = await import("@/app/series/[seriesId]/audience/imports/[sourceId]/replace/route");

const MB = 1024 * 1024;
const boundary = "----roster-test-boundary";

/** A multipart body of `total` bytes of CSV, produced only as it is read; counts what was pulled. */
function chunkedUpload(total: number) {
  const stats = { pulled: 0 };
  const head = new TextEncoder().encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.csv"\r\nContent-Type: text/csv\r\n\r\nemail,name\r\n`,
  );
  const row = new TextEncoder().encode("someone@example.com,Some One\r\n".repeat(2048)); // ~60 KB per chunk
  let sentHead = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = sentHead ? row : head;
      sentHead = true;
      if (stats.pulled >= total) return controller.close();
      stats.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { body, stats };
}

describe.each(dbKinds)("CSV upload route on %s", (kind) => {
  let h: TestDb;
  let w: Awaited<ReturnType<typeof makeWorld>>;
  beforeEach(async () => {
    h = await createTestDb(kind);
    w = await makeWorld(h.db);
    current.db = h.db;
    current.actor = w.editor.actor;
  });
  afterEach(async () => {
    current.db = undefined;
    current.actor = undefined;
    await h.close();
  });

  const post = (init: RequestInit) =>
    POST(new Request(`http://localhost/series/${w.series.id}/audience/upload`, { method: "POST", ...init }), {
      params: Promise.resolve({ seriesId: w.series.id }),
    });

  test("a chunked 286 MB upload without Content-Length is refused 413 after reading about 5 MB", async () => {
    const { body, stats } = chunkedUpload(286 * MB);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const response = await post({
      body,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      duplex: "half",
    } as RequestInit);
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    console.info(`[measure] chunked 286 MB upload: ${(stats.pulled / MB).toFixed(2)} MB read, RSS +${(rssGrowth / MB).toFixed(0)} MB before the 413`);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: "too_large", message: expect.stringMatching(/limit of 5 MB/) } });
    // The bound: the body was abandoned within a chunk of the limit (5 MB and the multipart slack), not read whole.
    expect(stats.pulled).toBeLessThan(5 * MB + 64 * 1024 + 2 * 64 * 1024 + 1);
    expect(rssGrowth).toBeLessThan(200 * MB);
  });

  test("a Content-Length that lies low does not let a bigger body through", async () => {
    const { body, stats } = chunkedUpload(40 * MB);
    const response = await post({
      body,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": "1000" },
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(stats.pulled).toBeLessThan(6 * MB);
  });

  test("a file under the limit is still imported", async () => {
    const form = new FormData();
    form.set("file", new File(["email,name\nada@example.com,Ada\n"], "small.csv", { type: "text/csv" }));
    const response = await post({ body: form });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, data: { imported: 1, fileName: "small.csv" } });
  });

  test("a declared Content-Length over the limit is refused before reading", async () => {
    const { body, stats } = chunkedUpload(40 * MB);
    const response = await post({
      body,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(40 * MB) },
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(stats.pulled).toBeLessThan(1 * MB);
  });

  const csvForm = (text: string, extra: Record<string, string> = {}) => {
    const form = new FormData();
    form.set("file", new File([text], "list.csv", { type: "text/csv" }));
    for (const [k, v] of Object.entries(extra)) form.set(k, v);
    return form;
  };

  test("the three CSV routes share one door: cross-site 403, no session 401, no file 400, each with its message", async () => {
    const imported = await (await post({ body: csvForm("email\nada@example.com\n") })).json();
    const sourceId = imported.data.sourceId as string;
    const routes = [
      (init: RequestInit) => POST(new Request("http://localhost/x", { method: "POST", ...init }), { params: Promise.resolve({ seriesId: w.series.id }) }),
      (init: RequestInit) =>
        exclusionUpload.POST(new Request("http://localhost/x", { method: "POST", ...init }), { params: Promise.resolve({ seriesId: w.series.id }) }),
      (init: RequestInit) =>
        replaceRoute.POST(new Request("http://localhost/x", { method: "POST", ...init }), { params: Promise.resolve({ seriesId: w.series.id, sourceId }) }),
    ];
    for (const route of routes) {
      const crossSite = await route({ body: csvForm("email\nbo@example.com\n"), headers: { origin: "https://evil.example", host: "localhost" } });
      expect(crossSite.status).toBe(403);
      expect(await crossSite.json()).toEqual({ ok: false, error: { code: "forbidden", message: "Cross-site upload refused." } });
      current.actor = null;
      const stranger = await route({ body: csvForm("email\nbo@example.com\n") });
      expect(stranger.status).toBe(401);
      expect((await stranger.json()).error.code).toBe("unauthenticated");
      current.actor = w.editor.actor;
      const noFile = new FormData();
      noFile.set("reason", "unsubscribed");
      const missing = await route({ body: noFile });
      expect(missing.status).toBe(400);
      expect(await missing.json()).toEqual({ ok: false, error: { code: "invalid_input", message: "Choose a CSV file to upload." } });
    }
  });

  test("an exclusion list and an import's replacement go through to their verbs", async () => {
    const imported = await (await post({ body: csvForm("email\nada@example.com\nbo@example.com\n") })).json();
    const excluded = await exclusionUpload.POST(new Request("http://localhost/x", { method: "POST", body: csvForm("email\nada@example.com\n", { reason: "unsubscribed" }) }), {
      params: Promise.resolve({ seriesId: w.series.id }),
    });
    expect(excluded.status).toBe(200);
    expect(await excluded.json()).toMatchObject({ ok: true, data: { excluded: 1, leftAudience: 1 } });
    const replaced = await replaceRoute.POST(new Request("http://localhost/x", { method: "POST", body: csvForm("email\nbo@example.com\ncy@example.com\n") }), {
      params: Promise.resolve({ seriesId: w.series.id, sourceId: imported.data.sourceId }),
    });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ ok: true, data: { added: 1 } });
  });
});
