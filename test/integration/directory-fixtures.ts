/**
 * Arranging directory state for the dialog's read-model tests: an organization with an editor and a series,
 * a connection serving it, a catalog of groups, and sources, jobs and runs as the sync engine leaves them.
 */
import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import * as s from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { addHoldings } from "@/lib/audience/holdings";

const hex = () => randomBytes(4).toString("hex");

export async function makeOrgWithEditor(db: Db, role: "editor" | "admin" = "editor") {
  const [org] = await db.insert(s.organizations).values({ name: `Org ${hex()}` }).returning();
  const email = `editor-${hex()}@example.test`;
  const [user] = await db.insert(s.users).values({ email, emailNormalized: email, name: "Eddie Editor" }).returning();
  await db.insert(s.memberships).values({ userId: user.id, organizationId: org.id, role });
  const [series] = await db.insert(s.series).values({ organizationId: org.id, name: `Series ${hex()}` }).returning();
  const actor: Actor = { userId: user.id, email, name: user.name, memberships: [{ organizationId: org.id, organizationName: org.name, role }] };
  return { org, user, series, actor };
}

export async function makeConnection(
  db: Db,
  organizationId: string,
  opts: Partial<typeof s.directoryConnections.$inferInsert> = {},
) {
  const [connection] = await db
    .insert(s.directoryConnections)
    .values({
      name: `Contoso ${hex()}`,
      tenantId: "11111111-1111-1111-1111-111111111111",
      clientId: "22222222-2222-2222-2222-222222222222",
      secretId: "33333333-3333-3333-3333-333333333333",
      secretHint: "abc",
      secretSealed: "sealed-not-a-secret",
      secretKeyId: "k1",
      secretExpiresOn: "2030-01-01",
      ownerName: "Ida Admin",
      ownerEmail: "ida@example.test",
      status: "active",
      ...opts,
    })
    .returning();
  await db.insert(s.connectionOrganizations).values({ connectionId: connection.id, organizationId });
  return connection;
}

export async function makeGroups(
  db: Db,
  connectionId: string,
  groups: { displayName: string; mail?: string | null; kind?: (typeof s.groupKindEnum.enumValues)[number]; deletedAt?: Date | null }[],
) {
  const rows = [];
  // Chunked: one multi-row insert per 1,000 groups stays far below the bind-parameter limit.
  for (let i = 0; i < groups.length; i += 1000) {
    rows.push(
      ...(await db
        .insert(s.directoryGroups)
        .values(
          groups.slice(i, i + 1000).map((g) => ({
            connectionId,
            objectId: randomBytes(16).toString("hex"),
            displayName: g.displayName,
            mail: g.mail ?? null,
            kind: g.kind ?? "security",
            deletedAt: g.deletedAt ?? null,
          })),
        )
        .returning()),
    );
  }
  return rows;
}

export async function makeGroupSource(
  db: Db,
  input: {
    seriesId: string;
    connectionId: string;
    group: { id: string; displayName: string };
    selected?: boolean;
    state?: (typeof s.syncStateEnum.enumValues)[number];
    extra?: Partial<typeof s.audienceSources.$inferInsert>;
    members?: string[];
  },
) {
  const [source] = await db
    .insert(s.audienceSources)
    .values({
      seriesId: input.seriesId,
      kind: "directory_group",
      label: input.group.displayName,
      connectionId: input.connectionId,
      directoryGroupId: input.group.id,
      selected: input.selected ?? true,
      state: input.state ?? "synced",
      ...input.extra,
    })
    .returning();
  if (input.members?.length) {
    await db.transaction((tx) =>
      addHoldings(tx, { seriesId: input.seriesId, sourceId: source.id, rows: input.members!.map((email) => ({ email })) }),
    );
  }
  return source;
}

export async function makeJob(
  db: Db,
  input: { sourceId: string; seriesId: string; connectionId: string } & Partial<typeof s.syncJobs.$inferInsert>,
) {
  const [job] = await db.insert(s.syncJobs).values({ reason: "selection", ...input }).returning();
  return job;
}
