/**
 * Which provider serves a connection. The one file outside lib/directory/entra that imports it (`npm run lint`
 * holds everything else to lib/directory/provider.ts; docs/adr/0014-directory-provider-seam.md). A second provider
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

/** Every provider Roster knows. */
export function allProviders(): DirectoryProvider[] {
  return Object.values(PROVIDERS);
}
