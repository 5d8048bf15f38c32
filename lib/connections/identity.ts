import "server-only";
import { and, eq, ne } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { directoryConnections } from "@/db/schema";
import { roleIn, type Actor } from "@/lib/auth/actor";
import type { DirectoryProvider } from "@/lib/directory/provider";
import { providerForConnection } from "@/lib/directory/registry";
import type { Cloud } from "@/lib/directory/types";
import { organizationsOf } from "./access";
import { isGuid } from "./validation";

/**
 * The Directory (tenant) ID as a GUID. Entra accepts a tenant's verified domain (contoso.onmicrosoft.com) in
 * place of its id, and the tenant's OpenID configuration names the id in its endpoints: its token_endpoint is
 * https://login.microsoftonline.com/{tenant id}/oauth2/v2.0/token
 * (https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri).
 * Roster stores the id: a domain can be renamed or removed, the id cannot. The provider discovers it (a new
 * connection's is the column default's: Entra).
 */
export async function resolveTenantId(
  tenant: string,
  cloud: Cloud,
  provider: DirectoryProvider = providerForConnection(null),
): Promise<{ ok: true; tenantId: string } | { ok: false; error: string }> {
  if (isGuid(tenant)) return { ok: true, tenantId: tenant.toLowerCase() };
  const discovery = await provider.discover(tenant, cloud);
  if (!discovery.ok) {
    const d = discovery.diagnosis;
    if (d.code === "tenant_not_found") {
      return { ok: false, error: `No directory answers to ${tenant}. Enter the Directory (tenant) ID from the app registration's Overview page, or a verified domain of the directory (Entra ID → Custom domain names).` };
    }
    return { ok: false, error: `${d.title}. ${d.fix}` };
  }
  const id = discovery.tenantId;
  if (!id) return { ok: false, error: `The directory behind ${tenant} did not say its tenant ID. Enter the Directory (tenant) ID from the app registration's Overview page.` };
  return { ok: true, tenantId: id };
}

export type ExistingConnection = { connectionId: string; name: string } | { connectionId: null; name: null };

/**
 * Another connection to the same directory with the same app: two would sync the same groups twice and split
 * their health. Named (with its id, for a link) only to an admin of an organization it serves.
 */
export async function findSameAppConnection(
  db: Executor,
  actor: Actor,
  ids: { tenantId: string; clientId: string },
  exceptId?: string,
): Promise<ExistingConnection | null> {
  const where = and(
    eq(directoryConnections.tenantId, ids.tenantId.toLowerCase()),
    eq(directoryConnections.clientId, ids.clientId.toLowerCase()),
    exceptId ? ne(directoryConnections.id, exceptId) : undefined,
  );
  const [row] = await db.select({ id: directoryConnections.id, name: directoryConnections.name }).from(directoryConnections).where(where).limit(1);
  if (!row) return null;
  const orgs = (await organizationsOf(db, [row.id])).get(row.id) ?? [];
  return orgs.some((o) => roleIn(actor, o.id) === "admin") ? { connectionId: row.id, name: row.name } : { connectionId: null, name: null };
}

export function sameAppMessage(existing: ExistingConnection): string {
  return existing.connectionId
    ? `This app is already connected to this directory as “${existing.name}”. Open that connection instead, or use another app registration.`
    : "This app is already connected to this directory by another organization. Ask its admin to serve your organization too, or use another app registration.";
}
