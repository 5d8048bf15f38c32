/**
 * Which provider serves a connection. The one file outside lib/directory/entra that imports it (`npm run lint`
 * holds everything else to lib/directory/provider.ts; docs/adr/0016-directory-provider-seam.md). A second provider
 * is added here, beside Entra.
 */
import { entraProvider } from "@/lib/directory/entra/provider";
import type { DirectoryProvider, DirectoryProviderKind } from "@/lib/directory/provider";

const PROVIDERS: Record<DirectoryProviderKind, DirectoryProvider> = {
  entra: entraProvider,
};

/** directory_connections.provider's default: what a connection saved before the column existed is. */
export const DEFAULT_PROVIDER: DirectoryProviderKind = "entra";

export function providerFor(kind: DirectoryProviderKind): DirectoryProvider {
  const provider = PROVIDERS[kind];
  if (!provider) throw new Error(`Roster has no directory provider named “${String(kind)}”.`);
  return provider;
}

/**
 * The provider of a stored connection (directory_connections.provider). Without a row (a failure met before
 * the connection was read), the column's default.
 */
export function providerForConnection(row: { provider?: DirectoryProviderKind | null; [column: string]: unknown } | null | undefined): DirectoryProvider {
  return providerFor(row?.provider ?? DEFAULT_PROVIDER);
}

/**
 * A stored connection's provider-specific settings (directory_connections.provider_config), checked by its
 * provider's configSchema; settings that do not fit are refused with what is wrong, never used as they are.
 */
export function providerSettingsOf(row: { provider?: DirectoryProviderKind | null; providerConfig?: unknown; [column: string]: unknown }): Record<string, unknown> {
  const provider = providerForConnection(row);
  const parsed = provider.configSchema.safeParse(row.providerConfig ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
    throw new Error(`This connection's ${provider.label} settings are not valid (${problems}). Save the connection's settings again.`);
  }
  return parsed.data;
}

/** Every provider Roster knows. */
export function allProviders(): DirectoryProvider[] {
  return Object.values(PROVIDERS);
}
