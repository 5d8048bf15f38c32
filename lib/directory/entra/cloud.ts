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

/**
 * The Microsoft Graph hosts Roster talks to, and the cloud each belongs to
 * (https://learn.microsoft.com/en-us/graph/deployments): the global service, US Government L4 (GCC High) and
 * US Government L5 (DOD); both US Government clouds sign in at login.microsoftonline.us. Any other host a
 * tenant announces (China operated by 21Vianet, a future cloud, a tampered answer) is refused: a bearer token
 * is never sent to a host outside this list.
 */
export const GRAPH_HOSTS: Readonly<Record<string, Cloud>> = {
  "graph.microsoft.com": "global",
  "graph.microsoft.us": "usgov",
  "dod-graph.microsoft.us": "usgov",
};
const MICROSOFT_GRAPH_HOSTS = new Set(Object.keys(GRAPH_HOSTS));

/** A Graph host outside GRAPH_HOSTS, or one of another cloud than the connection's. */
export class GraphHostRefusedError extends Error {
  readonly host: string;
  constructor(host: string, cloud: Cloud) {
    const owner = GRAPH_HOSTS[host.toLowerCase()];
    super(
      owner
        ? `Microsoft Graph host ${host} belongs to ${owner === "usgov" ? "Azure Government" : "Azure Global"}, not to this connection's cloud (${cloud === "usgov" ? "Azure Government" : "Azure Global"}).`
        : `Microsoft Graph host ${host} is not one Roster supports (graph.microsoft.com, graph.microsoft.us, dod-graph.microsoft.us).`,
    );
    this.name = "GraphHostRefusedError";
    this.host = host;
  }
}

/** The host, lower-cased, when Roster may use it for a connection in `cloud`; otherwise GraphHostRefusedError. */
export function allowedGraphHost(host: string, cloud: Cloud): string {
  const h = host.trim().toLowerCase();
  if (GRAPH_HOSTS[h] !== cloud) throw new GraphHostRefusedError(host, cloud);
  return h;
}


/**
 * Where a connection signs in and reads Graph. `graphHost` is the tenant's own `msgraph_host` (saved at
 * verification); without it, the cloud's default Graph. GRAPH_BASE_URL / ENTRA_AUTHORITY_HOST (tests, the
 * sandbox) move where requests go, never the token scope, which names the tenant's Graph.
 */
export function cloudEndpoints(cloud: Cloud, source: NodeJS.ProcessEnv = process.env, graphHost?: string | null): CloudEndpoints {
  const base = CLOUDS[cloud];
  const graph = graphHost ? `https://${allowedGraphHost(graphHost, cloud)}` : base.graph;
  // The overrides arrive as https origins (lib/env.ts checks them and names a malformed one).
  const env = readEnv(source);
  const authorityHost = (cloud === "usgov" ? env.ENTRA_AUTHORITY_HOST_USGOV : undefined) ?? env.ENTRA_AUTHORITY_HOST ?? base.authority;
  const graphBaseUrl = env.GRAPH_BASE_URL ?? graph;
  const reachedHost = new URL(graphBaseUrl).hostname;
  return {
    cloud,
    authorityHost,
    graphBaseUrl,
    // The scope names Graph's resource for this tenant, not the host we reach it at: an override only moves the host.
    scope: `${graph}/.default`,
    instanceName: base.instanceName,
    isMicrosoftAuthority: MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname),
    customHosts: MICROSOFT_GRAPH_HOSTS.has(reachedHost) ? new Set() : new Set([reachedHost]),
  };
}

/** The cloud a tenant belongs to, from the `cloud_instance_name` of its openid-configuration. */
export function cloudOfInstance(instanceName: string | undefined): Cloud | null {
  if (!instanceName) return null;
  if (instanceName === CLOUDS.usgov.instanceName) return "usgov";
  if (instanceName === CLOUDS.global.instanceName) return "global";
  return null;
}
