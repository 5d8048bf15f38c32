import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".data/**", ".next*/**"],
    // server-only throws outside a React server bundle; tests are server code.
    server: { deps: { inline: [] } },
    alias: { "server-only": path.resolve(__dirname, "test/support/server-only.ts") },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    globalSetup: ["test/support/postgres-template.ts"],
  },
});
