import { describe, expect, test } from "vitest";
import { describeSkipped, totalSkipped } from "@/lib/directory/labels";
import { displayedState } from "@/lib/directory/source-states";
import type { SyncState } from "@/lib/directory/types";
import { describeChanges } from "@/components/directory/pending-selection";
import { finishedNotice } from "@/components/directory/use-sync-finished";

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
