/**
 * Transitive membership, as /groups/{id}/transitiveMembers returns it: every object reachable through
 * nested groups, each once, nested groups included, the group itself never (even inside a nesting cycle,
 * which Entra allows). Breadth-first, so a group's direct members come before its nested ones.
 */
import { CONTACT, GROUP, USER, refIndex, refKind } from "./records";

export interface Flat {
  /** Every distinct member, as refs, in enumeration order. */
  all: Int32Array;
  /** The same, per kind (refs). */
  users: Int32Array;
  groups: Int32Array;
  contacts: Int32Array;
}

export interface FlattenSource {
  userCount: number;
  groupCount: number;
  contactCount: number;
  members(group: number): ArrayLike<number>;
  /** False for deleted objects, which no member list shows. */
  live(r: number): boolean;
}

export function flatten(src: FlattenSource, root: number): Flat {
  const seen = [new Uint8Array(src.userCount), new Uint8Array(src.groupCount), new Uint8Array(src.contactCount)];
  const out = new Int32Array(src.userCount + src.groupCount + src.contactCount);
  const perKind = [0, 0, 0];
  let n = 0;
  const queue: number[] = [root];
  seen[GROUP][root] = 1;
  for (let q = 0; q < queue.length; q++) {
    const list = src.members(queue[q]);
    for (let k = 0; k < list.length; k++) {
      const r = list[k];
      const kind = refKind(r);
      const i = refIndex(r);
      if (seen[kind][i] || !src.live(r)) continue;
      seen[kind][i] = 1;
      out[n++] = r;
      perKind[kind]++;
      if (kind === GROUP) queue.push(i);
    }
  }
  const all = out.slice(0, n);
  const byKind = [new Int32Array(perKind[USER]), new Int32Array(perKind[GROUP]), new Int32Array(perKind[CONTACT])];
  const fill = [0, 0, 0];
  for (let k = 0; k < n; k++) {
    const kind = refKind(all[k]);
    byKind[kind][fill[kind]++] = all[k];
  }
  return { all, users: byKind[USER], groups: byKind[GROUP], contacts: byKind[CONTACT] };
}

/** Direct members (deleted ones dropped), in the same shape. */
export function direct(src: FlattenSource, group: number): Flat {
  const list = src.members(group);
  const all: number[] = [];
  for (let k = 0; k < list.length; k++) if (src.live(list[k])) all.push(list[k]);
  const pick = (kind: number) => Int32Array.from(all.filter((r) => refKind(r) === kind));
  return { all: Int32Array.from(all), users: pick(USER), groups: pick(GROUP), contacts: pick(CONTACT) };
}

