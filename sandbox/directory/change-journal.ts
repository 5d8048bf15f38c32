/**
 * What changed in one tenant's directory, in order: the record Graph's delta queries are answered from.
 * Mutations append entries (a member link added or removed, an object created, changed or deleted); a delta
 * round reads the entries after its token's sequence number and reports the objects they touch in their
 * current state, as Graph does ("updates made before the initial request are summarized on the resource
 * returned as its latest state", https://learn.microsoft.com/en-us/graph/delta-query-overview).
 *
 * Also the tenant's delta settings a test controls: replays, the token clock, and a synchronization reset.
 */
import type { Tenant } from "../tenants/tenant";

export type Change =
  | { seq: number; kind: "link"; group: number; member: number }
  | { seq: number; kind: "object"; ref: number };

export class ChangeJournal {
  /** The sequence number of the last entry (0 = nothing recorded yet). */
  seq = 0;
  private readonly entries: Change[] = [];
  /** Re-deliver the previous round's changes with the next one (Graph's "replays"). */
  replay = false;
  /** Added to the clock when a token's age is judged: lets a test make tokens older than 7 days. */
  clockShiftMs = 0;
  /** Tokens issued before this generation answer 410 Gone (Graph's synchronization reset). */
  generation = 0;

  /** A member link of `group` (a group index) to `member` (a ref) was added or removed. */
  link(group: number, member: number): void {
    this.entries.push({ seq: ++this.seq, kind: "link", group, member });
  }

  /** An object (a ref) was created, changed or deleted. */
  object(ref: number): void {
    this.entries.push({ seq: ++this.seq, kind: "object", ref });
  }

  /** Entries with a sequence number above `seq`, oldest first. */
  since(seq: number): Change[] {
    // Entries are in sequence order: binary-search the first one after `seq`.
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return this.entries.slice(lo);
  }

  now(): number {
    return Date.now() + this.clockShiftMs;
  }
}

const journals = new WeakMap<Tenant, ChangeJournal>();

/** The tenant's journal, made on first use (a tenant that never changes needs none). */
export function journalOf(t: Tenant): ChangeJournal {
  let j = journals.get(t);
  if (!j) journals.set(t, (j = new ChangeJournal()));
  return j;
}
