/**
 * The operator CLI: `npm run roster -- <group> <command> [options]`, for support staff with database access.
 *
 * Adding commands: write cli/commands/<group>.ts exporting a `CommandGroup`, then add ONE line to COMMANDS below.
 */
import { openDb, type DbHandle } from "@/db/client";
import { migrate } from "@/db/migrate";
import { EnvError, readEnv } from "@/lib/env";
import { RosterError } from "@/lib/errors";
import { redact } from "@/lib/log";
import { groupUsage, parseOptions, subcommandUsage, UsageError, type CommandContext, type CommandGroup } from "./command";
import { usersCommands } from "./commands/users";
import { syncCommands } from "./commands/sync";
import { connectionsCommands } from "./commands/connections";
import { keysCommands } from "./commands/keys";
import { tokensCommands } from "./commands/tokens";
import { auditCommands } from "./commands/audit";

// ── Command registry: one line per module ────────────────────────────────────
const COMMANDS: CommandGroup[] = [
  usersCommands,
  syncCommands,
  connectionsCommands,
  keysCommands,
  tokensCommands,
  auditCommands,
];

function topUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "Roster operator CLI",
    "",
    "Usage: npm run roster -- <group> <command> [options]",
    "",
    "Groups:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    'Run "npm run roster -- <group> --help" for its commands.',
    "Uses DATABASE_URL when set, otherwise the embedded database in .data/ (stop `npm run dev` first: it holds that database).",
  ].join("\n");
}

function createContext(): { ctx: CommandContext; close(): Promise<void> } {
  let handle: Promise<DbHandle> | undefined;
  let progressShown = false;
  const tty = Boolean(process.stdout.isTTY);
  const endProgress = () => {
    if (progressShown && tty) process.stdout.write("\n");
    progressShown = false;
  };
  const ctx: CommandContext = {
    isInteractive: Boolean(process.stdin.isTTY),
    async db() {
      handle ??= (async () => {
        const h = await openDb(readEnv().DATABASE_URL);
        // The embedded database is the demo's; bring it up to date as `npm run dev` would. PostgreSQL is
        // migrated by the deploy (`npm run db:migrate`), never behind an operator's back.
        if (h.kind === "pglite") await migrate(h);
        return h;
      })();
      return (await handle).db;
    },
    out(line = "") {
      endProgress();
      process.stdout.write(`${line}\n`);
    },
    progress(line) {
      if (tty) process.stdout.write(`\r\x1b[2K${line}`);
      else process.stdout.write(`${line}\n`);
      progressShown = true;
    },
    promptHidden: (question) => promptHidden(question),
  };
  return {
    ctx,
    async close() {
      endProgress();
      if (handle) await (await handle).close();
    },
  };
}

/** Reads a line from the terminal without echoing it (for passwords). */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new UsageError("No terminal to ask for the password on."));
  return new Promise((resolve, reject) => {
    let value = "";
    process.stdout.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const finish = (fn: () => void) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stdout.write("\n");
      fn();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return finish(() => resolve(value));
        if (ch === "\u0003") return finish(() => reject(new UsageError("Cancelled.")));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

export async function main(argv: string[]): Promise<number> {
  const [groupName, ...after] = argv;
  const defaultSub = COMMANDS.find((c) => c.name === groupName)?.defaultSubcommand;
  const [subName, ...rest] = defaultSub && after[0]?.startsWith("--") && after[0] !== "--help" ? [defaultSub, ...after] : after;
  const help = (text: string, code = 0) => {
    (code === 0 ? process.stdout : process.stderr).write(`${text}\n`);
    return code;
  };
  if (!groupName || groupName === "--help" || groupName === "-h" || groupName === "help") return help(topUsage(), groupName ? 0 : 2);
  const group = COMMANDS.find((c) => c.name === groupName);
  if (!group) return help(`Unknown command group "${groupName}".\n\n${topUsage()}`, 2);
  if (!subName || subName === "--help" || subName === "-h" || subName === "help") return help(groupUsage(group), subName ? 0 : 2);
  const sub = group.subcommands[subName];
  if (!sub) return help(`Unknown command "${groupName} ${subName}".\n\n${groupUsage(group)}`, 2);
  if (rest.includes("--help") || rest.includes("-h")) return help(subcommandUsage(group, subName, sub));

  const { ctx, close } = createContext();
  try {
    return (await sub.run(ctx, parseOptions(sub.options, rest))) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) return help(`Error: ${error.message}\n\n${subcommandUsage(group, subName, sub)}`, 2);
    if (error instanceof RosterError || error instanceof EnvError) return help(`Error: ${error.message}`, 1);
    const e = error instanceof Error ? error : new Error(String(error));
    return help(`Error: ${redact(`${e.name}: ${e.message}`)}`, 1);
  } finally {
    await close();
  }
}

// Run when executed (`tsx cli/roster.ts`), not when a test imports main().
if (process.argv[1] && /cli[\\/]roster\.ts$/.test(process.argv[1])) {
  try {
    readEnv(); // the configuration, checked once before any command: a bad variable is named, not hit midway
  } catch (error) {
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
