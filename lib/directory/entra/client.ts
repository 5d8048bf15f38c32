import { createHash, randomUUID } from "node:crypto";
import type { AccessToken, TokenCredential } from "@azure/identity";
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  ResponseType,
  type AuthenticationProvider,
  type GraphRequest,
} from "@microsoft/microsoft-graph-client";
import { cloudEndpoints, type CloudEndpoints } from "./cloud";
import { accessTokenClaims, createDirectoryCredential, credentialFingerprint, rolesOf } from "./credential";
import { GraphRequestError, supportIds, toGraphRequestError } from "./errors";
import { DEFAULT_MAX_IN_FLIGHT, processTenantGate } from "./in-flight";
import { defaultRetryPolicy, isThrottling, retryDelayMs, type RetryPolicy } from "./retry";
import { readListPage } from "./list-stream";
import type { SessionOptions } from "@/lib/directory/provider";
import type { GraphCallStats, GraphConnectionConfig, GraphRequestInit, GraphSession, ListPageRead } from "./types";

export type { GraphSession } from "./types";

/** What a session may be opened with: the provider seam's options (lib/directory/provider.ts), as Graph reads them. */
export type OpenGraphOptions = SessionOptions;

/**
 * Default idle timeout. Graph answers a 999-member page in well under a second and streams it without
 * pauses; a minute with no byte is a stalled connection, not a slow page.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

function defaultIdleTimeoutMs(): number {
  const fromEnv = Number(process.env.GRAPH_IDLE_TIMEOUT_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_IDLE_TIMEOUT_MS;
}

/** Waits `ms`, or until `signal` aborts (then rejects with the signal's reason). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A cached token is used until this close to its expiry, then the credential is asked again (it refreshes). */
const TOKEN_REUSE_MARGIN_MS = 5 * 60_000;

/** A credential and the last token it gave, shared by the sessions of one connection (see credentialKey). */
interface Identity {
  fingerprint: string;
  credential: TokenCredential;
  token: AccessToken | null;
}

const identities = globalThis as unknown as { rosterGraphIdentities?: Map<string, Identity> };

/**
 * The key never holds the secret: a SHA-256 over everything that makes a different credential. It stays in
 * this process's memory and is never logged.
 */
function identityFor(config: GraphConnectionConfig, endpoints: CloudEndpoints, key: string | undefined): Identity {
  const fingerprint = createHash("sha256")
    .update([config.cloud, endpoints.authorityHost, endpoints.scope, config.tenantId, config.clientId, credentialFingerprint(config)].join("\n"))
    .digest("hex");
  const fresh = (): Identity => ({ fingerprint, credential: createDirectoryCredential(config, endpoints), token: null });
  if (key === undefined) return fresh();
  identities.rosterGraphIdentities ??= new Map();
  const known = identities.rosterGraphIdentities.get(key);
  if (known?.fingerprint === fingerprint) return known;
  const identity = fresh();
  identities.rosterGraphIdentities.set(key, identity); // a rotated secret replaces the old credential
  return identity;
}

/**
 * Forgets every shared credential and its token, as a new process starts with none. A token Entra issued stays
 * valid until it expires even after its secret is revoked, so tests of what a failed sign-in does start here.
 */
export function forgetSharedCredentials(): void {
  identities.rosterGraphIdentities?.clear();
}

/** Aborts a request that makes no progress for `ms`: armed at send, re-armed by every piece of the body. */
function idleTimer(ms: number) {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let fired = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      fired = true;
      controller.abort(new Error(`no progress for ${ms} ms`));
    }, ms);
  };
  arm();
  return { signal: controller.signal, touch: arm, stop: () => clearTimeout(timer), fired: () => fired };
}
type IdleTimer = ReturnType<typeof idleTimer>;

const linkOf = (page: unknown): string | null => {
  const v = (page as Record<string, unknown> | null)?.["@odata.nextLink"];
  return typeof v === "string" && v.length > 0 ? v : null;
};

/**
 * A Graph session for one connection. The middleware chain is authentication → HTTP, without the SDK's
 * RetryHandler: Roster applies its single retry policy itself, outside the tenant's in-flight slot, so a
 * request waiting out Retry-After does not hold a slot another request could use.
 */
export function openGraph(config: GraphConnectionConfig, opts: OpenGraphOptions = {}): GraphSession {
  const endpoints = cloudEndpoints(config.cloud, process.env, config.graphHost);
  const identity = identityFor(config, endpoints, opts.credentialKey);
  const { credential } = identity;
  const scopes = [endpoints.scope];
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...opts.retryPolicy };
  const gate = opts.gate ?? processTenantGate;
  const maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const idleTimeoutMs = opts.idleTimeoutMs ?? defaultIdleTimeoutMs();
  // The last token is handed out while it is comfortably valid: asking the credential costs two MSAL cache
  // look-ups per request (ours and the SDK's), on the path between one page of a nextLink chain arriving and
  // the next request leaving.
  const validToken = (): string | null =>
    identity.token && identity.token.expiresOnTimestamp - Date.now() > TOKEN_REUSE_MARGIN_MS ? identity.token.token : null;
  // The credentials Roster makes throw on a refusal; TokenCredential's contract also allows null.
  async function fetchToken(): Promise<AccessToken> {
    const token = await credential.getToken(scopes);
    if (!token) throw new Error("Entra ID returned no access token.");
    return token;
  }
  async function accessToken(): Promise<string> {
    const token = await fetchToken();
    identity.token = token;
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
   * One logical request under the retry policy: `once` is one exchange, whole (for a list page: its body
   * too); a failure is retried as the policy says, a Retry-After pausing the whole tenant through the gate.
   */
  async function withRetries<R>(pathOrAbsoluteUrl: string, once: () => Promise<R>, signal?: AbortSignal): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      // A caller that gave up (a page reader stopped after its attempt failed) asks for nothing more: no new
      // attempt, and a wait for Retry-After or backoff ends at once.
      signal?.throwIfAborted();
      // Token errors (wrong secret, unknown tenant…) surface as the credential's own errors, which diagnose()
      // reads; inside the SDK they would be flattened into a GraphError.
      if (validToken() === null) await accessToken();
      let failure: GraphRequestError;
      try {
        return await once();
      } catch (error) {
        failure = toGraphRequestError(error, pathWithoutHost(pathOrAbsoluteUrl));
      }
      signal?.throwIfAborted();
      const delay = retryDelayMs(failure, attempt, policy);
      if (delay === null) throw failure;
      stats.retries++;
      if (isThrottling(failure.status)) stats.throttleWaitMs += delay;
      await sleep(delay, signal);
    }
  }

  /**
   * One HTTP exchange inside a tenant slot, held until `run` is done with the response. Every request carries
   * its own client-request-id (a GUID Graph echoes and logs, for support) and the session's priority.
   */
  async function exchange<R>(
    pathOrAbsoluteUrl: string,
    init: GraphRequestInit | undefined,
    run: (request: GraphRequest, timer: IdleTimer) => Promise<R>,
    /** Whether a result is a page with a next page: its slot may then be kept for that page (TenantSlot.release). */
    goesOn?: (result: R) => boolean,
  ): Promise<R> {
    const slot = await gate.acquire(config.tenantId, maxInFlight);
    let more = false;
    stats.throttleWaitMs += slot.pausedMs;
    const timer = idleTimer(idleTimeoutMs);
    if (init?.signal?.aborted) {
      timer.stop();
      slot.release();
      throw init.signal.reason;
    }
    try {
      stats.requests++;
      const request = client
        .api(pathOrAbsoluteUrl)
        .option("signal", init?.signal ? AbortSignal.any([timer.signal, init.signal]) : timer.signal)
        .headers({
          "client-request-id": randomUUID(),
          ...(opts.priority ? { "x-ms-throttle-priority": opts.priority } : {}),
          ...init?.headers,
        });
      const result = await run(request, timer);
      more = goesOn?.(result) ?? false;
      return result;
    } catch (error) {
      if (init?.signal?.aborted) throw init.signal.reason;
      if (!timer.fired()) {
        // A Retry-After pauses the whole tenant before this slot is given back, so no request of another
        // session (or process, with a shared gate) slips in between the 429 and the pause. Graph's budget is
        // per app and tenant. A Retry-After longer than this session may wait sends its job back to the queue
        // (the retry policy) and, as before, sets no pause.
        const failure = toGraphRequestError(error, pathWithoutHost(pathOrAbsoluteUrl));
        if (isThrottling(failure.status) && failure.retryAfterMs !== undefined && failure.retryAfterMs <= policy.maxRetryAfterMs) {
          await gate.pause(config.tenantId, failure.retryAfterMs).catch(() => undefined);
        }
        throw error;
      }
      throw new GraphRequestError({
        status: 0,
        code: "timeout",
        message: `Microsoft Graph sent nothing for ${Math.round(idleTimeoutMs / 1000)} s; the request was abandoned.`,
        path: pathWithoutHost(pathOrAbsoluteUrl),
      });
    } finally {
      timer.stop();
      slot.release({ more });
    }
  }

  function get<T>(pathOrAbsoluteUrl: string, init?: GraphRequestInit): Promise<T> {
    return withRetries(pathOrAbsoluteUrl, () => exchange(pathOrAbsoluteUrl, init, async (request) => (await request.get()) as T), init?.signal);
  }

  /**
   * A list page read as it streams in (list-stream.ts): the next page's link is known from the first bytes,
   * so a nextLink chain moves on while this page's body is still arriving and being parsed. The retry covers
   * the body too: a page whose body breaks off, stalls or is not JSON is requested again, whole.
   *
   * The link announced first is the one the caller follows. When this page's body then breaks, the caller
   * has already asked for the next page, so the page is fetched again by the same URL (a skiptoken names a
   * fixed position in Graph's listing) and its own nextLink is not announced a second time: the caller gets
   * this page once, whole, and the next page once.
   */
  function getListPage<T>(pathOrAbsoluteUrl: string, init?: GraphRequestInit): Promise<ListPageRead<T>> {
    let announced = false;
    let settle!: { resolve: (link: string | null) => void; reject: (error: unknown) => void };
    const nextLink = new Promise<string | null>((resolve, reject) => (settle = { resolve, reject }));
    nextLink.catch(() => undefined); // a caller may await only the page; its rejection carries the same error
    const announce = (link: string | null) => {
      if (announced) return;
      announced = true;
      settle.resolve(link);
    };
    const page = withRetries(pathOrAbsoluteUrl, () =>
      exchange(pathOrAbsoluteUrl, init, async (request, timer) => {
        const response = (await request.responseType(ResponseType.RAW).get()) as Response;
        if (!response.ok) throw await failedResponse(response);
        timer.touch();
        const read = readListPage<T>(response, pathWithoutHost(pathOrAbsoluteUrl), { onChunk: timer.touch });
        read.nextLink.then(announce, () => undefined); // a broken attempt announces nothing; the next one may
        return read.page;
      }, (p) => linkOf(p) !== null),
      init?.signal,
    );
    page.then(
      (p) => announce(linkOf(p)),
      (error: unknown) => {
        if (announced) return;
        announced = true;
        settle.reject(error);
      },
    );
    return Promise.resolve({ nextLink, page });
  }

  return {
    get,
    getListPage,
    stats,
    async tokenRoles() {
      const token = await fetchToken();
      return rolesOf(accessTokenClaims(token.token));
    },
  };
}

/** A non-2xx raw response, in the shape the SDK's GraphError has (what toGraphRequestError reads). */
async function failedResponse(response: Response) {
  const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  return { statusCode: response.status, code: body?.error?.code ?? null, message: body?.error?.message, headers: response.headers, body, ...supportIds(response.headers) };
}

function pathWithoutHost(pathOrUrl: string): string {
  if (!/^https:\/\//i.test(pathOrUrl)) return pathOrUrl;
  const url = new URL(pathOrUrl);
  return url.pathname + url.search;
}
