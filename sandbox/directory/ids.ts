/**
 * Object ids. Generated directories derive each GUID from (seed, kind, index) and can decode it back, so
 * looking up one of a million users by id needs no map. The GUIDs look random (version-4 shape) because
 * real Entra ids are, and a product must never rely on their order.
 */
import { randomUUID } from "node:crypto";
import { fmix32, hash32 } from "./prng";

export function randomGuid(): string {
  return randomUUID();
}

export function isGuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/** A GUID drawn from a seeded PRNG, for scenarios built in order (Northwind). */
export function guidFrom(rand: () => number): string {
  let s = "";
  for (let i = 0; i < 32; i++) s += Math.floor(rand() * 16).toString(16);
  const variant = "89ab"[Math.floor(rand() * 4)];
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${variant}${s.slice(17, 20)}-${s.slice(20, 32)}`;
}

function modInverse(a: number): number {
  // Newton's iteration for the inverse of an odd number modulo 2^32.
  let x = a;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x >>> 0;
}
const INV_C2 = modInverse(0xc2b2ae35);
const INV_85 = modInverse(0x85ebca6b);

function unfmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, INV_C2);
  h ^= (h >>> 13) ^ (h >>> 26);
  h = Math.imul(h, INV_85);
  h ^= h >>> 16;
  return h >>> 0;
}

// Table-driven hex: encoding ids is on the hot path of every page of generated users.
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
const hex8 = (n: number) => HEX[(n >>> 24) & 255] + HEX[(n >>> 16) & 255] + HEX[(n >>> 8) & 255] + HEX[n & 255];
const hex4 = (n: number) => HEX[(n >>> 8) & 255] + HEX[n & 255];

export interface IdCodec {
  encode(kind: number, index: number): string;
  /** The index of a GUID this codec made for `kind`, or -1. */
  decode(kind: number, id: string): number;
}

export function idCodec(seed: number): IdCodec {
  const mask = hash32(seed, 0xa11ce) >>> 0;
  const tags = [0, 1, 2, 3].map((kind) => hex4(hash32(seed, kind, 0x7a6) & 0xffff));
  const encode = (kind: number, index: number): string => {
    const a = hash32(seed, kind, index, 1);
    const b = fmix32(a ^ 0x68e31da4);
    const tail = fmix32((index ^ mask) >>> 0);
    return `${hex8(a)}-${hex4(b >>> 16)}-4${hex4(b).slice(1)}-${"89ab"[a & 3]}${hex4(a >>> 8).slice(1)}-${tags[kind]}${hex8(tail)}`;
  };
  return {
    encode,
    decode(kind, id) {
      if (id.length !== 36) return -1;
      const lower = id.toLowerCase();
      if (lower.slice(24, 28) !== tags[kind]) return -1;
      const tail = parseInt(lower.slice(28, 36), 16);
      if (Number.isNaN(tail)) return -1;
      const index = (unfmix32(tail) ^ mask) >>> 0;
      return encode(kind, index) === lower ? index : -1;
    },
  };
}
