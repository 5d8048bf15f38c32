import { afterEach, beforeEach, describe, expect, test } from "vitest";
import * as s from "@/db/schema";
import { authenticateBearer } from "@/lib/tokens/api-tokens";
import { createTestDb, dbKinds, type TestDb } from "@/test/support/db";
import { makeOrg } from "@/test/integration/audience-fixtures";
import { parseOptions, UsageError, type CommandContext } from "../command";
import { tokensCommands } from "./tokens";

function context(h: TestDb) {
  const lines: string[] = [];
  const ctx: CommandContext = { db: async () => h.db, out: (line = "") => void lines.push(line), progress: () => {}, promptHidden: async () => "", isInteractive: false };
  return { ctx, lines };
}
const run = (ctx: CommandContext, name: keyof typeof tokensCommands.subcommands, argv: string[]) => {
  const sub = tokensCommands.subcommands[name];
  return sub.run(ctx, parseOptions(sub.options, argv));
};

describe.each(dbKinds)("roster tokens on %s", (kind) => {
  let h: TestDb;
  beforeEach(async () => {
    h = await createTestDb(kind);
    await makeOrg(h.db, "Northwind");
  });
  afterEach(() => h.close());

  test("create prints the token once, list never shows it, revoke stops it working", async () => {
    const { ctx, lines } = context(h);
    await run(ctx, "create", ["--org", "Northwind", "--label", "Newsletter platform"]);
    expect(lines[0]).toMatch(/^Created API token “Newsletter platform” for Northwind\. Token id: [0-9a-f-]{36}$/);
    const token = lines[2];
    expect(token).toMatch(/^rst_[A-Za-z0-9_-]{43}$/);
    const id = lines[0].split("Token id: ")[1];
    const [row] = await h.db.select().from(s.apiTokens);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token.slice(10));
    expect(await authenticateBearer(h.db, `Bearer ${token}`)).toMatchObject({ tokenId: id, label: "Newsletter platform" });

    lines.length = 0;
    await run(ctx, "list", []);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${id}  Northwind  “Newsletter platform”  ${token.slice(0, 10)}…  active`);
    expect(lines[0]).not.toContain(token);

    lines.length = 0;
    await run(ctx, "revoke", [id]);
    expect(lines).toEqual(["Revoked API token “Newsletter platform” of Northwind."]);
    expect(await authenticateBearer(h.db, `Bearer ${token}`)).toBeNull();
    await expect(run(ctx, "revoke", [id])).rejects.toMatchObject({ code: "conflict" });
    lines.length = 0;
    await run(ctx, "list", ["--org", "Northwind"]);
    expect(lines[0]).toMatch(/revoked \d{4}-/);
    const audits = await h.db.select().from(s.auditEvents);
    expect(audits.map((a) => [a.action, a.actorLabel])).toEqual([["api_token.create", "cli"], ["api_token.revoke", "cli"]]);
  });

  test("refuses an unknown organization, an empty label, a bad id and a missing id clearly", async () => {
    const { ctx } = context(h);
    await expect(run(ctx, "create", ["--org", "Fabrikam", "--label", "x"])).rejects.toMatchObject({ code: "not_found", message: expect.stringContaining('Known organizations: "Northwind"') });
    await expect(run(ctx, "create", ["--org", "Northwind", "--label", "  "])).rejects.toMatchObject({ code: "invalid_input" });
    await expect(run(ctx, "revoke", ["nope"])).rejects.toMatchObject({ code: "not_found" });
    await expect(run(ctx, "revoke", [])).rejects.toThrow(UsageError);
    expect(await h.db.select().from(s.apiTokens)).toEqual([]);
  });
});
