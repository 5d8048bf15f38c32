/**
 * The delta benches' "100 changes", chosen from the directory as Graph lists it: 30 removals from leaf groups,
 * 30 disables, 30 adds to other leaves, and 5 nested groups moved from one parent to another (two link changes
 * each). `offset` shifts which members are picked, so two benches on one tenant change different people.
 */
export interface BenchGroup {
  id: string;
  nestedGroupIds: string[];
}

export async function hundredChanges(groups: BenchGroup[], firstPage: (groupId: string) => Promise<string[]>, offset = 0): Promise<unknown[]> {
  const leaves = groups.filter((g) => g.nestedGroupIds.length === 0);
  const parents = groups.filter((g) => g.nestedGroupIds.length > 0);
  const ops: unknown[] = [];
  for (let k = 0; k < 30; k++) {
    const from = leaves[k % leaves.length];
    const ids = await firstPage(from.id);
    ops.push({ op: "removeMember", groupId: from.id, memberId: ids[k + offset] });
    ops.push({ op: "disableUser", userId: ids[k + 100 + offset] });
    const to = leaves[(k + 7) % leaves.length];
    const there = new Set(await firstPage(to.id));
    ops.push({ op: "addMember", groupId: to.id, memberId: ids.slice(200).find((id) => !there.has(id))! });
  }
  let moved = 0;
  for (const p of parents) {
    if (moved === 5) break;
    const child = p.nestedGroupIds[0];
    const target = parents.find((q) => q.id !== p.id && q.id !== child && !q.nestedGroupIds.includes(child) && !groups.find((g) => g.id === child)!.nestedGroupIds.includes(q.id));
    if (!target) continue;
    ops.push({ op: "removeMember", groupId: p.id, memberId: child }, { op: "addMember", groupId: target.id, memberId: child });
    moved++;
  }
  return ops;
}
