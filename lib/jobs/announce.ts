import "server-only";
import { EventEmitter } from "node:events";

/**
 * "A job of this series just ended", within one server process: the dialog's poll waits on it so that Synced
 * (or Error, or Needs review) shows the moment the apply commits instead of at the next poll. Across processes
 * (several app instances, the cron's function, the CLI) nothing is announced and the poll answers when its wait
 * runs out, exactly as a plain poll would: the announcement only ever makes an answer earlier.
 */
const bus = new EventEmitter();
bus.setMaxListeners(0);

/** Called by the worker once a job's ending is committed. */
export function announceJobEnded(seriesId: string): void {
  bus.emit(seriesId);
}

/** Resolves true when a job of the series ends within `ms`, false when the wait runs out first. */
export function waitForJobEnd(seriesId: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ended: boolean) => {
      clearTimeout(timer);
      bus.off(seriesId, onEnd);
      resolve(ended);
    };
    const onEnd = () => done(true);
    const timer = setTimeout(() => done(false), Math.max(0, ms));
    bus.on(seriesId, onEnd);
  });
}
