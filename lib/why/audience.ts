import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { audienceSources, connectionOrganizations, directoryConnections, directoryGroups } from "@/db/schema";
import { requireSeries, type Actor } from "@/lib/auth/actor";
import { invalidInput } from "@/lib/errors";
import { isValidEmail, normalizeEmail } from "@/lib/email";
import type { DirectoryPerson } from "@/lib/directory/types";
import { logError } from "@/lib/log";
import { exclusionOf } from "@/lib/audience/exclusions";
import {
  explainPresence,
  type ConnectionFacts,
  type HoldingSource,
  type SyncedDirectorySource,
  type WhyAnswer,
} from "@/lib/why/explain";

/** Finds the person in one connection's directory. Throws on Graph failures; `describeError` explains them. */
export interface PersonLookup {
  findPerson(db: Executor, connectionId: string, email: string): Promise<DirectoryPerson | null>;
  /** A sentence for the editor (a diagnosis title), never a raw message that might carry a secret. */
  describeError?(error: unknown): string;
}

/**
 * "Why is or isn't this person here?" for one address in one series: each source that holds it, and what
 * the directory of each connection the series syncs from says about the person (read live from Graph).
 */
export async function explainAudienceMember(
  db: Executor,
  actor: Actor | null,
  input: { seriesId: string; email: string },
  lookup: PersonLookup,
): Promise<WhyAnswer> {
  const series = await requireSeries(db, actor, input.seriesId, "editor");
  const email = normalizeEmail(input.email);
  if (!email) throw invalidInput("Enter an email address.", { email: "Enter an email address." });
  if (!isValidEmail(email)) throw invalidInput(`“${input.email.trim()}” is not a valid email address.`, { email: "Enter a valid email address." });

  const holders = await queryRows<{ label: string; kind: HoldingSource["kind"]; connection_id: string | null }>(
    db,
    sql`select s.label, s.kind, s.connection_id from recipient_sources rs
        join audience_sources s on s.id = rs.source_id
        where rs.series_id = ${series.id} and rs.email_normalized = ${email}
        order by s.created_at`,
  );

  // An excluded address is out whatever the directory says: the directory is not asked at all.
  const exclusion = await exclusionOf(db, series.id, email);
  if (exclusion) {
    return explainPresence({ email, exclusion, holders: holders.map((h) => ({ label: h.label, kind: h.kind, connectionId: h.connection_id })), synced: [], connections: [] });
  }

  const syncedRows = await db
    .select({ source: audienceSources, groupObjectId: directoryGroups.objectId })
    .from(audienceSources)
    .leftJoin(directoryGroups, eq(directoryGroups.id, audienceSources.directoryGroupId))
    .where(
      and(
        eq(audienceSources.seriesId, series.id),
        eq(audienceSources.selected, true),
        inArray(audienceSources.kind, ["directory_group", "directory_all"]),
      ),
    );
  const synced: SyncedDirectorySource[] = syncedRows
    .filter((r) => r.source.connectionId)
    .map((r) => ({
      label: r.source.label,
      kind: r.source.kind as SyncedDirectorySource["kind"],
      connectionId: r.source.connectionId!,
      groupObjectId: r.groupObjectId ?? null,
      state: r.source.state,
      lastGoodSyncAt: r.source.lastGoodSyncAt?.toISOString() ?? null,
    }));

  const connectionIds = [...new Set(synced.map((s) => s.connectionId))];
  // Only connections that still serve the series' organization are asked: one that stopped serving it is
  // another organization's directory now, and no editor of this one may query it live.
  const connectionRows = connectionIds.length
    ? (
        await db
          .select({ c: directoryConnections })
          .from(directoryConnections)
          .innerJoin(connectionOrganizations, eq(connectionOrganizations.connectionId, directoryConnections.id))
          .where(and(inArray(directoryConnections.id, connectionIds), eq(connectionOrganizations.organizationId, series.organizationId)))
      ).map((r) => r.c)
    : [];
  const connections: ConnectionFacts[] = await Promise.all(
    connectionRows.map(async (c): Promise<ConnectionFacts> => {
      const facts: ConnectionFacts = { connectionId: c.id, name: c.name, useUsernameFallback: c.useUsernameFallback, syncContacts: c.syncContacts };
      try {
        const person = await lookup.findPerson(db, c.id, email);
        // A connection limited to Group Object IDs offers only those groups: the answer never names another.
        const offered = new Set(c.groupObjectIds.map((id) => id.toLowerCase()));
        facts.person = person && offered.size > 0 ? { ...person, groups: person.groups.filter((g) => offered.has(g.objectId.toLowerCase())) } : person;
      } catch (error) {
        logError("why lookup: directory read failed", error);
        facts.lookupError = lookup.describeError?.(error) ?? "the directory could not be read. Try again, or ask an admin to verify the connection.";
      }
      return facts;
    }),
  );

  return explainPresence({
    email,
    holders: holders.map((h) => ({ label: h.label, kind: h.kind, connectionId: h.connection_id })),
    synced,
    connections,
  });
}
