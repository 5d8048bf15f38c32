import { describe, expect, test } from "vitest";
import { assertEnv, EnvError, readEnv } from "./env";

const key = Buffer.alloc(32, 1).toString("base64");
const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

function errorOf(run: () => unknown): EnvError {
  try {
    run();
  } catch (error) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error("no EnvError thrown");
}

describe("readEnv", () => {
  test("mail: SMTP_URL needs MAIL_FROM; both set are taken as they are", () => {
    expect(errorOf(() => readEnv(env({ SMTP_URL: "smtp://127.0.0.1:2525" }))).message).toMatch(/MAIL_FROM is missing: SMTP_URL is set/);
    expect(readEnv(env({ SMTP_URL: "smtps://u:p@smtp.example.com:465", MAIL_FROM: "Roster <roster@example.com>" }))).toMatchObject({
      SMTP_URL: "smtps://u:p@smtp.example.com:465",
      MAIL_FROM: "Roster <roster@example.com>",
    });
  });

  test("nothing set is a valid development configuration; empty values count as unset", () => {
    expect(readEnv(env({}))).toEqual({});
    expect(readEnv(env({ DATABASE_URL: "", CRON_SECRET: " ", ENCRYPTION_KEY: "" }))).toEqual({});
  });

  test("takes what is set, hosts as origins", () => {
    const parsed = readEnv(
      env({ DATABASE_URL: "postgres://u:p@db:5432/roster", ENCRYPTION_KEY: key, GRAPH_BASE_URL: "https://127.0.0.1:4443/v1.0", CRON_SECRET: "s3cret" }),
    );
    expect(parsed).toMatchObject({ DATABASE_URL: "postgres://u:p@db:5432/roster", ENCRYPTION_KEY: key, GRAPH_BASE_URL: "https://127.0.0.1:4443", CRON_SECRET: "s3cret" });
  });

  test.each([
    ["DATABASE_URL", "mysql://db/roster", /DATABASE_URL must be a PostgreSQL URL/],
    ["ENCRYPTION_KEY", Buffer.alloc(16).toString("base64"), /ENCRYPTION_KEY must be 32 bytes encoded in base64/],
    ["ENCRYPTION_KEY_PREVIOUS", "not base64!", /ENCRYPTION_KEY_PREVIOUS must be 32 bytes/],
    ["ENTRA_AUTHORITY_HOST", "http://127.0.0.1:4443", /ENTRA_AUTHORITY_HOST must be a https URL/],
    ["GRAPH_BASE_URL", "graph.microsoft.com", /GRAPH_BASE_URL must be a https URL/],
    ["NEXTAUTH_URL", "roster.test", /NEXTAUTH_URL must be a http or https URL/],
    ["SMTP_URL", "https://user:hunter2@mail.example.com", /SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/],
    ["MAIL_FROM", "no-at-sign.example", /MAIL_FROM must be an email address/],
  ])("a malformed %s is named, and its value never shown", (name, value, message) => {
    const error = errorOf(() => readEnv(env({ [name]: value })));
    expect(error.variables).toEqual([name]);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(value);
  });

  test("single sign-on: a partial set names each missing variable; a multi-tenant authority is refused", () => {
    const partial = errorOf(() => readEnv(env({ AUTH_ENTRA_CLIENT_ID: "id" })));
    expect(partial.variables).toEqual(["AUTH_ENTRA_CLIENT_SECRET", "AUTH_ENTRA_TENANT_ID"]);
    expect(partial.message).toMatch(/AUTH_ENTRA_TENANT_ID is missing: single sign-on needs all three/);
    const common = errorOf(() => readEnv(env({ AUTH_ENTRA_CLIENT_ID: "id", AUTH_ENTRA_CLIENT_SECRET: "v", AUTH_ENTRA_TENANT_ID: "Common" })));
    expect(common.variables).toEqual(["AUTH_ENTRA_TENANT_ID"]);
  });

  test("reads process.env at call time, so a test may change it between calls", () => {
    const saved = process.env.CRON_SECRET;
    try {
      process.env.CRON_SECRET = "first";
      expect(readEnv().CRON_SECRET).toBe("first");
      process.env.CRON_SECRET = "second";
      expect(readEnv().CRON_SECRET).toBe("second");
    } finally {
      if (saved === undefined) delete process.env.CRON_SECRET;
      else process.env.CRON_SECRET = saved;
    }
  });
});

describe("assertEnv", () => {
  test("production refuses to start without its secrets, naming them", () => {
    const error = errorOf(() => assertEnv(env({ NODE_ENV: "production" })));
    expect(error.variables).toEqual(["AUTH_SECRET", "ENCRYPTION_KEY"]);
    expect(error.message).toMatch(/AUTH_SECRET is required in production/);
    expect(assertEnv(env({ NODE_ENV: "production", NEXTAUTH_SECRET: "x", ENCRYPTION_KEY: key }))).toMatchObject({ ENCRYPTION_KEY: key });
  });

  test("development needs nothing", () => {
    expect(assertEnv(env({ NODE_ENV: "development" }))).toEqual({});
  });
});
