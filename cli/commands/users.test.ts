import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { eq } from "drizzle-orm";
import { memberships, users } from "@/db/schema";
import { verifyPassword } from "@/lib/auth/password";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { makeOrg } from "@/test/integration/audience-fixtures";
import { parseOptions, UsageError, type CommandContext } from "../command";
import { main } from "../roster";
import { usersCommands } from "./users";

const create = usersCommands.subcommands.create;

function context(h: TestDb, opts: { interactive?: boolean; answers?: string[] } = {}) {
  const lines: string[] = [];
  const answers = [...(opts.answers ?? [])];
  const ctx: CommandContext = {
    db: async () => h.db,
    out: (line = "") => void lines.push(line),
    progress: (line) => void lines.push(line),
    promptHidden: async () => answers.shift() ?? "",
    isInteractive: opts.interactive ?? false,
  };
  return { ctx, lines };
}

const argv = (over: Record<string, string> = {}) =>
  Object.entries({ email: "new.admin@northwind.example", name: "New Admin", org: "Northwind", role: "admin", ...over }).flatMap(([k, v]) => [`--${k}`, v]);

describe.each(dbKinds)("roster users create on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
    await makeOrg(h.db, "Northwind");
    vi.stubEnv("ROSTER_PASSWORD", "a long enough password");
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await h.close();
  });

  test("creates the user with a hashed password and the role in the organization", async () => {
    const { ctx, lines } = context(h);
    await create.run(ctx, parseOptions(create.options, argv()));
    expect(lines.join("\n")).toMatch(/^Created admin new\.admin@northwind\.example \(New Admin\) in Northwind\. User id: [0-9a-f-]{36}$/);
    const [user] = await h.db.select().from(users).where(eq(users.emailNormalized, "new.admin@northwind.example"));
    expect(await verifyPassword("a long enough password", user.passwordHash!)).toBe(true);
    expect(user.passwordHash).not.toContain("a long enough password");
    const [membership] = await h.db.select().from(memberships).where(eq(memberships.userId, user.id));
    expect(membership.role).toBe("admin");
  });

  test("asks for the password twice, hidden, when run in a terminal without ROSTER_PASSWORD", async () => {
    vi.stubEnv("ROSTER_PASSWORD", "");
    const { ctx, lines } = context(h, { interactive: true, answers: ["short", "typed password one", "typed password two", "typed password one", "typed password one"] });
    await create.run(ctx, parseOptions(create.options, argv()));
    expect(lines).toEqual([
      "That password is too weak: Use at least 12 characters.",
      "The two passwords differ. Try again.",
      expect.stringMatching(/^Created admin/),
    ]);
  });

  test.each<[string, Record<string, string>, string, RegExp]>([
    ["unknown organization", { org: "Fabrikam" }, "not_found", /No organization is named "Fabrikam"\. Known organizations: "Northwind"\./],
    ["invalid email", { email: "not-an-email" }, "invalid_input", /"not-an-email" is not a valid email address/],
    ["empty name", { name: "  " }, "invalid_input", /name is empty/],
  ])("refuses %s clearly", async (_label, over, code, message) => {
    const { ctx } = context(h);
    await expect(create.run(ctx, parseOptions(create.options, argv(over)))).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    expect(await h.db.select().from(users)).toEqual([]);
  });

  test("refuses a taken email, compared lower-cased", async () => {
    const { ctx } = context(h);
    await create.run(ctx, parseOptions(create.options, argv()));
    await expect(create.run(ctx, parseOptions(create.options, argv({ email: " NEW.ADMIN@northwind.example" })))).rejects.toMatchObject({
      code: "conflict",
      message: "A user with the email NEW.ADMIN@northwind.example already exists.",
    });
  });

  test("refuses a weak password from ROSTER_PASSWORD", async () => {
    vi.stubEnv("ROSTER_PASSWORD", "short");
    const { ctx } = context(h);
    await expect(create.run(ctx, parseOptions(create.options, argv()))).rejects.toMatchObject({ code: "invalid_input", message: "The password is too weak: Use at least 12 characters." });
  });

  test("refuses a bad role before asking for a password", async () => {
    vi.stubEnv("ROSTER_PASSWORD", "");
    const prompt = vi.fn(async () => "whatever password");
    const { ctx } = context(h, { interactive: true });
    ctx.promptHidden = prompt;
    await expect(create.run(ctx, parseOptions(create.options, argv({ role: "owner" })))).rejects.toThrow(new UsageError('Unknown role "owner". Use admin or editor.'));
    expect(prompt).not.toHaveBeenCalled();
  });

  test("without a terminal and without ROSTER_PASSWORD it says how to give one", async () => {
    vi.stubEnv("ROSTER_PASSWORD", "");
    const { ctx } = context(h);
    await expect(create.run(ctx, parseOptions(create.options, argv()))).rejects.toThrow(/Set ROSTER_PASSWORD/);
  });
});

describe("roster dispatcher", () => {
  let out = "";
  let err = "";
  beforeEach(() => {
    out = "";
    err = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  test.each<[string[], number, "out" | "err", RegExp]>([
    [["--help"], 0, "out", /Usage: npm run roster -- <group> <command>[\s\S]*users +Create and list/],
    [[], 2, "err", /Usage: npm run roster/],
    [["nope"], 2, "err", /Unknown command group "nope"/],
    [["users"], 2, "err", /Commands:[\s\S]*create +Create a user/],
    [["users", "--help"], 0, "out", /Commands:/],
    [["users", "delete"], 2, "err", /Unknown command "users delete"/],
    [["users", "create", "--help"], 0, "out", /--email <email>[\s\S]*--role <admin\|editor>[\s\S]*ROSTER_PASSWORD/],
    [["users", "create", "--email", "a@x.com"], 2, "err", /Error: Missing --name\./],
    [["users", "create", "--emial", "a@x.com"], 2, "err", /Error: Unknown option '--emial'/],
  ])("%j → exit %i", async (args, code, stream, text) => {
    expect(await main(args)).toBe(code);
    expect(stream === "out" ? out : err).toMatch(text);
  });
});
