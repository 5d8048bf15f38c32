import { describe, expect, test } from "vitest";
import { expiryThreshold } from "./kinds";

describe("expiryThreshold", () => {
  test.each([
    [45, null],
    [31, null],
    [30, 30],
    [20, 30],
    [14, 14],
    [8, 14],
    [7, 7],
    [2, 7],
    [1, 1],
    [0, 0],
    [-3, 0],
  ])("%i days left → %s", (days, threshold) => {
    expect(expiryThreshold(days)).toBe(threshold);
  });
});
