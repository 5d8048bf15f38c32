import { defineConfig, devices } from "@playwright/test";

/**
 * One production build is shared by every spec (global setup builds it once); each test then gets its own
 * database and its own `next start` on its own port (e2e/support/fixtures.ts), so tests never share state.
 */
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/support/global-setup.ts",
  globalTeardown: "./e2e/support/global-teardown.ts",
  fullyParallel: true,
  workers: Number(process.env.E2E_WORKERS || 2),
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // Budgets, not measurements: a test fails on what it sees, never on how long it took. They are generous because
  // a shared 2-core machine under load runs a production server, the sandbox and Chromium for each worker.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    ...devices["Desktop Chrome"],
    viewport: { width: 1280, height: 800 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      // The machine has no network: keep Chromium from trying to reach Google's services.
      args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
});
