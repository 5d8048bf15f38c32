import { AsyncLocalStorage } from "node:async_hooks";
import { RosterError } from "@/lib/errors";

/** Refused because the server is already hashing as many passwords as it will; the client may retry. */
export class BusyError extends RosterError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super("rate_limited", "Roster is busy signing people in. Try again in a few seconds.");
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * At most `concurrent` password hashes at once, `queue` more waiting, the rest refused. scrypt at OWASP's
 * parameters takes 128 MiB and a core for a few hundred milliseconds, and runs on libuv's four threads that file
 * and DNS work share: twenty at once starved every other request. Two at a time leaves threads and CPU for them.
 */
export class HashLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrent: number,
    readonly queue: number,
    readonly retryAfterSeconds = 2,
  ) {}

  /** Runs `task` when a slot is free; throws BusyError at once when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrent) {
      if (this.waiting.length >= this.queue) throw new BusyError(this.retryAfterSeconds);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `running` never dips and a newcomer cannot jump the queue.
      if (next) next();
      else this.running--;
    }
  }

  /** Throws BusyError if a task started now would be refused, so a caller can refuse before doing other work. */
  admit(): void {
    if (this.running >= this.concurrent && this.waiting.length >= this.queue) throw new BusyError(this.retryAfterSeconds);
  }
}

/** The server's one limiter for sign-in hashes. */
export const signInHashes = new HashLimiter(2, 4);

/**
 * Lets the sign-in route learn that next-auth's authorize() was refused for lack of room, which next-auth itself
 * reports only as an error message, so the route can answer 429 with Retry-After.
 */
export const busySignIns = new AsyncLocalStorage<{ refused(error: BusyError): void }>();
