import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { BAD_CREDENTIALS, LOCK_MINUTES, MAX_FAILURES, WINDOW_MINUTES, authenticate } from "@/lib/auth/sign-in";
import { createTestDb, dbKinds, type TestDb } from "../support/db";
import { makeOrg, makeUser } from "./audience-fixtures";

const PASSWORD = "correct horse battery staple";
const minutes = (from: Date, m: number) => new Date(from.getTime() + m * 60_000);

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code, message: e.message };
  }
  throw new Error("expected the sign-in to fail");
}

describe.each(dbKinds)("sign-in on %s", (kind) => {
  let h: TestDb;
  let email: string;
  const t0 = new Date("2026-01-05T09:00:00Z");

  beforeEach(async () => {
    h = await createTestDb(kind);
    const org = await makeOrg(h.db);
    ({ email } = await makeUser(h.db, { org, role: "editor", email: "Ada.Lovelace@Example.com", password: PASSWORD }));
  });
  afterEach(async () => h.close());

  test("the right password signs in, whatever the case and spacing of the email, and records the time", async () => {
    const user = await authenticate(h.db, "  ada.lovelace@EXAMPLE.com ", PASSWORD, t0);
    expect(user).toMatchObject({ email, name: expect.any(String) });
    const [row] = await h.db.select().from(users).where(eq(users.id, user.id));
    expect(row.lastSignInAt?.toISOString()).toBe(t0.toISOString());
  });

  test("an unknown email and a wrong password get the same answer", async () => {
    const unknown = await failure(authenticate(h.db, "nobody@example.com", PASSWORD, t0));
    const wrong = await failure(authenticate(h.db, email, "not the password", t0));
    expect(unknown).toEqual({ code: "unauthenticated", message: BAD_CREDENTIALS });
    expect(wrong).toEqual(unknown);
  });

  test("a user without a password (SSO only) cannot sign in with one, and gets the same answer", async () => {
    const org = await makeOrg(h.db);
    const sso = await makeUser(h.db, { org, role: "editor", password: null });
    expect(await failure(authenticate(h.db, sso.email, "", t0))).toEqual({ code: "unauthenticated", message: BAD_CREDENTIALS });
  });

  test(`after ${MAX_FAILURES} failures the address is locked, even with the right password, until the lock ends`, async () => {
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect(await failure(authenticate(h.db, email, `wrong ${i}`, minutes(t0, i)))).toMatchObject({ message: BAD_CREDENTIALS });
    }
    const locked = await failure(authenticate(h.db, email, PASSWORD, minutes(t0, MAX_FAILURES)));
    expect(locked.code).toBe("rate_limited");
    expect(locked.message).toMatch(/^Too many failed attempts\. Try again in \d+ minutes?\.$/);
    const lockEnd = minutes(t0, MAX_FAILURES - 1 + LOCK_MINUTES + 0.1);
    await expect(authenticate(h.db, email, PASSWORD, lockEnd)).resolves.toMatchObject({ email });
  });

  test("unknown addresses are throttled exactly like known ones (the limit reveals nothing)", async () => {
    for (let i = 0; i < MAX_FAILURES; i++) await failure(authenticate(h.db, "ghost@example.com", "x", t0));
    expect((await failure(authenticate(h.db, "GHOST@example.com", "x", t0))).code).toBe("rate_limited");
  });

  test("failures spread over more than the window do not lock", async () => {
    for (let i = 0; i < MAX_FAILURES - 1; i++) await failure(authenticate(h.db, email, "wrong", t0));
    const later = minutes(t0, WINDOW_MINUTES + 1);
    for (let i = 0; i < MAX_FAILURES - 1; i++) await failure(authenticate(h.db, email, "wrong", later));
    await expect(authenticate(h.db, email, PASSWORD, later)).resolves.toMatchObject({ email });
  });

  test("a successful sign-in clears the count", async () => {
    for (let i = 0; i < MAX_FAILURES - 1; i++) await failure(authenticate(h.db, email, "wrong", t0));
    await authenticate(h.db, email, PASSWORD, t0);
    for (let i = 0; i < MAX_FAILURES - 1; i++) await failure(authenticate(h.db, email, "wrong", t0));
    await expect(authenticate(h.db, email, PASSWORD, t0)).resolves.toMatchObject({ email });
  });

  test("concurrent failures are all counted", async () => {
    await Promise.all(Array.from({ length: MAX_FAILURES }, () => failure(authenticate(h.db, email, "wrong", t0))));
    expect((await failure(authenticate(h.db, email, PASSWORD, t0))).code).toBe("rate_limited");
  });
});
