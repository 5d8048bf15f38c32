"use client";
import { useEffect, useRef } from "react";
import type { SourceStateView } from "@/lib/dialog/types";
import { plural } from "./format";

/** What to tell the editor when the last queued or running sync has finished. */
export function finishedNotice(sources: SourceStateView[]): { tone: "info" | "success"; text: string } {
  const failed = sources.filter((s) => s.selected && s.state === "error").length;
  const review = sources.filter((s) => s.selected && s.state === "needs_review").length;
  if (!failed && !review) return { tone: "success", text: "Syncing finished. The audience is up to date." };
  const parts = [failed ? `${plural(failed, "group")} failed` : "", review ? `${plural(review, "group")} need${review === 1 ? "s" : ""} review` : ""];
  return { tone: "info", text: `Syncing finished: ${parts.filter(Boolean).join(", ")}.` };
}

/** Calls `onFinished` each time the dialog's sources go from some queued or syncing to all idle. */
export function useSyncFinished(anyActive: boolean, onFinished: () => void) {
  const wasActive = useRef(false);
  const callback = useRef(onFinished);
  useEffect(() => {
    callback.current = onFinished;
  });
  useEffect(() => {
    if (wasActive.current && !anyActive) callback.current();
    wasActive.current = anyActive;
  }, [anyActive]);
}
