import "server-only";
import type { DirectorySession } from "@/lib/directory/provider";
import type { MemberPage, MemberPageRead, MemberStream } from "@/lib/directory/types";
import type { EnumerationCursor } from "./staging";

export type FetchedPage =
  | { page: MemberPage; at: EnumerationCursor; next: EnumerationCursor | null }
  | { error: unknown; at: EnumerationCursor };

/**
 * Reads a source's listing ahead of the staging: each page is requested as soon as the previous one arrives
 * (a cursor chain cannot be parallelized), into a small buffer the stager drains. While Graph is the slow
 * side the buffer stays empty and every page is staged the moment it lands; while the database is the slow
 * side, pages queue up (at most `maxAhead`, so memory stays bounded) and are staged several per statement.
 *
 * Each page is requested as soon as the previous one's nextLink has arrived, which Graph sends in a page's first
 * bytes: the body is read and parsed while the next request is already on its way. Pages still reach the
 * stager whole and in order.
 *
 * No page is requested after the deadline, except the first: every attempt makes progress.
 */
export class PageReader {
  private buffer: FetchedPage[] = [];
  private finished = false;
  private stopped = false;
  private wakeTaker: (() => void) | null = null;
  private wakeFetcher: (() => void) | null = null;
  /** Pages requested whose bodies are still arriving; they count against maxAhead like buffered ones. */
  private reading = 0;
  /** Delivers pages to the buffer in request order, each once its body is in. */
  private delivered: Promise<void> = Promise.resolve();
  /** Aborted by stop(): requests still in flight, their retries and their waits end then. */
  private readonly abort = new AbortController();

  constructor(
    private readonly directory: Pick<DirectorySession, "startMemberPage">,
    private readonly streams: MemberStream[],
    start: EnumerationCursor,
    private readonly deadline: number,
    private readonly maxAhead = 4,
  ) {
    void this.run(start);
  }

  private nextOf(c: EnumerationCursor, nextLink: string | null): EnumerationCursor | null {
    if (nextLink) return { stream: c.stream, next: nextLink };
    return c.stream + 1 < this.streams.length ? { stream: c.stream + 1, next: null } : null;
  }

  private push(item: FetchedPage) {
    this.buffer.push(item);
    this.wakeTaker?.();
  }

  private deliver(item: Promise<FetchedPage>) {
    this.reading++;
    this.delivered = this.delivered.then(async () => {
      const fetched = await item;
      this.reading--;
      this.push(fetched);
    });
  }

  private async run(start: EnumerationCursor) {
    let cursor: EnumerationCursor | null = start;
    let first = true;
    try {
      while (cursor && !this.stopped) {
        if (!first && Date.now() >= this.deadline) break;
        first = false;
        while (this.buffer.length + this.reading >= this.maxAhead && !this.stopped) {
          await new Promise<void>((resolve) => (this.wakeFetcher = resolve));
        }
        if (this.stopped) break;
        const at: EnumerationCursor = cursor;
        let started: MemberPageRead;
        try {
          started = await this.directory.startMemberPage(this.streams[at.stream], at.next, this.abort.signal);
          cursor = this.nextOf(at, await started.nextLink);
        } catch (error) {
          this.deliver(Promise.resolve({ error, at }));
          break;
        }
        const next = cursor;
        this.deliver(started.page.then((page): FetchedPage => ({ page, at, next }), (error: unknown): FetchedPage => ({ error, at })));
      }
    } finally {
      await this.delivered;
      this.finished = true;
      this.wakeTaker?.();
    }
  }

  /** Every page read so far and not yet taken (at least one), or null once the reader has finished and is drained. */
  async take(): Promise<FetchedPage[] | null> {
    while (this.buffer.length === 0) {
      if (this.finished) return null;
      await new Promise<void>((resolve) => (this.wakeTaker = resolve));
      this.wakeTaker = null;
    }
    const items = this.buffer;
    this.buffer = [];
    this.wakeFetcher?.();
    this.wakeFetcher = null;
    return items;
  }

  /**
   * Stops requesting pages and abandons those in flight, with their retries: after an attempt ends (its deadline,
   * or a page that failed for good), read-ahead must not keep spending the tenant's request budget on pages
   * nobody will take.
   */
  stop() {
    this.stopped = true;
    this.abort.abort(new Error("The page reader was stopped."));
    this.wakeFetcher?.();
  }
}
