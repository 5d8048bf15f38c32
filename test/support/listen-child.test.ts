/**
 * The port race of "pick a free port, close it, hand it to a child": another process takes the port first.
 * Here that other process is made to win every time it is offered a port, and the child still starts.
 */
import { connect, createServer, type Server } from "node:net";
import { afterEach, expect, test } from "vitest";
import { ephemeralPort, startListeningChild } from "./listen-child";

// A child that listens on the port it is given, as `next start -p N` does: "Ready" once bound, EADDRINUSE
// and exit 1 when the port is taken.
const CHILD = `
const s = require("node:net").createServer((c) => c.end("hello"));
s.on("error", (e) => { console.error(e.code); process.exit(1); });
s.listen(Number(process.argv[1]), "127.0.0.1", () => console.log("Ready in 1ms"));
`;

const squatters: Server[] = [];
afterEach(async () => {
  await Promise.all(squatters.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Takes a port, as the other process in the race does. */
async function squat(): Promise<number> {
  const s = createServer();
  squatters.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  return (s.address() as { port: number }).port;
}

test("a start that loses its port to another process starts again on another port", async () => {
  let picks = 0;
  const taken: number[] = [];
  const started = await startListeningChild({
    command: process.execPath,
    args: (port) => ["-e", CHILD, String(port)],
    ready: /Ready in/,
    // The first two ports offered are taken by someone else between the pick and the child's bind.
    pickPort: async () => (++picks <= 2 ? (taken[taken.length] = await squat()) : ephemeralPort()),
  });
  try {
    expect(started.lostRaces).toBe(2);
    expect(taken).not.toContain(started.port);
    const hello = await new Promise<string>((resolve, reject) => {
      const c = connect(started.port, "127.0.0.1");
      let text = "";
      c.on("data", (d: Buffer) => (text += d.toString()));
      c.on("end", () => resolve(text));
      c.on("error", reject);
    });
    expect(hello).toBe("hello"); // the child's own server, not a stranger's
  } finally {
    started.child.kill("SIGKILL");
    await started.exited;
  }
});

test("gives up, with the reason, when the port is lost every time", async () => {
  await expect(
    startListeningChild({ command: process.execPath, args: (port) => ["-e", CHILD, String(port)], ready: /Ready in/, attempts: 2, pickPort: squat }),
  ).rejects.toThrow(/port taken by another process 2 times/);
});

test("a child that fails for another reason fails the start with its output", async () => {
  await expect(startListeningChild({ command: process.execPath, args: () => ["-e", "console.error('bad config'); process.exit(3)"], ready: /Ready in/ })).rejects.toThrow(
    /exited \(3\) before listening:\nbad config/,
  );
});
