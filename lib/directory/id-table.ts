/**
 * The membership graph's node ids, numbered 0, 1, 2… in the order they were first seen. Directory object ids are
 * GUIDs (Entra's, and most directories'): those are kept as 16 bytes each in one typed array, found through an
 * open-addressing hash table, instead of a 36-character string per id in a Map. At 1,000,000 members that is
 * about 30 MB instead of about 100 MB (docs/adr/0012-incremental-sync-membership-graph.md). Ids of any other
 * shape (tests' "u1", another provider's) are kept as strings beside them. Ids are compared lower-cased.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Where each byte's two hex digits start in the 36-character form. */
const BYTE_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

function hexValue(c: number): number {
  return c <= 57 ? c - 48 : c - 87; // '0'–'9', 'a'–'f' (checked by GUID first)
}

export class IdTable {
  private count = 0;
  /** 16 bytes per node; a node that is not a GUID has zeros here and its string in `others`. */
  private bytes = new Uint8Array(16 * 1024);
  private isGuid = new Uint8Array(1024);
  /** Open addressing over GUID nodes: node + 1, or 0 for an empty slot. */
  private table = new Int32Array(2048);
  private guids = 0;
  private readonly others = new Map<string, number>();
  private readonly otherIds = new Map<number, string>();

  get size(): number {
    return this.count;
  }

  /** The node of this id, numbered anew if unseen. */
  intern(id: string): number {
    const k = id.toLowerCase();
    if (!GUID.test(k)) {
      let i = this.others.get(k);
      if (i === undefined) {
        i = this.add();
        this.others.set(k, i);
        this.otherIds.set(i, k);
      }
      return i;
    }
    const slot = this.slotOf(k);
    const found = this.table[slot];
    if (found !== 0) return found - 1;
    const i = this.add();
    this.isGuid[i] = 1;
    const at = i * 16;
    for (let b = 0; b < 16; b++) this.bytes[at + b] = (hexValue(k.charCodeAt(BYTE_AT[b])) << 4) | hexValue(k.charCodeAt(BYTE_AT[b] + 1));
    this.table[slot] = i + 1;
    if (++this.guids * 2 > this.table.length) this.rehash();
    return i;
  }

  /** The node of this id, or undefined when it was never seen. */
  find(id: string): number | undefined {
    const k = id.toLowerCase();
    if (!GUID.test(k)) return this.others.get(k);
    const found = this.table[this.slotOf(k)];
    return found === 0 ? undefined : found - 1;
  }

  /** The id of a node, lower-case. */
  at(i: number): string {
    if (this.isGuid[i] !== 1) return this.otherIds.get(i)!;
    const h = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + i * 16, 16).toString("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  private add(): number {
    const i = this.count++;
    if (i >= this.isGuid.length) {
      const flags = new Uint8Array(this.isGuid.length * 2);
      flags.set(this.isGuid);
      this.isGuid = flags;
      const bytes = new Uint8Array(this.bytes.length * 2);
      bytes.set(this.bytes);
      this.bytes = bytes;
    }
    return i;
  }

  /** The slot holding this GUID, or the empty slot where it would go (linear probing). */
  private slotOf(k: string): number {
    const mask = this.table.length - 1;
    let slot = this.hashText(k) & mask;
    for (;;) {
      const held = this.table[slot];
      if (held === 0 || this.sameAs(held - 1, k)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** The first eight hex digits: random in the GUIDs directories hand out, and the same for text and bytes. */
  private hashText(k: string): number {
    return Math.imul(parseInt(k.slice(0, 8), 16) ^ parseInt(k.slice(28, 36), 16), 0x9e3779b1) >>> 0;
  }

  private hashBytes(i: number): number {
    const at = i * 16;
    const word = (o: number) => ((this.bytes[o] << 24) | (this.bytes[o + 1] << 16) | (this.bytes[o + 2] << 8) | this.bytes[o + 3]) >>> 0;
    return Math.imul(word(at) ^ word(at + 12), 0x9e3779b1) >>> 0;
  }

  private sameAs(i: number, k: string): boolean {
    if (this.isGuid[i] !== 1) return false;
    const at = i * 16;
    for (let b = 0; b < 16; b++) {
      if (this.bytes[at + b] !== ((hexValue(k.charCodeAt(BYTE_AT[b])) << 4) | hexValue(k.charCodeAt(BYTE_AT[b] + 1)))) return false;
    }
    return true;
  }

  private rehash() {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let i = 0; i < this.count; i++) {
      if (this.isGuid[i] !== 1) continue;
      let slot = this.hashBytes(i) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = i + 1;
    }
    this.table = table;
  }
}
