import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const root = path.dirname(fileURLToPath(import.meta.url));

/** The product's folders: what the sandbox may not import, and what may not import the sandbox. */
const PRODUCT = ["./app", "./lib", "./components", "./db", "./cli"];

/**
 * Which way dependencies point (docs/design.md, "Which way dependencies point"), checked on resolved paths
 * (eslint-plugin-import, registered by eslint-config-next, with its TypeScript resolver), so `@/db/client`,
 * `../../db/client` and `../db` are the same import. test/lint/boundaries.test.ts proves each zone bites.
 */

/**
 * The product outside lib/directory/entra and lib/directory/registry.ts (the one door to it): globs, so a new
 * folder under lib/ is held to the seam without being listed (docs/adr/0016-directory-provider-seam.md).
 */
const OUTSIDE_ENTRA = [
  "./app/**",
  "./components/**",
  "./cli/**",
  "./db/**",
  "./lib/*",
  "./lib/!(directory)/**",
  "./lib/directory/!(entra|registry.ts)",
  "./lib/directory/!(entra)/**",
];
const boundaries = [
  {
    target: "./components",
    from: ["./db", "./lib/db.ts"],
    message: "Components never query: load data in app/ and pass it (and server actions) as props.",
  },
  {
    target: "./db",
    from: ["./app", "./lib", "./components", "./cli", "./sandbox", "./scripts", "./bench", "./test", "./e2e"],
    message: "db/ imports nothing above it (app/ → lib/ → db/).",
  },
  {
    target: "./lib/directory/entra",
    from: ["./db", "./lib/db.ts"],
    message: "lib/directory/entra knows nothing of storage: take what it needs as arguments.",
  },
  {
    target: OUTSIDE_ENTRA,
    from: "./lib/directory/entra",
    message:
      "Talk to the directory through lib/directory/provider.ts (and lib/directory/types.ts); only lib/directory/registry.ts imports lib/directory/entra.",
  },
  {
    target: PRODUCT,
    from: "./sandbox",
    message: "The product shares no code with the sandbox; tests reach it through test/ and e2e/ helpers.",
  },
  {
    target: "./sandbox",
    from: PRODUCT,
    message: "The sandbox plays Microsoft and shares no code with the product.",
  },
];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  // Playwright fixtures call their callback `use`; it is not React's hook.
  { files: ["e2e/**"], rules: { "react-hooks/rules-of-hooks": "off" } },
  {
    rules: { "import/no-restricted-paths": ["error", { basePath: root, zones: boundaries }] },
  },
  {
    files: ["components/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["postgres", "@electric-sql/pglite", "@electric-sql/pglite/*", "drizzle-orm", "drizzle-orm/*"],
              message: "Components never query: load data in app/ and pass it (and server actions) as props.",
            },
          ],
        },
      ],
    },
  },
  globalIgnores([".next*/**", "out/**", "build/**", "next-env.d.ts", ".data/**", "test-results/**", "playwright-report/**", "db/migrations/**"]),
]);
