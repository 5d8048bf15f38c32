import { describe, expect, test } from "vitest";
import { GraphRequestError, parseRetryAfter, toGraphRequestError } from "./errors";
import { groupKind } from "./groups";
import { defaultRetryPolicy, retryDelayMs } from "./retry";

const err = (status: number, retryAfterMs?: number) => new GraphRequestError({ status, code: "c", message: "m", retryAfterMs });
const half = () => 0.5;

describe("retry policy", () => {
  test.each([
    ["429 honours Retry-After", err(429, 3000), 1, 3000],
    ["503 honours Retry-After", err(503, 1000), 2, 1000],
    ["504 honours Retry-After", err(504, 0), 1, 0],
    ["429 without Retry-After backs off", err(429), 1, 300],
    ["500 backs off", err(500), 1, 300],
    ["500 backs off more later", err(500), 3, 1200],
    ["no response backs off", err(0), 1, 300],
    ["400 is final", err(400), 1, null],
    ["403 is final", err(403), 1, null],
    ["404 is final", err(404), 1, null],
    ["attempts are bounded", err(503), defaultRetryPolicy.maxAttempts, null],
    ["a Retry-After too long for this process is final", err(429, defaultRetryPolicy.maxRetryAfterMs + 1), 1, null],
  ])("%s", (_name, error, attempt, expected) => {
    expect(retryDelayMs(error, attempt, defaultRetryPolicy, half)).toBe(expected);
  });

  test("backoff is jittered and capped", () => {
    const lows = retryDelayMs(err(500), 20, defaultRetryPolicy, () => 0);
    const highs = retryDelayMs(err(500), 5, defaultRetryPolicy, () => 0.999);
    expect(lows).toBeNull();
    expect(highs).toBeLessThanOrEqual(defaultRetryPolicy.maxDelayMs);
    const spread = new Set(Array.from({ length: 20 }, () => retryDelayMs(err(500), 3)));
    expect(spread.size).toBeGreaterThan(1);
  });

  test.each([
    ["seconds", "2", 2000],
    ["fractional seconds", "1.5", 1500],
    ["HTTP date", new Date(10_000 + 4000).toUTCString(), 4000],
    ["garbage", "soon", undefined],
    ["absent", null, undefined],
  ])("Retry-After as %s", (_name, value, expected) => {
    expect(parseRetryAfter(value, 10_000)).toBe(expected === undefined ? undefined : expected);
  });

  test("the SDK's GraphError becomes a GraphRequestError with Retry-After", () => {
    const sdk = { statusCode: 429, code: "TooManyRequests", message: "slow down", headers: new Headers({ "retry-after": "7" }) };
    const e = toGraphRequestError(sdk, "/groups");
    expect(e).toMatchObject({ status: 429, code: "TooManyRequests", retryAfterMs: 7000, path: "/groups" });
    expect(toGraphRequestError(new TypeError("fetch failed"), "/users")).toMatchObject({ status: 0, code: "network_error" });
  });
});

describe("group kinds", () => {
  test.each([
    [{ groupTypes: [], mailEnabled: false, securityEnabled: true }, "security"],
    [{ groupTypes: ["Unified"], mailEnabled: true, securityEnabled: false }, "microsoft365"],
    [{ groupTypes: [], mailEnabled: true, securityEnabled: false }, "distribution"],
    [{ groupTypes: [], mailEnabled: true, securityEnabled: true }, "mail_security"],
    [{ groupTypes: ["DynamicMembership"], mailEnabled: false, securityEnabled: true }, "dynamic"],
    [{ groupTypes: ["Unified", "DynamicMembership"], mailEnabled: true, securityEnabled: false }, "dynamic"],
    [{ groupTypes: null, mailEnabled: null, securityEnabled: null }, "security"],
  ])("%j is %s", (group, kind) => {
    expect(groupKind(group)).toBe(kind);
  });
});
