/**
 * `npm run bench -- first-run [<git ref>]`: what the README's quick start costs on a fresh clone, from
 * `npm run dev` to a signed-in series page that answers, the way a newcomer meets it: a clean clone (no `.next`,
 * no `.data`), the demo sign-in typed into the login page in Chromium, the series page waited for.
 *
 * `npm install` is not timed (the clone reuses this checkout's node_modules through hard links). A figure, not
 * a test: it depends on the machine and on what else it runs, so it is printed with the load average.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export async function runFirstRunBench(ref = "HEAD"): Promise<Record<string, number | string>> {
  const root = path.resolve(__dirname, "..");
  const dir = mkdtempSync(path.join(os.tmpdir(), "roster-first-run-"));
  execFileSync("git", ["clone", "-q", "--no-checkout", root, dir]);
  execFileSync("git", ["-C", dir, "checkout", "-q", execFileSync("git", ["-C", root, "rev-parse", ref]).toString().trim()]);
  execFileSync("cp", ["-al", path.join(root, "node_modules"), path.join(dir, "node_modules")]); // hard links: no install, no copy

  const [port, sandboxPort] = [await freePort(), await freePort()];
  const t0 = performance.now();
  const marks: Record<string, number> = {};
  const since = () => Math.round((performance.now() - t0) / 100) / 10;
  const dev = spawn("npm", ["run", "dev"], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), SANDBOX_PORT: String(sandboxPort), DATABASE_URL: "", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (!marks["Next says Ready (s)"] && /Ready in/.test(log)) {
        marks["Next says Ready (s)"] = since();
        resolve();
      }
    };
    dev.stdout!.on("data", onData);
    dev.stderr!.on("data", onData);
    dev.once("exit", (code) => reject(new Error(`npm run dev exited with ${code}:\n${log.slice(-2000)}`)));
  });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium" });
  try {
    await ready;
    const page = await browser.newPage();
    const base = `http://localhost:${port}`;
    await page.goto(`${base}/login`, { timeout: 600_000 });
    await page.getByLabel("Email").waitFor({ timeout: 600_000 });
    marks["login page usable (s)"] = since();
    await page.getByLabel("Email").fill("editor@northwind.example");
    await page.getByLabel("Password").fill("roster-editor-demo");
    await page.getByRole("button", { name: "Sign in" }).click();
    const series = page.getByRole("link", { name: /Weekly All-Hands/ }).first();
    await series.waitFor({ timeout: 600_000 });
    marks["signed in, series list shown (s)"] = since();
    await series.click();
    await page.getByRole("button", { name: "Manage recipients" }).waitFor({ timeout: 600_000 });
    marks["series page usable (s)"] = since();
  } finally {
    await browser.close();
    try {
      process.kill(-dev.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return { ref, ...marks, "load average (1 min) at the end": os.loadavg()[0].toFixed(1), cores: os.cpus().length };
}
