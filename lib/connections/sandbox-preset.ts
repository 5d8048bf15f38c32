import "server-only";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { notFound } from "@/lib/errors";

export type SandboxPreset = {
  clientId: string;
  tenantId: string;
  secretId: string;
  secretValue: string;
  secretExpiresOn: string;
};

export function sandboxPresetAvailable(): boolean {
  return process.env.NODE_ENV === "development";
}

/**
 * The demo tenant's documented ids and secret for "Use the sandbox tenant", in development only. Read from the
 * sandbox's scenario file at request time so that no sandbox code is part of a production build (the sandbox
 * stands in for Microsoft and shares no code with the product).
 */
export async function sandboxPreset(): Promise<SandboxPreset> {
  if (!sandboxPresetAvailable()) throw notFound("The sandbox tenant");
  const file = path.join(process.cwd(), "sandbox", "scenarios", "northwind.json");
  const scenario = JSON.parse(await readFile(file, "utf8")) as {
    tenant: { id: string };
    apps: { name: string; clientId: string; secrets: { secretId: string; value: string; expiresInDays: number }[] }[];
  };
  const app = scenario.apps[0];
  const secret = [...app.secrets].sort((a, b) => b.expiresInDays - a.expiresInDays)[0];
  const expires = new Date(Date.now() + Math.max(1, secret.expiresInDays - 1) * 86_400_000).toISOString().slice(0, 10);
  return { clientId: app.clientId, tenantId: scenario.tenant.id, secretId: secret.secretId, secretValue: secret.value, secretExpiresOn: expires };
}
