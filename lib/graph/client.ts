import type { AccessToken } from "@azure/identity";
import { AuthenticationHandler, Client, HTTPMessageHandler, type AuthenticationProvider } from "@microsoft/microsoft-graph-client";
import { cloudEndpoints } from "./cloud";
import { accessTokenClaims, createDirectoryCredential, rolesOf } from "./credential";
import { toGraphRequestError } from "./errors";
import { acquireTenantSlot, pauseTenant } from "./in-flight";
import { defaultRetryPolicy, isThrottling, retryDelayMs, type RetryPolicy } from "./retry";
import type { GraphCallStats, GraphConnectionConfig, GraphSession } from "./types";

export type { GraphSession } from "./types";

export interface OpenGraphOptions {
  /** Cap on this tenant's requests in flight, process-wide. */
  maxInFlight?: number;
  /** Overrides of the default policy (e.g. a worker bounding how long one Retry-After may make it sleep). */
  retryPolicy?: Partial<RetryPolicy>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A cached token is used until this close to its expiry, then the credential is asked again (it refreshes). */
const TOKEN_REUSE_MARGIN_MS = 5 * 60_000;

/**
 * A Graph session for one connection. The middleware chain is authentication → HTTP, without the SDK's
 * RetryHandler: `get` applies Roster's single retry policy itself, outside the tenant's in-flight slot, so a
 * request waiting out Retry-After does not hold a slot another request could use.
 */
export function openGraph(config: GraphConnectionConfig, opts: OpenGraphOptions = {}): GraphSession {
  const endpoints = cloudEndpoints(config.cloud);
  const credential = createDirectoryCredential(config, endpoints);
  const scopes = [endpoints.scope];
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...opts.retryPolicy };
  // The session keeps the credential's last token and hands it out while it is comfortably valid: asking the
  // credential costs two MSAL cache look-ups per request (ours and the SDK's), on the path between one page
  // of a nextLink chain arriving and the next request leaving.
  let cached: AccessToken | null = null;
  const validToken = (): string | null => (cached && cached.expiresOnTimestamp - Date.now() > TOKEN_REUSE_MARGIN_MS ? cached.token : null);
  async function accessToken(): Promise<string> {
    const token = await credential.getToken(scopes);
    cached = token;
    return token.token;
  }
  const authProvider: AuthenticationProvider = {
    async getAccessToken() {
      return validToken() ?? accessToken();
    },
  };
  const authentication = new AuthenticationHandler(authProvider);
  authentication.setNext(new HTTPMessageHandler());
  const client = Client.initWithMiddleware({
    baseUrl: endpoints.graphBaseUrl,
    middleware: authentication,
    // The bearer token goes only to Microsoft's Graph hosts and these; without the override host every call is 401.
    customHosts: endpoints.customHosts,
  });
  const stats: GraphCallStats = { requests: 0, retries: 0, throttleWaitMs: 0 };

  async function get<T>(pathOrAbsoluteUrl: string, init?: { headers?: Record<string, string> }): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      // Token errors (wrong secret, unknown tenant…) surface as the credential's own errors, which diagnose()
      // reads; inside the SDK they would be flattened into a GraphError.
      if (validToken() === null) await accessToken();
      const slot = await acquireTenantSlot(config.tenantId, opts.maxInFlight);
      stats.throttleWaitMs += slot.pausedMs;
      let failure;
      try {
        stats.requests++;
        const request = client.api(pathOrAbsoluteUrl);
        if (init?.headers) request.headers(init.headers);
        return (await request.get()) as T;
      } catch (error) {
        failure = toGraphRequestError(error, pathWithoutHost(pathOrAbsoluteUrl));
      } finally {
        slot.release();
      }
      const delay = retryDelayMs(failure, attempt, policy);
      if (delay === null) throw failure;
      stats.retries++;
      if (isThrottling(failure.status)) {
        stats.throttleWaitMs += delay;
        if (failure.retryAfterMs !== undefined) pauseTenant(config.tenantId, Date.now() + delay);
      }
      await sleep(delay);
    }
  }

  return {
    get,
    stats,
    async tokenRoles() {
      const token = await credential.getToken(scopes);
      return rolesOf(accessTokenClaims(token.token));
    },
  };
}

function pathWithoutHost(pathOrUrl: string): string {
  if (!/^https:\/\//i.test(pathOrUrl)) return pathOrUrl;
  const url = new URL(pathOrUrl);
  return url.pathname + url.search;
}
