import "server-only";
import { fetchMemberPage, type MemberPage, type MemberStream } from "@/lib/graph/members";
import type { GraphReader } from "@/lib/graph/members";
import type { EnumerationCursor } from "./staging";

export type FetchedPage =
  | { page: MemberPage; at: EnumerationCursor; next: EnumerationCursor | null }
  | { error: unknown; at: EnumerationCursor };

/**
 * Reads a source's listing ahead of the staging: each page is requested as soon as the previous one arrives
 * (a nextLink chain cannot be parallelized), into a small buffer the stager drains. While Graph is the slow
 * side the buffer stays empty and every page is staged the moment it lands; while the database is the slow
 * side, pages queue up (at most `maxAhead`, so memory stays bounded) and are staged several per statement.
 *
 * No page is requested after the deadline, except the first: every attempt makes progress.
 */
export class PageReader {
  private buffer: FetchedPage[] = [];
  private finished = false;
  private stopped = false;
  private wakeTaker: (() => void) | null = null;
  private wakeFetcher: (() => void) | null = null;

  constructor(
    private readonly graph: GraphReader,
    private readonly streams: MemberStream[],
    start: EnumerationCursor,
    private readonly deadline: number,
    private readonly maxAhead = 4,
  ) {
    void this.run(start);
  }

  private nextOf(c: EnumerationCursor, page: MemberPage): EnumerationCursor | null {
    if (page.nextLink) return { stream: c.stream, next: page.nextLink };
    return c.stream + 1 < this.streams.length ? { stream: c.stream + 1, next: null } : null;
  }

  private push(item: FetchedPage) {
    this.buffer.push(item);
    this.wakeTaker?.();
  }

  private async run(start: EnumerationCursor) {
    let cursor: EnumerationCursor | null = start;
    let first = true;
    try {
      while (cursor && !this.stopped) {
        if (!first && Date.now() >= this.deadline) break;
        first = false;
        while (this.buffer.length >= this.maxAhead && !this.stopped) await new Promise<void>((resolve) => (this.wakeFetcher = resolve));
        if (this.stopped) break;
        const at: EnumerationCursor = cursor;
        try {
          const page = await fetchMemberPage(this.graph, this.streams[at.stream], at.next);
          cursor = this.nextOf(at, page);
          this.push({ page, at, next: cursor });
        } catch (error) {
          this.push({ error, at });
          break;
        }
      }
    } finally {
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

  /** Stops requesting pages (a request already in flight completes and is dropped). */
  stop() {
    this.stopped = true;
    this.wakeFetcher?.();
  }
}
