import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import { memberships, organizations, series, users } from "@/db/schema";
import { loadActor, type Actor } from "@/lib/auth/actor";
import { mainApp, type TenantManifest } from "./graph-sandbox";

const unique = () => randomBytes(4).toString("hex");

export async function makeOrg(db: Db, name = `Org ${unique()}`) {
  const [row] = await db.insert(organizations).values({ name }).returning();
  return row;
}

export async function makeActor(db: Db, roles: { orgId: string; role: "admin" | "editor" }[]): Promise<Actor> {
  const email = `u-${unique()}@example.test`;
  const [user] = await db.insert(users).values({ email, emailNormalized: email, name: `User ${unique()}` }).returning();
  for (const r of roles) await db.insert(memberships).values({ userId: user.id, organizationId: r.orgId, role: r.role });
  return (await loadActor(db, user.id))!;
}

export async function makeSeries(db: Db, orgId: string) {
  const [row] = await db.insert(series).values({ organizationId: orgId, name: `Series ${unique()}` }).returning();
  return row;
}

export function inAYear(): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

/** The wizard's form for a sandbox tenant's main app. */
export function wizardForm(t: TenantManifest, orgIds: string[], patch: Record<string, unknown> = {}) {
  const app = mainApp(t);
  return {
    organizationIds: orgIds,
    name: "Northwind",
    ownerName: "Ada Admin",
    ownerEmail: "ada@example.com",
    clientId: app.clientId,
    tenantId: t.tenantId,
    secretId: app.secretId,
    secretValue: app.secret,
    secretExpiresOn: inAYear(),
    groupObjectIds: "",
    azureGovernment: t.cloud === "usgov",
    useUsernameFallback: false,
    syncContacts: false,
    ...patch,
  };
}
