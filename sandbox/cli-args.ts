/**
 * Command-line flags of `npm run sandbox` (sandbox/main.ts), parsed into startSandbox options. Fault flags
 * apply to the tenants made at start; the control API can change them later.
 */
import { FaultsSchema, type FaultsInput } from "./faults/faults";
import { GenerateSchema } from "./tenants/create-tenant";
import type { SandboxOptions } from "./server";

export const USAGE = `Usage: npm run sandbox -- [flags]
  --port N                 listen port (default 4443; 0 = any free port)
  --host H                 listen address (default 127.0.0.1)
  --data-dir DIR           certificate folder (default .data/sandbox)
  --scenario northwind|none  load the Northwind demo tenant (default) or nothing
  --generate k=v,...       also create a generated tenant: users, groups, depth, overlap, disabledPct,
                           noMailPct, guestPct, contacts, seed, cycles (e.g. users=100000,groups=50,depth=3,seed=1)
  --latency-ms N           delay every Graph response by N ms
  --token-latency-ms N     delay every token response by N ms
  --throttle LIMIT[:requests|resourceUnits][@SECONDS]
                           429 past LIMIT requests (or resource units) per window (default 10 s)
  --retry-after path=P,nth=N[,times=T][,seconds=S][,status=429|503]   (repeatable)
  --page-error groupId=G,page=K[,status=500|503][,mode=once|always][,list=members|transitiveMembers]   (repeatable)
  --reset path=P,nth=N[,times=T]   destroy the connection instead of answering (repeatable)
  --faults JSON            the whole fault set as JSON (see sandbox/README.md)
  --help`;

function kv(text: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const pair of text.split(",")) {
    const [k, ...v] = pair.split("=");
    if (!k || v.length === 0) throw new Error(`expected key=value, got '${pair}'`);
    const value = v.join("=");
    out[k.trim()] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return out;
}

export function parseArgs(argv: string[]): SandboxOptions & { help?: boolean } {
  const opts: SandboxOptions & { help?: boolean } = {};
  const faults: FaultsInput = {};
  const next = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case "--help":
      case "-h":
        opts.help = true;
        break;
      case "--port":
        opts.port = Number(next(i++, flag));
        break;
      case "--host":
        opts.host = next(i++, flag);
        break;
      case "--data-dir":
        opts.dataDir = next(i++, flag);
        break;
      case "--scenario": {
        const s = next(i++, flag);
        if (s !== "northwind" && s !== "none") throw new Error("--scenario is northwind or none");
        opts.demo = s === "northwind";
        break;
      }
      case "--generate":
        opts.generate = GenerateSchema.parse(kv(next(i++, flag)));
        break;
      case "--latency-ms":
        faults.latencyMs = Number(next(i++, flag));
        break;
      case "--token-latency-ms":
        faults.tokenLatencyMs = Number(next(i++, flag));
        break;
      case "--throttle": {
        const m = /^(\d+)(?::(requests|resourceUnits))?(?:@(\d+(?:\.\d+)?))?$/.exec(next(i++, flag));
        if (!m) throw new Error("--throttle LIMIT[:requests|resourceUnits][@SECONDS]");
        faults.throttle = { limit: Number(m[1]), unit: (m[2] as "requests" | "resourceUnits" | undefined) ?? "requests", windowSeconds: m[3] ? Number(m[3]) : 10 };
        break;
      }
      case "--retry-after":
        (faults.retryAfter ??= []).push(kv(next(i++, flag)) as never);
        break;
      case "--page-error":
        (faults.pageErrors ??= []).push(kv(next(i++, flag)) as never);
        break;
      case "--reset":
        (faults.resetConnection ??= []).push(kv(next(i++, flag)) as never);
        break;
      case "--faults":
        Object.assign(faults, JSON.parse(next(i++, flag)));
        break;
      default:
        throw new Error(`unknown flag ${flag}\n${USAGE}`);
    }
  }
  if (Object.keys(faults).length > 0) opts.faults = FaultsSchema.parse(faults);
  return opts;
}
