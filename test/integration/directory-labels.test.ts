import { describe, expect, test } from "vitest";
import { describeSkipped, totalSkipped } from "@/lib/dialog/labels";
import { displayedState } from "@/lib/dialog/source-states";
import type { SyncState } from "@/lib/dialog/types";
import { describeChanges } from "@/components/directory/pending-selection";
import { finishedNotice } from "@/components/directory/use-sync-finished";
import { contactsNotSynced } from "@/components/directory/group-status";
import { applyQueued, applySelection, isPendingSource } from "@/components/directory/optimistic";
import { activeJobStatus } from "@/lib/dialog/source-states";
import type { DirectoryOverview, SourceStateView } from "@/lib/dialog/types";

describe("skipped members, in words", () => {
  test.each([
    [{}, ""],
    [{ disabled: 0, noAddress: 0 }, ""],
    [{ disabled: 3 }, "3 disabled"],
    [{ duplicate: 1, noAddress: 2, disabled: 3 }, "3 disabled · 2 no address · 1 duplicate"],
    [{ contactsOff: 4, zeta: 1, alpha: 2 }, "4 contacts not synced · 2 alpha · 1 zeta"],
  ])("describeSkipped(%j) = %j", (skipped, expected) => {
    expect(describeSkipped(skipped)).toBe(expected);
  });

  test("formats counts with the given formatter and totals them", () => {
    expect(describeSkipped({ disabled: 1200 }, (n) => n.toLocaleString("en-US"))).toBe("1,200 disabled");
    expect(totalSkipped({ disabled: 3, noAddress: 2, duplicate: 1 })).toBe(6);
  });
});

describe("the state a group shows", () => {
  test.each<[boolean, SyncState, string | null, SyncState]>([
    [false, "synced", null, "not_synced"],
    [false, "error", "running", "not_synced"],
    [true, "synced", null, "synced"],
    [true, "synced", "queued", "queued"],
    [true, "error", "running", "syncing"],
    [true, "needs_review", null, "needs_review"],
    [true, "queued", null, "queued"],
  ])("selected %s, stored %s, active job %s → %s", (selected, stored, job, expected) => {
    expect(displayedState(selected, stored, job)).toBe(expected);
  });
});

describe("what the dialog says about changes", () => {
  test.each([
    [{ toAdd: 2, toRemove: 0, entire: null }, false, "2 groups to add"],
    [{ toAdd: 1, toRemove: 1, entire: null }, false, "1 group to add · 1 group to remove"],
    [{ toAdd: 0, toRemove: 0, entire: true }, false, "entire directory to add"],
    [{ toAdd: 2, toRemove: 1, entire: null }, true, "2 groups queued to sync; 1 group removed from the audience."],
    [{ toAdd: 0, toRemove: 0, entire: false }, true, "Entire directory removed."],
    [{ toAdd: 0, toRemove: 0, entire: null }, true, ""],
  ])("describeChanges(%j, done %s) = %j", (changes, done, expected) => {
    expect(describeChanges(changes, done)).toBe(expected);
  });

  const source = (state: SyncState, selected = true) => ({ state, selected }) as Parameters<typeof finishedNotice>[0][number];
  test.each([
    [[source("synced"), source("synced")], "success", "Syncing finished. The audience is up to date."],
    [[source("synced"), source("error")], "info", "Syncing finished: 1 group failed."],
    [[source("error"), source("error"), source("needs_review")], "info", "Syncing finished: 2 groups failed, 1 group needs review."],
    [[source("error", false)], "success", "Syncing finished. The audience is up to date."],
  ])("finishedNotice(%#)", (sources, tone, text) => {
    expect(finishedNotice(sources)).toEqual({ tone, text });
  });
});

describe("a running job is Syncing only while its worker holds the lease", () => {
  test.each<[string | null, boolean | null, string | null]>([
    ["running", true, "running"],
    ["running", false, "queued"],
    ["running", null, "queued"],
    ["queued", null, "queued"],
    [null, null, null],
  ])("job %s, lease live %s → %s", (status, live, expected) => {
    expect(activeJobStatus(status, live)).toBe(expected);
  });
});

describe("contacts left out while Sync contacts is off", () => {
  test("a distribution list says so, with the number when it is known", () => {
    expect(contactsNotSynced("distribution", false, { contactsOff: 6 })).toBe("6 contacts not synced (Sync contacts is off)");
    expect(contactsNotSynced("distribution", false, { contactsOff: 1 })).toBe("1 contact not synced (Sync contacts is off)");
    expect(contactsNotSynced("mail_security", false, {})).toBe("Contacts in this list are not synced (Sync contacts is off)");
    expect(contactsNotSynced("distribution", true, { contactsOff: 6 })).toBeNull();
    expect(contactsNotSynced("security", false, {})).toBeNull();
  });
});

describe("what the dialog shows before the server answers", () => {
  const source = (over: Partial<SourceStateView>): SourceStateView => ({
    sourceId: "s1",
    groupId: "g1",
    kind: "directory_group",
    label: "Engineering",
    selected: true,
    state: "synced",
    progress: null,
    retry: null,
    memberCount: 3,
    skipped: {},
    lastSyncedAt: null,
    lastGoodSyncAt: null,
    lastError: null,
    review: null,
    lastRuns: [],
    ...over,
  });
  const overview = (sources: SourceStateView[]): DirectoryOverview => ({
    connections: [],
    connection: null,
    sources,
    selectedGroupIds: sources.filter((s) => s.selected && s.groupId).map((s) => s.groupId!),
    entireDirectory: null,
    anyActive: false,
    recipientCount: 3,
  });

  test("Update audience: a newly ticked group is Queued and ticked, an unticked one Not synced, the others unchanged", () => {
    const o = overview([source({}), source({ sourceId: "s2", groupId: "g2", label: "Sales" })]);
    const next = applySelection(o, { groupIds: ["g1", "g3"], entireDirectory: true, labelOf: (id) => (id === "g3" ? "Outreach" : "") });
    expect(next.selectedGroupIds.sort()).toEqual(["g1", "g3"]);
    expect(next.sources.map((s) => [s.label, s.selected, s.state])).toEqual([
      ["Engineering", true, "synced"],
      ["Sales", false, "not_synced"],
      ["Outreach", true, "queued"],
    ]);
    expect(isPendingSource(next.sources[2])).toBe(true);
    expect(next.entireDirectory).toMatchObject({ selected: true, state: "queued" });
    expect(next.anyActive).toBe(true);
  });

  test("Sync now: a group in Error is Queued at once", () => {
    const o = overview([source({ state: "error", lastError: { code: "x", title: "Failed", fix: "" } })]);
    const next = applyQueued(o, "s1");
    expect(next.sources[0].state).toBe("queued");
    expect(next.anyActive).toBe(true);
    expect(o.sources[0].state).toBe("error");
  });
});
