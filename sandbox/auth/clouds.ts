/**
 * National clouds as Entra and Graph name them. A tenant lives in one cloud; its tokens are only issued for
 * that cloud's Graph and Graph only accepts tokens whose audience is its own host.
 */
export type Cloud = "global" | "usgov";

export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export interface CloudInfo {
  graphResource: string;
  msgraphHost: string;
  cloudInstanceName: string;
  tenantRegionScope: string;
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
};

/** The audiences Graph accepts for a tenant in `cloud`. */
export function graphAudiences(cloud: Cloud): string[] {
  return [CLOUDS[cloud].graphResource, `${CLOUDS[cloud].graphResource}/`, GRAPH_APP_ID];
}
