/**
 * One tenant's directory: users, groups, org contacts and the organization. Member lists are refs; the
 * flattened (transitive) lists are computed once per group and reused until a mutation changes anything,
 * which is what lets the sandbox serve a 999-member page in a millisecond or two.
 */
import { direct, flatten, type Flat, type FlattenSource } from "./flatten";
import { CONTACT, GROUP, USER, ref, refIndex, refKind, type ContactRecord, type GroupRecord, type OrganizationRecord, type RoleOrUnitRecord } from "./records";
import { UserTable } from "./user-table";

const CACHE_LIMIT = 8; // flattened groups kept; a 1M-member group costs about 8 MB

export class Directory implements FlattenSource {
  /** Bumped by every mutation; caches and manifests key on it. */
  version = 0;
  private readonly groupIds = new Map<string, number>();
  private readonly contactIds = new Map<string, number>();
  private readonly flatCache = new Map<string, { version: number; flat: Flat }>();
  /** Directory roles and administrative units (scenario tenants only): listed by memberOf, never as members. */
  rolesAndUnits: RoleOrUnitRecord[] = [];

  constructor(
    public readonly org: OrganizationRecord,
    public readonly users: UserTable,
    public readonly groups: GroupRecord[],
    public readonly contacts: ContactRecord[],
  ) {
    groups.forEach((g, i) => this.groupIds.set(g.id.toLowerCase(), i));
    contacts.forEach((c, i) => this.contactIds.set(c.id.toLowerCase(), i));
  }

  get userCount(): number {
    return this.users.count;
  }
  get groupCount(): number {
    return this.groups.length;
  }
  get contactCount(): number {
    return this.contacts.length;
  }

  members(group: number): ArrayLike<number> {
    return this.groups[group].members;
  }

  live(r: number): boolean {
    const i = refIndex(r);
    switch (refKind(r)) {
      case USER:
        return !this.users.isDeleted(i);
      case GROUP:
        return !this.groups[i].deleted;
      default:
        return !this.contacts[i].deleted;
    }
  }

  findGroup(id: string): number {
    const i = this.groupIds.get(id.toLowerCase()) ?? -1;
    return i >= 0 && !this.groups[i].deleted ? i : -1;
  }

  findContact(id: string): number {
    const i = this.contactIds.get(id.toLowerCase()) ?? -1;
    return i >= 0 && !this.contacts[i].deleted ? i : -1;
  }

  /** Any live object by id, as a ref; -1 when none. */
  resolve(id: string): number {
    const u = this.users.indexOf(id);
    if (u >= 0) return ref(USER, u);
    const g = this.findGroup(id);
    if (g >= 0) return ref(GROUP, g);
    const c = this.findContact(id);
    return c >= 0 ? ref(CONTACT, c) : -1;
  }

  idOf(r: number): string {
    const i = refIndex(r);
    switch (refKind(r)) {
      case USER:
        return this.users.get(i).id;
      case GROUP:
        return this.groups[i].id;
      default:
        return this.contacts[i].id;
    }
  }

  addGroup(g: GroupRecord): number {
    this.groups.push(g);
    this.groupIds.set(g.id.toLowerCase(), this.groups.length - 1);
    this.touch();
    return this.groups.length - 1;
  }

  addContact(c: ContactRecord): number {
    this.contacts.push(c);
    this.contactIds.set(c.id.toLowerCase(), this.contacts.length - 1);
    this.touch();
    return this.contacts.length - 1;
  }

  /** Records that something changed: every cached flattening is stale. */
  touch(): void {
    this.version++;
  }

  transitive(group: number): Flat {
    return this.cached(`t${group}`, () => flatten(this, group));
  }

  direct(group: number): Flat {
    return this.cached(`d${group}`, () => direct(this, group));
  }

  private cached(key: string, make: () => Flat): Flat {
    const hit = this.flatCache.get(key);
    if (hit && hit.version === this.version) {
      // Re-insert to mark as recently used.
      this.flatCache.delete(key);
      this.flatCache.set(key, hit);
      return hit.flat;
    }
    const flat = make();
    this.flatCache.delete(key);
    this.flatCache.set(key, { version: this.version, flat });
    while (this.flatCache.size > CACHE_LIMIT) this.flatCache.delete(this.flatCache.keys().next().value!);
    return flat;
  }
}
