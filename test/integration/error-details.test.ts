/**
 * Errors that say only what they should: a database failure's SQL and parameters never reach a diagnosis that
 * admins and editors see, while the server log keeps the PostgreSQL cause; a tampered stored secret is diagnosed
 * as unreadable wherever it surfaces.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { randomBytes } from "node:crypto";
import { users } from "@/db/schema";
import { diagnose } from "@/lib/directory/entra/diagnose";
import { classifyFailure } from "@/lib/sync/failure";
import { logError } from "@/lib/log";
import { publicErrorText } from "@/lib/errors";
import { parseSealingKey } from "@/lib/crypto/keys";
import { connectionSecretAad, sealSecret, unsealSecret } from "@/lib/crypto/seal";
import { createTestDb, dbKinds, type TestDb } from "../support/db";

describe.each(dbKinds)("error details on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
  });
  afterEach(async () => h.close());

  /** A real failed query: a duplicate e-mail, whose parameters include a person's address. */
  async function failedQuery(): Promise<unknown> {
    const row = { email: "ada@example.com", emailNormalized: "ada@example.com", name: "Ada Secretname" };
    await h.db.insert(users).values(row);
    try {
      await h.db.insert(users).values(row);
    } catch (error) {
      return error;
    }
    throw new Error("expected the insert to fail");
  }

  test("a diagnosis of a failed query shows no SQL and no parameters, only the SQLSTATE", async () => {
    const error = await failedQuery();
    expect(String((error as Error).message)).toMatch(/Failed query/); // the attack's raw material
    for (const diagnosis of [diagnose(error), classifyFailure(error, { groupObjectId: null }).diagnosis]) {
      expect(diagnosis.details).toBe("A database error (SQLSTATE 23505) stopped this. The server log has the details.");
      expect(JSON.stringify(diagnosis)).not.toMatch(/insert|Failed query|params|ada@example\.com|Secretname/i);
    }
  });

  test("the server log keeps the PostgreSQL cause", async () => {
    const error = await failedQuery();
    const lines: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
    try {
      logError("sync job failed", error);
    } finally {
      spy.mockRestore();
    }
    const logged = lines.join("\n");
    expect(logged).toMatch(/Failed query/);
    expect(logged).toMatch(/caused by .*duplicate key value violates unique constraint/);
    expect(logged).toMatch(/code 23505/);
  });
});

describe("diagnoses of errors that are not the database's", () => {
  test("plain errors keep their text; SQL in a message is held back even without a database error", () => {
    expect(publicErrorText(new Error("socket hang up"))).toBe("Error: socket hang up");
    expect(publicErrorText('Failed query: select "id" from "users" where "email" = $1\nparams: a@b.c')).not.toMatch(/select|a@b\.c/);
  });

  test("a tampered stored secret is diagnosed as unreadable, and is the connection's failure", () => {
    const keys = { current: parseSealingKey(randomBytes(32).toString("base64"), "K") };
    const aad = connectionSecretAad("11111111-1111-1111-1111-111111111111");
    const parts = sealSecret("the secret value", aad, keys).sealed.split(".");
    const ciphertext = Buffer.from(parts[3], "base64url");
    ciphertext[0] ^= 1;
    parts[3] = ciphertext.toString("base64url");
    let error: unknown;
    try {
      unsealSecret(parts.join("."), aad, keys);
    } catch (e) {
      error = e;
    }
    expect(diagnose(error)).toMatchObject({ code: "secret_unreadable", title: "Stored secret unreadable" });
    const failure = classifyFailure(error, { groupObjectId: null });
    expect(failure.kind).toBe("connection");
    expect(failure.diagnosis.code).toBe("secret_unreadable");
    expect(JSON.stringify(failure.diagnosis)).not.toContain("the secret value");
  });
});
