/**
 * Playwright fixtures. Each test gets:
 *   app      its own database and `next start` (baseURL is set from it), plus `app.logs()`
 *   db       a drizzle handle to that database, for arranging and checking state
 *   make     factories: org, user (with role and password), series
 *   signIn   fills the login page
 *   sandbox  the run's sandbox tenant server: `createTenant(body)` makes a tenant only this test uses
 */
import { test as base, expect, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import * as schema from "../../db/schema";
import type { Db } from "../../db/client";
import { hashPassword } from "../../lib/auth/password";
import { normalizeEmail } from "../../lib/email";
import { startAppServer, type AppServer } from "./app-server";
import { callSandbox } from "../../sandbox/control/client";
import { requiredEnv } from "./env";

export interface Factories {
  org(name?: string): Promise<{ id: string; name: string }>;
  user(opts: { org: { id: string }; role: "admin" | "editor"; email?: string; name?: string; password?: string }): Promise<{
    id: string;
    email: string;
    password: string;
  }>;
  series(opts: { org: { id: string }; name?: string }): Promise<{ id: string; name: string }>;
}

export interface SandboxAccess {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createTenant(body?: Record<string, unknown>): Promise<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  control(method: string, path: string, body?: unknown): Promise<any>;
}

const unique = () => randomBytes(4).toString("hex");

export const test = base.extend<{
  app: AppServer;
  db: Db;
  make: Factories;
  signIn: (page: Page, email: string, password: string) => Promise<void>;
  sandbox: SandboxAccess;
}>({
  app: async ({}, use) => {
    const app = await startAppServer();
    await use(app);
    await app.stop();
  },
  baseURL: async ({ app }, use) => use(app.baseURL),
  db: async ({ app }, use) => {
    const client = postgres(app.databaseUrl, { max: 2, onnotice: () => {} });
    await use(drizzle(client, { schema }) as unknown as Db);
    await client.end({ timeout: 5 });
  },
  make: async ({ db }, use) => {
    await use({
      async org(name = `Org ${unique()}`) {
        const [row] = await db.insert(schema.organizations).values({ name }).returning();
        return row;
      },
      async user({ org, role, email = `${role}-${unique()}@example.test`, name = `${role} ${unique()}`, password = `pw-${unique()}-${unique()}` }) {
        const [row] = await db
          .insert(schema.users)
          .values({ email, emailNormalized: normalizeEmail(email), name, passwordHash: await hashPassword(password) })
          .returning();
        await db.insert(schema.memberships).values({ userId: row.id, organizationId: org.id, role });
        return { id: row.id, email, password };
      },
      async series({ org, name = `Series ${unique()}` }) {
        const [row] = await db.insert(schema.series).values({ organizationId: org.id, name }).returning();
        return row;
      },
    });
  },
  signIn: async ({}, use) => {
    await use(async (page, email, password) => {
      await page.goto("/login");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).not.toHaveURL(/\/login/);
    });
  },
  sandbox: async ({}, use) => {
    const url = requiredEnv("SANDBOX_URL");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const control = (method: string, path: string, body?: unknown) => callSandbox<any>(url, method, path, body);
    await use({ url, control, createTenant: (body = { scenario: "northwind" }) => control("POST", "/tenants", body) });
  },
});

export { expect };
