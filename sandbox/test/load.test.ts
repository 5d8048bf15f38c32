/**
 * A loaded machine: the sandbox keeps idle keep-alive sockets longer than any client reuses them, and the
 * control client sends an idempotent call again when its connection breaks before an answer.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callSandbox, isIdempotentControlCall, sandboxRequest } from "../control/client";
import { KEEP_ALIVE_MS, type Sandbox } from "../server";
import { start } from "./helpers";

let sb: Sandbox;
beforeAll(async () => {
  sb = await start();
});
afterAll(() => sb.close());

/** Two GETs on one socket (an agent with a single kept-alive socket), `idleMs` apart. */
async function twoRequestsOnOneSocket(idleMs: number) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, timeout: 60_000 });
  const sockets = new Set<unknown>();
  const get = () =>
    new Promise<{ status: number; keepAlive: string | undefined }>((resolve, reject) => {
      const req = https.get(`${sb.url}/_sandbox/health`, { agent }, (res) => {
        sockets.add(res.socket);
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, keepAlive: String(res.headers["keep-alive"] ?? "") }));
      });
      req.on("error", reject);
    });
  try {
    const first = await get();
    await new Promise((r) => setTimeout(r, idleMs));
    const second = await get();
    return { first, second, sockets: sockets.size };
  } finally {
    agent.destroy();
  }
}

describe("keep-alive", () => {
  it("advertises an idle timeout longer than clients' reuse (undici and Node's agent keep idle sockets ~4-5 s)", async () => {
    const { first } = await twoRequestsOnOneSocket(0);
    const timeout = Number(/timeout=(\d+)/.exec(first.keepAlive ?? "")?.[1]);
    expect(timeout).toBe(KEEP_ALIVE_MS / 1000);
    expect(timeout).toBeGreaterThanOrEqual(60);
  });

  it("a socket idle for 6 s (past Node's default 5 s) still answers the next request", async () => {
    const r = await twoRequestsOnOneSocket(6_000);
    expect([r.first.status, r.second.status]).toEqual([200, 200]);
    expect(r.sockets).toBe(1); // the same socket served both: the server had not closed it
  }, 30_000);
});

describe("control client", () => {
  /** A plain HTTP server whose first `resets` connections are destroyed before any answer. */
  async function flaky(resets: number) {
    let seen = 0;
    const server = http.createServer((req, res) => {
      seen++;
      if (seen <= resets) return req.socket.destroy();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true, method: req.method, url: req.url }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, seen: () => seen, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
  }

  it("knows which calls may be sent twice", () => {
    expect(isIdempotentControlCall("GET", "/tenants/t1")).toBe(true);
    expect(isIdempotentControlCall("DELETE", "/tenants/t1")).toBe(true);
    expect(isIdempotentControlCall("POST", "/tenants/t1/faults")).toBe(true);
    expect(isIdempotentControlCall("PUT", "/tenants/t1/faults")).toBe(true);
    expect(isIdempotentControlCall("POST", "/tenants")).toBe(false);
    expect(isIdempotentControlCall("POST", "/tenants/t1/mutations")).toBe(false);
  });

  it("sends an idempotent call again after a connection reset", async () => {
    const s = await flaky(2);
    try {
      expect(await callSandbox(s.url, "GET", "/tenants/x")).toMatchObject({ ok: true, url: "/_sandbox/tenants/x" });
      expect(s.seen()).toBe(3);
      const faults = await sandboxRequest(s.url, "POST", "/tenants/x/faults", { latencyMs: 1 });
      expect(faults.status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it("never repeats a mutation or a tenant creation: the reset surfaces", async () => {
    const s = await flaky(10);
    try {
      await expect(callSandbox(s.url, "POST", "/tenants/x/mutations", { op: "deleteGroup", groupId: "g" })).rejects.toThrow();
      expect(s.seen()).toBe(1);
      await expect(callSandbox(s.url, "POST", "/tenants", {})).rejects.toThrow();
      expect(s.seen()).toBe(2);
    } finally {
      await s.close();
    }
  });

  it("gives up after three attempts", async () => {
    const s = await flaky(10);
    try {
      await expect(callSandbox(s.url, "GET", "/health")).rejects.toThrow();
      expect(s.seen()).toBe(3);
    } finally {
      await s.close();
    }
  });
});
