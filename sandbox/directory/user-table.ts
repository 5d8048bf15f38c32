/**
 * All users of one tenant, indexed 0..count-1. Generated users (a prefix of the index space) are computed
 * from their index on demand and cost one byte each; users from a scenario file or added at run time are
 * plain records after them. Per-user state that mutations change lives in `bits`, one byte per user.
 */
import type { UserRecord } from "./records";

export const DISABLED = 1;
export const DELETED = 2;
export const NO_MAIL = 4;
export const GUEST = 8;
/** The UPN is not usable as an address (a guest's `#EXT#` name). */
export const UPN_INVALID = 16;

export interface GeneratedUsers {
  count: number;
  /** The initial bits of user i (DISABLED, NO_MAIL, GUEST, UPN_INVALID). */
  bits(i: number): number;
  /** User i as Graph would return it; accountEnabled and mail follow `bits`. */
  materialize(i: number, bits: number): UserRecord;
  /** The index of a generated user's id, or -1. */
  decodeId(id: string): number;
  /** The index of a generated user's userPrincipalName, or -1. */
  decodeUpn(upn: string): number;
}

/** Usable as an address: one @, a dotted domain, no '#' (which rules out guests' `#EXT#` names). */
export function isValidAddress(s: string | null | undefined): boolean {
  return !!s && /^[^\s@#]+@[^\s@#]+\.[^\s@#]+$/.test(s);
}

export function bitsOf(u: Pick<UserRecord, "accountEnabled" | "mail" | "userType" | "userPrincipalName">): number {
  return (
    (u.accountEnabled ? 0 : DISABLED) |
    (u.mail ? 0 : NO_MAIL) |
    (u.userType === "Guest" ? GUEST : 0) |
    (isValidAddress(u.userPrincipalName) ? 0 : UPN_INVALID)
  );
}

export class UserTable {
  private readonly genCount: number;
  private state: Uint8Array;
  private readonly explicit: UserRecord[] = [];
  private readonly byId = new Map<string, number>();
  private readonly byUpn = new Map<string, number>();
  /** Edits to generated users (updateUser), applied over what their index yields. */
  private readonly overrides = new Map<number, Partial<UserRecord>>();

  constructor(private readonly gen: GeneratedUsers | null = null) {
    this.genCount = gen ? gen.count : 0;
    this.state = new Uint8Array(Math.max(16, this.genCount + 16));
    for (let i = 0; i < this.genCount; i++) this.state[i] = gen!.bits(i);
  }

  get count(): number {
    return this.genCount + this.explicit.length;
  }

  bits(i: number): number {
    return this.state[i];
  }

  isDeleted(i: number): boolean {
    return (this.state[i] & DELETED) !== 0;
  }

  get(i: number): UserRecord {
    if (i >= this.genCount) return this.explicit[i - this.genCount];
    const u = this.gen!.materialize(i, this.state[i]);
    const o = this.overrides.get(i);
    return o ? { ...u, ...o, accountEnabled: u.accountEnabled } : u;
  }

  /** By object id or userPrincipalName (Graph accepts both in /users/{id}); -1 when unknown or deleted. */
  indexOf(idOrUpn: string): number {
    const key = idOrUpn.toLowerCase();
    let i = this.byId.get(key) ?? this.byUpn.get(key) ?? -1;
    if (i < 0 && this.gen) {
      i = this.gen.decodeId(key);
      if (i < 0) {
        // A generated UPN names its index; check it is still this user's (updateUser may have changed it).
        const j = this.gen.decodeUpn(key);
        if (j >= 0 && this.get(j).userPrincipalName.toLowerCase() === key) i = j;
      }
    }
    return i >= 0 && !this.isDeleted(i) ? i : -1;
  }

  add(u: UserRecord): number {
    const i = this.count;
    if (i >= this.state.length) {
      const grown = new Uint8Array(this.state.length * 2);
      grown.set(this.state);
      this.state = grown;
    }
    this.explicit.push(u);
    this.state[i] = bitsOf(u);
    this.byId.set(u.id.toLowerCase(), i);
    this.byUpn.set(u.userPrincipalName.toLowerCase(), i);
    return i;
  }

  setEnabled(i: number, enabled: boolean): void {
    if (i >= this.genCount) this.explicit[i - this.genCount].accountEnabled = enabled;
    this.state[i] = enabled ? this.state[i] & ~DISABLED : this.state[i] | DISABLED;
  }

  remove(i: number): void {
    this.state[i] |= DELETED;
  }

  update(i: number, changes: Partial<Omit<UserRecord, "id" | "accountEnabled">>): void {
    if (i >= this.genCount) {
      const u = this.explicit[i - this.genCount];
      if (changes.userPrincipalName) {
        this.byUpn.delete(u.userPrincipalName.toLowerCase());
        this.byUpn.set(changes.userPrincipalName.toLowerCase(), i);
      }
      Object.assign(u, changes);
    } else {
      this.overrides.set(i, { ...this.overrides.get(i), ...changes });
      if (changes.userPrincipalName) this.byUpn.set(changes.userPrincipalName.toLowerCase(), i);
    }
    this.state[i] = (this.state[i] & DELETED) | bitsOf(this.get(i));
  }
}
