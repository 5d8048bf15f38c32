/**
 * National clouds as Entra and Graph name them. A tenant lives in one cloud; its tokens are only issued for
 * that cloud's Graph and Graph only accepts tokens whose audience is its own host.
 *
 * Hosts per https://learn.microsoft.com/en-us/graph/deployments: the global service at graph.microsoft.com;
 * US Government L4 (GCC High) at graph.microsoft.us; US Government L5 (DOD) at dod-graph.microsoft.us. Both
 * US Government clouds sign in at login.microsoftonline.us (cloud instance microsoftonline.us); a tenant's
 * openid-configuration names its Graph in `msgraph_host`, and a DoD tenant's `tenant_region_sub_scope` is DOD.
 */
export type Cloud = "global" | "usgov" | "usgovdod";

/** The US Government clouds (L4 and L5): one authority, two Graph hosts. */
export const isGovernment = (cloud: Cloud) => cloud !== "global";

export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export interface CloudInfo {
  graphResource: string;
  msgraphHost: string;
  cloudInstanceName: string;
  tenantRegionScope: string;
  tenantRegionSubScope?: string;
  loginHost: string;
}

export const CLOUDS: Record<Cloud, CloudInfo> = {
  global: {
    graphResource: "https://graph.microsoft.com",
    msgraphHost: "graph.microsoft.com",
    cloudInstanceName: "microsoftonline.com",
    tenantRegionScope: "NA",
    loginHost: "login.microsoftonline.com",
  },
  usgov: {
    graphResource: "https://graph.microsoft.us",
    msgraphHost: "graph.microsoft.us",
    cloudInstanceName: "microsoftonline.us",
    tenantRegionScope: "USGov",
    loginHost: "login.microsoftonline.us",
  },
  usgovdod: {
    graphResource: "https://dod-graph.microsoft.us",
    msgraphHost: "dod-graph.microsoft.us",
    cloudInstanceName: "microsoftonline.us",
    tenantRegionScope: "USGov",
    tenantRegionSubScope: "DOD",
    loginHost: "login.microsoftonline.us",
  },
};

/** The audiences Graph accepts for a tenant in `cloud`. */
export function graphAudiences(cloud: Cloud): string[] {
  return [CLOUDS[cloud].graphResource, `${CLOUDS[cloud].graphResource}/`, GRAPH_APP_ID];
}
