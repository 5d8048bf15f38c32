/**
 * Starting a server process on a port of its own, without a race.
 *
 * Some servers must be told their port before they start (`next start -p N`, whose NEXTAUTH_URL names it), so
 * "bind port 0 and read it back" is not available. Picking a free port, closing it and handing it over leaves
 * a window in which another process can take it. So: pick a port, start the child, and count it started only
 * when the child itself prints that it is listening (its `ready` line, printed after its bind succeeded). A
 * child that reports EADDRINUSE lost the race: start again on a newly picked port. Nobody talks to the port
 * before the child's own ready line, so a stranger that took the port is never mistaken for the child.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createServer } from "node:net";

export interface ListeningChild {
  child: ChildProcess;
  port: number;
  /** Every line the child printed so far (stdout and stderr). */
  lines: string[];
  /** Resolves when the child exits. */
  exited: Promise<void>;
  /** How many starts lost the port to another process before this one. */
  lostRaces: number;
}

export interface ListenChildOptions {
  command: string;
  args: (port: number) => string[];
  options?: (port: number) => SpawnOptions;
  /** A line the child prints only once it is listening. */
  ready: RegExp;
  /** Starts before giving up (default 5). */
  attempts?: number;
  /** How long to wait for the ready line (default 60 s). */
  readyTimeoutMs?: number;
  /** Picks a candidate port (default: the kernel's next ephemeral port). */
  pickPort?: () => Promise<number>;
}

export function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const IN_USE = /EADDRINUSE|address already in use/i;

export async function startListeningChild(o: ListenChildOptions): Promise<ListeningChild> {
  const attempts = o.attempts ?? 5;
  const pick = o.pickPort ?? ephemeralPort;
  let lostRaces = 0;
  for (;;) {
    const port = await pick();
    const lines: string[] = [];
    const child = spawn(o.command, o.args(port), { stdio: ["ignore", "pipe", "pipe"], ...(o.options?.(port) ?? {}) });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const outcome = await new Promise<"ready" | "in-use" | Error>((resolve) => {
      const timer = setTimeout(() => resolve(new Error(`no ready line in ${o.readyTimeoutMs ?? 60_000} ms:\n${lines.join("\n")}`)), o.readyTimeoutMs ?? 60_000);
      const done = (v: "ready" | "in-use" | Error) => {
        clearTimeout(timer);
        resolve(v);
      };
      for (const stream of [child.stdout!, child.stderr!]) {
        let partial = "";
        stream.on("data", (chunk: Buffer) => {
          const parts = (partial + chunk.toString()).split("\n");
          partial = parts.pop() ?? "";
          lines.push(...parts);
          if (parts.some((l) => o.ready.test(l))) done("ready");
        });
      }
      child.once("exit", (code) => {
        // Let the last output arrive before reading it.
        setImmediate(() => done(lines.some((l) => IN_USE.test(l)) ? "in-use" : new Error(`exited (${code}) before listening:\n${lines.join("\n")}`)));
      });
    });
    if (outcome === "ready") return { child, port, lines, exited, lostRaces };
    if (child.exitCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    if (outcome === "in-use" && ++lostRaces < attempts) continue;
    throw outcome === "in-use" ? new Error(`port taken by another process ${lostRaces} times in a row`) : outcome;
  }
}
