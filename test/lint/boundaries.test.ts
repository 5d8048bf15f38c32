import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, test } from "vitest";

/**
 * The lint rules that keep dependencies pointing one way (eslint.config.mjs; docs/design.md, "Which way
 * dependencies point") must fail `npm run lint` on a violation. Each case lints a deliberate import, as if it
 * were a file at `file`, with the repository's own configuration, and expects exactly that rule to report it
 * (or nothing, for the imports that are allowed).
 */
const root = path.resolve(__dirname, "../..");
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = [x];\n`, { filePath: path.join(root, file) });
  return result.messages
    .filter((m) => m.ruleId === "import/no-restricted-paths" || m.ruleId === "no-restricted-imports")
    .map((m) => `${m.ruleId}: ${m.message}`);
}

describe("dependency boundaries", () => {
  test.each([
    ["components → lib/db (the database handle)", "components/audience/x.tsx", 'import { getDb as x } from "@/lib/db";', /Components never query/],
    ["components → db/, by a relative path", "components/audience/x.tsx", 'import { openDb as x } from "../../db/client";', /Components never query/],
    ["components → db/schema, by the alias", "components/directory/x.ts", 'import { recipients as x } from "@/db/schema";', /Components never query/],
    ["components → a database client package", "components/ui/x.ts", 'import x from "postgres";', /Components never query/],
    ["components → drizzle-orm", "components/ui/x.ts", 'import { sql as x } from "drizzle-orm";', /Components never query/],
    ["db/ → lib/", "db/x.ts", 'import { hashPassword as x } from "../lib/auth/password";', /db\/ imports nothing above it/],
    ["db/ → app/", "db/x.ts", 'import x from "@/app/admin/layout";', /db\/ imports nothing above it/],
    ["db/ → cli/", "db/x.ts", 'import { runCli as x } from "@/cli/roster";', /db\/ imports nothing above it/],
    ["lib/directory/entra → db/", "lib/directory/entra/x.ts", 'import { openDb as x } from "@/db/client";', /knows nothing of storage/],
    ["product (lib) → sandbox", "lib/sync/x.ts", 'import { startSandbox as x } from "@/sandbox/server";', /shares no code with the sandbox/],
    ["product (app) → sandbox, by a relative path", "app/x.ts", 'import { ensureCertificate as x } from "../sandbox/cert";', /shares no code with the sandbox/],
    ["product (cli) → sandbox", "cli/x.ts", 'import { startSandbox as x } from "../sandbox/server";', /shares no code with the sandbox/],
    ["sandbox → lib/", "sandbox/graph/x.ts", 'import { retryDelayMs as x } from "../../lib/directory/entra/retry";', /sandbox plays Microsoft/],
    ["sandbox → db/", "sandbox/x.ts", 'import { recipients as x } from "@/db/schema";', /sandbox plays Microsoft/],
    ["lib/sync → lib/directory/entra (past the provider seam)", "lib/sync/x.ts", 'import { GraphRequestError as x } from "@/lib/directory/entra/errors";', /only lib\/directory\/registry.ts imports/],
    ["a product test → lib/directory/entra", "lib/sync/x.test.ts", 'import { isTransient as x } from "@/lib/directory/entra/retry";', /only lib\/directory\/registry.ts imports/],
    ["lib/connections → lib/directory/entra, by a relative path", "lib/connections/x.ts", 'import { openGraph as x } from "../directory/entra/client";', /only lib\/directory\/registry.ts imports/],
    ["lib/directory (outside entra) → lib/directory/entra", "lib/directory/x.ts", 'import { entraProvider as x } from "./entra/provider";', /only lib\/directory\/registry.ts imports/],
    ["a new folder under lib/directory → lib/directory/entra", "lib/directory/google/x.ts", 'import { diagnose as x } from "../entra/diagnose";', /only lib\/directory\/registry.ts imports/],
    ["a file directly under lib/ → lib/directory/entra", "lib/x.ts", 'import { openGraph as x } from "./directory/entra/client";', /only lib\/directory\/registry.ts imports/],
    ["app → lib/directory/entra", "app/admin/x.tsx", 'import { REQUIRED_PERMISSIONS as x } from "@/lib/directory/entra/verify";', /only lib\/directory\/registry.ts imports/],
    ["components → lib/directory/entra", "components/connections/x.tsx", 'import { groupKind as x } from "@/lib/directory/entra/groups";', /only lib\/directory\/registry.ts imports/],
    ["cli → lib/directory/entra", "cli/x.ts", 'import { diagnose as x } from "../lib/directory/entra/diagnose";', /only lib\/directory\/registry.ts imports/],
  ])("%s fails lint", async (_name, file, code, message) => {
    const errors = await boundaryErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  test.each([
    ["components → lib (pure helpers)", "components/directory/x.ts", 'import { stateLabel as x } from "@/lib/dialog/labels";'],
    ["app → lib/db", "app/x.ts", 'import { getDb as x } from "@/lib/db";'],
    ["lib → db", "lib/sync/x.ts", 'import { openDb as x } from "@/db/client";'],
    ["tests under test/ → sandbox", "test/integration/x.ts", 'import { startSandbox as x } from "@/sandbox/server";'],
    ["scripts → sandbox and db (the dev script starts both)", "scripts/x.ts", 'import { ensureCertificate as x } from "../sandbox/cert";'],
    ["sandbox → itself", "sandbox/graph/x.ts", 'import { startSandbox as x } from "../server";'],
    ["the registry → lib/directory/entra (the one door)", "lib/directory/registry.ts", 'import { entraProvider as x } from "@/lib/directory/entra/provider";'],
    ["lib/directory/entra → itself", "lib/directory/entra/x.ts", 'import { GraphRequestError as x } from "./errors";'],
    ["lib/sync → the provider seam", "lib/sync/x.ts", 'import { providerForConnection as x } from "@/lib/directory/registry";'],
    ["lib/sync → the neutral directory types", "lib/sync/x.ts", 'import { type Diagnosis as x } from "@/lib/directory/types";'],
    ["tests under test/ → lib/directory/entra", "test/integration/x.ts", 'import { openGraph as x } from "@/lib/directory/entra/client";'],
    ["bench → lib/directory/entra", "bench/x.ts", 'import { openGraph as x } from "../lib/directory/entra/client";'],
  ])("%s is allowed", async (_name, file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  });
});
