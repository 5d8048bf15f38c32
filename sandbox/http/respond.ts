/** Small HTTP helpers shared by the token endpoint, Graph and the control API. */
import type { IncomingMessage, ServerResponse } from "node:http";

export type Headers = Record<string, string | number>;

export function send(res: ServerResponse, status: number, body: string, contentType: string, headers: Headers = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  send(res, status, typeof body === "string" ? body : JSON.stringify(body), "application/json; charset=utf-8", headers);
}

export function readBody(req: IncomingMessage, limit = 4 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error("request body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
