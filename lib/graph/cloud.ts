import { readEnv } from "@/lib/env";
import type { Cloud } from "./types";

/** Where a cloud's sign-in and Graph live, after the test/sandbox overrides. */
export interface CloudEndpoints {
  cloud: Cloud;
  /** Origin of the Entra authority, e.g. https://login.microsoftonline.com. */
  authorityHost: string;
  /** Origin of Microsoft Graph, e.g. https://graph.microsoft.com (no version, no path). */
  graphBaseUrl: string;
  /** The token scope: Graph's resource identifier for this cloud. */
  scope: string;
  /** The `cloud_instance_name` a tenant of this cloud announces in its openid-configuration. */
  instanceName: string;
  /** False for an override host: MSAL's instance discovery only knows Microsoft's own authorities. */
  isMicrosoftAuthority: boolean;
  /** Hostnames (no port) the Graph client may send the bearer token to, besides Microsoft's own. */
  customHosts: Set<string>;
}

const CLOUDS: Record<Cloud, { authority: string; graph: string; instanceName: string }> = {
  global: { authority: "https://login.microsoftonline.com", graph: "https://graph.microsoft.com", instanceName: "microsoftonline.com" },
  usgov: { authority: "https://login.microsoftonline.us", graph: "https://graph.microsoft.us", instanceName: "microsoftonline.us" },
};

const MICROSOFT_AUTHORITY_HOSTS = new Set(["login.microsoftonline.com", "login.microsoftonline.us", "login.microsoft.com", "login.windows.net"]);
const MICROSOFT_GRAPH_HOSTS = new Set(["graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us"]);

export function cloudEndpoints(cloud: Cloud, source: NodeJS.ProcessEnv = process.env): CloudEndpoints {
  const base = CLOUDS[cloud];
  // The overrides arrive as https origins (lib/env.ts checks them and names a malformed one).
  const env = readEnv(source);
  const authorityHost = env.ENTRA_AUTHORITY_HOST ?? base.authority;
  const graphBaseUrl = env.GRAPH_BASE_URL ?? base.graph;
  const graphHost = new URL(graphBaseUrl).hostname;
  return {
    cloud,
    authorityHost,
    graphBaseUrl,
    // The scope names Graph's resource in this cloud, not the host we reach it at: an override only moves the host.
    scope: `${base.graph}/.default`,
    instanceName: base.instanceName,
    isMicrosoftAuthority: MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname),
    customHosts: MICROSOFT_GRAPH_HOSTS.has(graphHost) ? new Set() : new Set([graphHost]),
  };
}

/** The cloud a tenant belongs to, from the `cloud_instance_name` of its openid-configuration. */
export function cloudOfInstance(instanceName: string | undefined): Cloud | null {
  if (!instanceName) return null;
  if (instanceName === CLOUDS.usgov.instanceName) return "usgov";
  if (instanceName === CLOUDS.global.instanceName) return "global";
  return null;
}
