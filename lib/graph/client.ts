import type { AccessToken } from "@azure/identity";
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  ResponseType,
  type AuthenticationProvider,
  type GraphRequest,
} from "@microsoft/microsoft-graph-client";
import { cloudEndpoints } from "./cloud";
import { accessTokenClaims, createDirectoryCredential, rolesOf } from "./credential";
import { toGraphRequestError } from "./errors";
import { acquireTenantSlot, pauseTenant } from "./in-flight";
import { defaultRetryPolicy, isThrottling, retryDelayMs, type RetryPolicy } from "./retry";
import { readListPage } from "./list-stream";
import type { GraphCallStats, GraphConnectionConfig, GraphSession, ListPageRead } from "./types";

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
  const endpoints = cloudEndpoints(config.cloud, process.env, config.graphHost);
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

  /**
   * One request under the retry policy: `run` sends it; a failure before `run` returns is retried as the policy
   * says. The tenant's in-flight slot is held until `run`'s result says the exchange is over (`done`).
   */
  async function send<R>(
    pathOrAbsoluteUrl: string,
    init: { headers?: Record<string, string> } | undefined,
    run: (request: GraphRequest) => Promise<{ value: R; done: Promise<unknown> }>,
  ): Promise<R> {
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
        const { value, done } = await run(request);
        void done.finally(() => slot.release());
        return value;
      } catch (error) {
        slot.release();
        failure = toGraphRequestError(error, pathWithoutHost(pathOrAbsoluteUrl));
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

  const settled = Promise.resolve();

  function get<T>(pathOrAbsoluteUrl: string, init?: { headers?: Record<string, string> }): Promise<T> {
    return send(pathOrAbsoluteUrl, init, async (request) => ({ value: (await request.get()) as T, done: settled }));
  }

  /**
   * A list page read as it streams in (list-stream.ts): the next page's link is known from the first bytes,
   * so a nextLink chain moves on while this page's body is still arriving and being parsed. A failed status is
   * retried like `get`; the body is read outside the retry (a broken body fails the page).
   */
  function getListPage<T>(pathOrAbsoluteUrl: string, init?: { headers?: Record<string, string> }): Promise<ListPageRead<T>> {
    return send(pathOrAbsoluteUrl, init, async (request) => {
      const response = (await request.responseType(ResponseType.RAW).get()) as Response;
      if (!response.ok) throw await failedResponse(response);
      const read = readListPage<T>(response, pathWithoutHost(pathOrAbsoluteUrl));
      return { value: read, done: read.page.catch(() => undefined) };
    });
  }

  return {
    get,
    getListPage,
    stats,
    async tokenRoles() {
      const token = await credential.getToken(scopes);
      return rolesOf(accessTokenClaims(token.token));
    },
  };
}

/** A non-2xx raw response, in the shape the SDK's GraphError has (what toGraphRequestError reads). */
async function failedResponse(response: Response) {
  const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  return { statusCode: response.status, code: body?.error?.code ?? null, message: body?.error?.message, headers: response.headers, body };
}

function pathWithoutHost(pathOrUrl: string): string {
  if (!/^https:\/\//i.test(pathOrUrl)) return pathOrUrl;
  const url = new URL(pathOrUrl);
  return url.pathname + url.search;
}
