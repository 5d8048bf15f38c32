import { expect, test } from "vitest";
import { isDue, periodStart } from "./schedule";

test.each([
  // 2026-11-23 is a Monday.
  ["weekly, on Monday", "weekly", "2026-11-23T09:30:00Z", "2026-11-23T00:00:00.000Z"],
  ["weekly, on Sunday", "weekly", "2026-11-29T23:59:00Z", "2026-11-23T00:00:00.000Z"],
  ["weekly, on Wednesday", "weekly", "2026-11-25T00:00:00Z", "2026-11-23T00:00:00.000Z"],
  ["weekly, Monday midnight", "weekly", "2026-11-30T00:00:00Z", "2026-11-30T00:00:00.000Z"],
  ["daily", "daily", "2026-11-25T13:00:00Z", "2026-11-25T00:00:00.000Z"],
] as const)("periodStart %s", (_n, cadence, now, expected) => {
  expect(periodStart(cadence, new Date(now)).toISOString()).toBe(expected);
});

test.each([
  ["never scheduled", "weekly", null, "2026-11-25T10:00:00Z", true],
  ["scheduled this Monday", "weekly", "2026-11-23T00:05:00Z", "2026-11-25T10:00:00Z", false],
  ["scheduled last Sunday", "weekly", "2026-11-22T23:00:00Z", "2026-11-25T10:00:00Z", true],
  ["daily, scheduled yesterday", "daily", "2026-11-24T23:00:00Z", "2026-11-25T10:00:00Z", true],
  ["daily, scheduled today", "daily", "2026-11-25T00:01:00Z", "2026-11-25T10:00:00Z", false],
] as const)("isDue: %s", (_n, cadence, last, now, expected) => {
  expect(isDue(cadence, last ? new Date(last) : null, new Date(now))).toBe(expected);
});
