/**
 * The test tool's own API under /_sandbox/ (JSON, no auth): create and delete tenants, read their manifests
 * and expected answers, set faults, mutate directories and app registrations, read the request log.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { FaultsSchema } from "../faults/faults";
import { readBody, sendJson } from "../http/respond";
import type { RequestLog } from "../log/request-log";
import { createTenant, TenantSpecSchema } from "../tenants/create-tenant";
import { groupDetail, tenantManifest } from "../tenants/manifest";
import type { TenantRegistry } from "../tenants/registry";
import type { Tenant } from "../tenants/tenant";
import { applyMutation, ControlError, MutationSchema } from "./mutations";

export interface ControlContext {
  registry: TenantRegistry;
  unattributed: RequestLog;
  /** The server's base URL as clients should use it. */
  url: string;
}

const MutationsBody = z.union([z.object({ ops: z.array(MutationSchema).min(1) }).strict(), MutationSchema]);

async function json(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ControlError(400, "body is not valid JSON");
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ControlError(400, r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  return r.data;
}

function summary(t: Tenant) {
  return { tenantId: t.id, displayName: t.displayName, cloud: t.cloud, source: t.source, users: t.directory.users.count, groups: t.directory.groups.length };
}

export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ControlContext): Promise<void> {
  const parts = url.pathname.split("/").filter(Boolean).slice(1).map(decodeURIComponent); // after "_sandbox"
  const method = req.method ?? "GET";
  try {
    if (parts.length === 0 || parts[0] === "health") {
      return sendJson(res, 200, { ok: true, url: ctx.url, tenants: ctx.registry.list().length });
    }
    if (parts[0] === "requests" && parts.length === 1) {
      if (method === "DELETE") {
        ctx.unattributed.clear();
        return sendJson(res, 200, { cleared: true });
      }
      return sendJson(res, 200, { requests: ctx.unattributed.list(Number(url.searchParams.get("since") ?? 0)) });
    }
    if (parts[0] !== "tenants") throw new ControlError(404, `unknown control path ${url.pathname}`);

    if (parts.length === 1) {
      if (method === "GET") return sendJson(res, 200, { tenants: ctx.registry.list().map(summary) });
      if (method !== "POST") throw new ControlError(405, `${method} not allowed`);
      const spec = parse(TenantSpecSchema, await json(req));
      if (spec.tenantId && ctx.registry.get(spec.tenantId)) throw new ControlError(409, `tenant ${spec.tenantId} already exists`);
      const t = createTenant(spec);
      ctx.registry.add(t);
      return sendJson(res, 201, tenantManifest(t, ctx.url));
    }

    const t = ctx.registry.get(parts[1]);
    if (!t) throw new ControlError(404, `no tenant ${parts[1]}`);
    const sub = parts[2];

    if (sub === undefined) {
      if (method === "DELETE") {
        ctx.registry.remove(t.id);
        return sendJson(res, 200, { deleted: t.id });
      }
      return sendJson(res, 200, tenantManifest(t, ctx.url));
    }
    if (sub === "groups" && parts[3] && parts.length === 4) {
      const g = t.directory.findGroup(parts[3]);
      if (g < 0) throw new ControlError(404, `no group ${parts[3]}`);
      return sendJson(res, 200, groupDetail(t, g));
    }
    if (sub === "faults" && parts.length === 3) {
      if (method === "DELETE") t.faults.clear();
      else if (method === "POST" || method === "PUT") t.faults.set(parse(FaultsSchema, await json(req)));
      return sendJson(res, 200, t.faults.snapshot());
    }
    if (sub === "mutations" && parts.length === 3) {
      if (method !== "POST") throw new ControlError(405, `${method} not allowed`);
      const body = parse(MutationsBody, await json(req));
      const ops = "ops" in body ? body.ops : [body];
      const results: Record<string, unknown>[] = [];
      for (const [k, op] of ops.entries()) {
        try {
          results.push(applyMutation(t, op));
        } catch (e) {
          if (e instanceof ControlError) return sendJson(res, e.status, { error: { code: "MutationFailed", message: e.message, index: k }, results });
          throw e;
        }
      }
      return sendJson(res, 200, { results, version: t.directory.version });
    }
    if (sub === "requests" && parts.length === 3) {
      if (method === "DELETE") {
        t.log.clear();
        return sendJson(res, 200, { cleared: true });
      }
      return sendJson(res, 200, { tenantId: t.id, requests: t.log.list(Number(url.searchParams.get("since") ?? 0)) });
    }
    throw new ControlError(404, `unknown control path ${url.pathname}`);
  } catch (e) {
    if (e instanceof ControlError) return sendJson(res, e.status, { error: { code: e.status === 404 ? "NotFound" : "BadRequest", message: e.message } });
    console.error("sandbox: control API failed", e);
    return sendJson(res, 500, { error: { code: "InternalError", message: String(e) } });
  }
}
