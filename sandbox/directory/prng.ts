/**
 * Deterministic hashing and random numbers. Everything the generator produces is a pure function of
 * (seed, index), so a million-user directory needs no per-user storage beyond a few flag bits and the
 * same seed always yields the same directory.
 */

/** murmur3's 32-bit finaliser: a bijection on uint32, so it can also be inverted (see ids.ts). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mixes up to four integers into one well-distributed uint32. */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = fmix32((a ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ Math.imul(b + 0x7f4a7c15, 0x27d4eb2f)) >>> 0);
  h = fmix32((h ^ Math.imul(c + 0x165667b1, 0x85ebca77)) >>> 0);
  h = fmix32((h ^ Math.imul(d + 0x3c6ef372, 0xc2b2ae3d)) >>> 0);
  return h;
}

/** A hash mapped to [0, 1). */
export function unit(h: number): number {
  return h / 4294967296;
}

/** A small seeded PRNG (mulberry32) for building scenarios in order. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Turns a string seed into a number (FNV-1a). */
export function seedFromString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
