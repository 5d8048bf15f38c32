import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { IdTable } from "./id-table";

describe("IdTable", () => {
  it("numbers ids in first-seen order, finds them again in any case, and gives them back lower-cased", () => {
    const t = new IdTable();
    const ids = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? `plain-${i}` : randomUUID()));
    ids.forEach((id, i) => expect(t.intern(i % 3 ? id : id.toUpperCase())).toBe(i));
    expect(t.size).toBe(5000);
    ids.forEach((id, i) => {
      expect(t.intern(id)).toBe(i);
      expect(t.find(id.toUpperCase())).toBe(i);
      expect(t.at(i)).toBe(id.toLowerCase());
    });
    expect(t.find(randomUUID())).toBeUndefined();
    expect(t.find("plain-1")).toBeUndefined();
    // A GUID-like id that is not one (a 'g' digit) is kept as text, not confused with a GUID.
    const notHex = "0000000g-0000-0000-0000-000000000000";
    expect(t.find(notHex)).toBeUndefined();
    expect(t.at(t.intern(notHex))).toBe(notHex);
  });

  it("ids that share their hashed digits stay apart", () => {
    const t = new IdTable();
    const a = "12345678-0000-0000-0000-00000000abcd";
    const b = "12345678-1111-0000-0000-00000000abcd"; // same first and last eight digits: same hash
    expect([t.intern(a), t.intern(b), t.intern(a)]).toEqual([0, 1, 0]);
    expect([t.at(0), t.at(1)]).toEqual([a, b]);
  });
});
