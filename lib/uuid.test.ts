import { expect, test } from "vitest";
import { isUuid } from "./uuid";

test.each([
  ["0a1b2c3d-1234-5678-9abc-def012345678", true],
  ["0A1B2C3D-1234-5678-9ABC-DEF012345678", true],
  ["0a1b2c3d12345678-9abc-def012345678", false],
  [" 0a1b2c3d-1234-5678-9abc-def012345678", false],
  ["0a1b2c3d-1234-5678-9abc-def01234567g", false],
  ["", false],
  ["'; drop table series; --", false],
])("isUuid(%j) is %s", (value, expected) => {
  expect(isUuid(value)).toBe(expected);
});
