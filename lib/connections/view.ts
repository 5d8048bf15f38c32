import type { directoryConnections } from "@/db/schema";
import { providerForConnection } from "@/lib/directory/registry";
import type { ChecklistItem } from "@/lib/directory/types";
import { credentialExpiryOf, secretExpiryStatus, type CredentialExpiry, type SecretExpiryStatus } from "./secret-expiry";
import type { Cadence, CloudValue, ConnectionHealthValue, ConnectionStatus } from "@/db/schema";
import { credentialViewOf, type CredentialView } from "./credential-view";

type ConnectionRow = typeof directoryConnections.$inferSelect;

/**
 * What pages and action results may carry about a connection: everything but the sealed secret and its key
 * id. Built field by field (not by omitting), so a column added later stays on the server until chosen.
 */
export interface ConnectionView {
  id: string;
  name: string;
  tenantId: string;
  clientId: string;
  cloud: CloudValue;
  /** The directory provider's name, and the permissions its guide asks this connection for (contacts' when synced). */
  providerLabel: string;
  requiredPermissions: string[];
  /** The client secret's public facts; null on a connection that never had one (made with another credential). */
  secretId: string | null;
  secretHint: string | null;
  secretExpiresOn: string | null;
  secretExpiry: SecretExpiryStatus | null;
  /** When the credential that signs in expires (secret or certificate); null for a federated credential. */
  credentialExpiry: CredentialExpiry | null;
  /** How the connection signs in, with public facts only (credential-view.ts). */
  credential: CredentialView;
  groupObjectIds: string[];
  useUsernameFallback: boolean;
  syncContacts: boolean;
  cadence: Cadence;
  ownerName: string;
  ownerEmail: string;
  status: ConnectionStatus;
  health: ConnectionHealthValue;
  grantedRoles: string[];
  lastVerification: ChecklistItem[] | null;
  lastVerifiedAt: string | null;
  lastError: { code: string; title: string; fix: string; details?: string } | null;
  groupsRefreshedAt: string | null;
  createdAt: string;
  organizations: { id: string; name: string }[];
}

export function toConnectionView(row: ConnectionRow, organizations: { id: string; name: string }[], now = new Date()): ConnectionView {
  const provider = providerForConnection(row);
  return {
    id: row.id,
    name: row.name,
    tenantId: row.tenantId,
    clientId: row.clientId,
    cloud: row.cloud,
    providerLabel: provider.label,
    requiredPermissions: [...provider.requiredPermissions, ...(row.syncContacts && provider.contactsPermission ? [provider.contactsPermission] : [])],
    secretId: row.secretId,
    secretHint: row.secretHint,
    secretExpiresOn: row.secretExpiresOn,
    // A secret no longer used warns of nothing: the connection signs in otherwise.
    secretExpiry: row.secretExpiresOn === null ? null : row.credentialKind === "secret" ? secretExpiryStatus(row.secretExpiresOn, now) : { ...secretExpiryStatus(row.secretExpiresOn, now), banner: false },
    credentialExpiry: credentialExpiryOf(row, now),
    credential: credentialViewOf(row),
    groupObjectIds: row.groupObjectIds,
    useUsernameFallback: row.useUsernameFallback,
    syncContacts: row.syncContacts,
    cadence: row.cadence,
    ownerName: row.ownerName,
    ownerEmail: row.ownerEmail,
    status: row.status,
    health: row.health,
    grantedRoles: row.grantedRoles,
    lastVerification: ((row.lastVerification as ChecklistItem[] | null) ?? null)?.map((item) => ({ ...item, title: datedExpiry(item.code, item.title, row.secretExpiresOn) })) ?? null,
    lastVerifiedAt: row.lastVerifiedAt?.toISOString() ?? null,
    lastError: row.lastError ? { ...(row.lastError as NonNullable<ConnectionView["lastError"]>), title: datedExpiry((row.lastError as { code: string }).code, (row.lastError as { title: string }).title, row.secretExpiresOn)! } : null,
    groupsRefreshedAt: row.groupsRefreshedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    organizations,
  };
}

/**
 * An expired secret is named with a date. The diagnosis carries the date when the recorded one has passed;
 * when it has not (mistyped when the secret was entered, or a run diagnosed it without the date), the date on
 * record is given as what it is, with where the real one is.
 */
export function datedExpiry(code: string | undefined, title: string | undefined, recordedExpiry: string | null): string | undefined {
  if (code !== "secret_expired" || !title || !recordedExpiry || /\d{4}-\d{2}-\d{2}/.test(title)) return title;
  return `${title} (Roster has ${recordedExpiry} on record as its expiry date; Azure's Certificates & secrets shows the real one)`;
}
