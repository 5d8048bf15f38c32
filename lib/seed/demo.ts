/**
 * The demo data: organization "Northwind" with the series "Weekly All-Hands", an admin and an editor, and a
 * second organization "Contoso" with its own series that nobody in the demo belongs to, so that cross-
 * organization isolation is visible. Idempotent: running it again changes nothing that exists, and demo
 * recipients are added only when the series is first created (a recipient removed in the demo stays removed).
 *
 * Plain drizzle on purpose: `npm run db:seed` runs outside the server bundle (no "server-only" module may be
 * reached from here). It lives in lib/, not db/, because it uses the domain's password hasher and demo sign-ins,
 * and db/ imports nothing above it (docs/design.md, "Which way dependencies point").
 */
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { dataDir, openDb, type Executor } from "../../db/client";
import { migrate } from "../../db/migrate";
import { audienceSources, memberships, organizations, series, users } from "../../db/schema";
import { addHoldings } from "../audience/holdings";
import { hashPassword } from "../auth/password";
import {
  DEMO_ORGANIZATION,
  DEMO_SERIES,
  DEMO_SIGN_INS,
  OTHER_ORGANIZATION,
  OTHER_SERIES,
  type DemoSignIn,
} from "../users/demo-sign-ins";

const DEMO_RECIPIENTS = [
  { email: "Grace.Hopper@northwind.example", name: "Grace Hopper" },
  { email: "alan.turing@northwind.example", name: "Alan Turing" },
  { email: "katherine.johnson@northwind.example", name: "Katherine Johnson" },
];

async function ensureOrganization(db: Executor, name: string): Promise<string> {
  await db.insert(organizations).values({ name }).onConflictDoNothing({ target: organizations.name });
  const [row] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.name, name));
  return row.id;
}

async function ensureSeries(db: Executor, organizationId: string, name: string): Promise<{ id: string; created: boolean }> {
  const inserted = await db
    .insert(series)
    .values({ organizationId, name })
    .onConflictDoNothing({ target: [series.organizationId, series.name] })
    .returning({ id: series.id });
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const [row] = await db.select({ id: series.id }).from(series).where(and(eq(series.organizationId, organizationId), eq(series.name, name)));
  return { id: row.id, created: false };
}

async function ensureUser(db: Executor, organizationId: string, who: DemoSignIn): Promise<string> {
  const emailNormalized = who.email.trim().toLowerCase();
  let [row] = await db.select({ id: users.id }).from(users).where(eq(users.emailNormalized, emailNormalized));
  if (!row) {
    [row] = await db
      .insert(users)
      .values({ email: who.email, emailNormalized, name: who.name, passwordHash: await hashPassword(who.password) })
      .onConflictDoNothing()
      .returning({ id: users.id });
    row ??= (await db.select({ id: users.id }).from(users).where(eq(users.emailNormalized, emailNormalized)))[0];
  }
  await db.insert(memberships).values({ userId: row.id, organizationId, role: who.role }).onConflictDoNothing();
  return row.id;
}

async function addDemoRecipients(db: Executor, seriesId: string, createdBy: string | null) {
  const [source] = await db
    .insert(audienceSources)
    .values({ seriesId, kind: "manual", label: "Manual", createdBy })
    .onConflictDoNothing()
    .returning({ id: audienceSources.id });
  if (!source) return;
  // Through lib/audience, the only writer of holdings and recipients.
  await db.transaction((tx) => addHoldings(tx, { seriesId, sourceId: source.id, rows: DEMO_RECIPIENTS.map((r) => ({ email: r.email, name: r.name })) }));
}

export interface SeededDemo {
  organizationId: string;
  seriesId: string;
  /** The organization nobody in the demo belongs to. */
  otherOrganizationId: string;
  otherSeriesId: string;
  signIns: DemoSignIn[];
}

/** Creates whatever of the demo is missing and returns the demo sign-ins. */
export async function seedDemo(db: Executor): Promise<SeededDemo> {
  const northwind = await ensureOrganization(db, DEMO_ORGANIZATION);
  const contoso = await ensureOrganization(db, OTHER_ORGANIZATION);
  const userIds: string[] = [];
  for (const who of DEMO_SIGN_INS) userIds.push(await ensureUser(db, northwind, who));
  const allHands = await ensureSeries(db, northwind, DEMO_SERIES);
  if (allHands.created) await addDemoRecipients(db, allHands.id, userIds[0] ?? null);
  const other = await ensureSeries(db, contoso, OTHER_SERIES);
  return {
    organizationId: northwind,
    seriesId: allHands.id,
    otherOrganizationId: contoso,
    otherSeriesId: other.id,
    signIns: DEMO_SIGN_INS.map((s) => ({ ...s })),
  };
}

async function main() {
  const handle = await openDb();
  try {
    if (handle.kind === "pglite") await migrate(handle);
    const { signIns } = await seedDemo(handle.db);
    const where = handle.kind === "pglite" ? `embedded PGlite in ${path.relative(process.cwd(), path.join(dataDir(), "pglite"))}` : "PostgreSQL";
    console.log(`Demo data ready (${where}).`);
    console.log(`Organization "${DEMO_ORGANIZATION}", series "${DEMO_SERIES}". Sign in with:`);
    for (const s of signIns) console.log(`  ${s.role.padEnd(6)}  ${s.email}  /  ${s.password}`);
  } finally {
    await handle.close();
  }
}

if (process.argv[1] && /lib[\\/]seed[\\/]demo\.ts$/.test(path.resolve(process.argv[1]))) {
  main().catch((error) => {
    console.error(`Seeding failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
