/**
 * Sandbox benchmark: how fast the sandbox serves a full transitive enumeration of a large group at $top=999
 * with no latency added (target: under 20 ms per page), and how much memory a million-user directory takes.
 *
 *   npx tsx bench/sandbox-bench.ts            100,000 users / 50 groups / depth 3: ms per page, pages, RSS
 *   npx tsx bench/sandbox-bench.ts --million  1,000,000 users: generation time, a full enumeration, peak RSS
 *
 * The client is plain node:https trusting the sandbox certificate explicitly (no NODE_EXTRA_CA_CERTS needed,
 * verification stays on), with one kept-alive connection, as a sync worker would use.
 */
import https from "node:https";
import { ensureCertificate } from "../sandbox/cert";
import { startSandbox } from "../sandbox/server";

export interface SandboxBenchOptions {
  users?: number;
  groups?: number;
  depth?: number;
  seed?: number;
  /** Generate 1,000,000 users and report memory (overrides `users`). */
  million?: boolean;
}

const SELECT = "id,mail,userPrincipalName,accountEnabled,displayName";

function getJson(agent: https.Agent, url: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
        } catch (e) {
          reject(e);
        }
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function postForm(agent: https.Agent, url: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(url, { agent, method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const mb = (bytes: number) => Math.round(bytes / 1_048_576);
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

export async function runSandboxBench(opts: SandboxBenchOptions = {}): Promise<Record<string, number | string>> {
  const users = opts.million ? 1_000_000 : (opts.users ?? 100_000);
  const generate = { users, groups: opts.groups ?? 50, depth: opts.depth ?? 3, seed: opts.seed ?? 1 };
  const sb = await startSandbox({ port: 0, demo: false });
  const { cert } = ensureCertificate();
  const agent = new https.Agent({ ca: cert, keepAlive: true, maxSockets: 1 });
  try {
    const t0 = performance.now();
    const m = sb.createTenant({ generate });
    const generateMs = performance.now() - t0;
    const largest = m.groups.reduce((a, b) => (b.transitive.users > a.transitive.users ? b : a));
    const a = m.apps[0];
    const token = await postForm(agent, m.tokenEndpoint, { client_id: a.clientId, client_secret: a.secrets[0].value, scope: m.scope, grant_type: "client_credentials" });
    const headers = { authorization: `Bearer ${String(token.access_token)}`, ConsistencyLevel: "eventual" };

    const pageMs: number[] = [];
    let total = 0;
    let next: string | undefined = `${sb.url}/v1.0/groups/${largest.id}/transitiveMembers/microsoft.graph.user?$count=true&$top=999&$select=${SELECT}`;
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    while (next) {
      const p0 = performance.now();
      const res = await getJson(agent, next, headers);
      pageMs.push(performance.now() - p0);
      if (res.status !== 200) throw new Error(`page ${pageMs.length}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      total += (res.body.value as unknown[]).length;
      next = res.body["@odata.nextLink"] as string | undefined;
    }
    const enumerateMs = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const serverMs = (await getJson(agent, `${sb.url}/_sandbox/tenants/${m.tenantId}/requests`, {})).body.requests as Array<{ kind: string; durationMs: number }>;
    const graphServer = serverMs.filter((r) => r.kind === "graph").map((r) => r.durationMs);
    const mean = pageMs.reduce((x, y) => x + y, 0) / pageMs.length;
    const rss = process.memoryUsage().rss;
    const result: Record<string, number | string> = {
      mode: opts.million ? "million" : "enumerate",
      users,
      groups: generate.groups,
      depth: generate.depth,
      largestGroup: largest.displayName,
      largestGroupTransitiveUsers: largest.transitive.users,
      generateMs: Math.round(generateMs),
      pages: pageMs.length,
      total,
      firstPageMs: +pageMs[0].toFixed(2),
      msPerPage: +mean.toFixed(2),
      p50PageMs: +percentile(pageMs, 50).toFixed(2),
      p95PageMs: +percentile(pageMs, 95).toFixed(2),
      maxPageMs: +Math.max(...pageMs).toFixed(2),
      // CPU of client and server together (one process): what a page costs when the machine is busy elsewhere.
      cpuMsPerPage: +((cpu.user + cpu.system) / 1000 / pageMs.length).toFixed(2),
      serverMsPerPage: +(graphServer.reduce((x, y) => x + y, 0) / Math.max(1, graphServer.length)).toFixed(2),
      enumerateMs: Math.round(enumerateMs),
      rssMB: mb(rss),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      heapUsedMB: mb(process.memoryUsage().heapUsed),
      target: opts.million ? "peak RSS under 2048 MB" : "under 20 ms per page",
      pass: opts.million ? String(process.resourceUsage().maxRSS / 1024 < 2048) : String(mean < 20 && total === largest.transitive.users),
    };
    return result;
  } finally {
    agent.destroy();
    await sb.close();
  }
}

if (process.argv[1] && /sandbox-bench(\.ts)?$/.test(process.argv[1])) {
  const million = process.argv.includes("--million") || process.env.BENCH_MILLION === "1";
  runSandboxBench({ million })
    .then((r) => {
      for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(28)} ${v}`);
      process.exit(r.pass === "true" ? 0 : 1);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
