/**
 * What a command module of the operator CLI looks like, and the small toolkit commands share: option parsing,
 * usage errors, a lazily opened database, progress output and a hidden password prompt.
 *
 * A module exports one `CommandGroup` (`roster users …`, `roster connections …`) and is listed once in
 * cli/roster.ts.
 */
import { parseArgs } from "node:util";
import type { DbHandle } from "@/db/client";

export interface OptionSpec {
  type: "string" | "boolean";
  description: string;
  /** Shown as `--name <placeholder>` in help. */
  placeholder?: string;
  required?: boolean;
}

export interface Subcommand {
  summary: string;
  options?: Record<string, OptionSpec>;
  /** Positional arguments, for help only, e.g. "<connection-id>". */
  args?: string;
  /** Extra lines for `--help`: examples, environment variables. */
  details?: string[];
  /** Resolves to the exit code (default 0); throw UsageError or RosterError for clear failures. */
  run(ctx: CommandContext, input: { options: Record<string, string | boolean | undefined>; args: string[] }): Promise<void | number>;
}

export interface CommandGroup {
  name: string;
  summary: string;
  subcommands: Record<string, Subcommand>;
  /** Run when the group is followed directly by options (`roster sync --due`). */
  defaultSubcommand?: string;
}

export interface CommandContext {
  /** The configured database (DATABASE_URL, or the embedded one), opened on first use and closed at exit. */
  db(): Promise<DbHandle["db"]>;
  out(line?: string): void;
  /** A progress line that rewrites itself on a terminal and prints plainly in logs. */
  progress(line: string): void;
  /** Reads a secret from the terminal without echoing it. */
  promptHidden(question: string): Promise<string>;
  isInteractive: boolean;
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function parseOptions(spec: Record<string, OptionSpec> | undefined, argv: string[]) {
  const options = Object.fromEntries(Object.entries(spec ?? {}).map(([name, o]) => [name, { type: o.type }])) as Record<
    string,
    { type: "string" | "boolean" }
  >;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's messages ("Unknown option '--emial'") are clear; drop its error-code prefix.
    throw new UsageError(error instanceof Error ? error.message.replace(/^\w+ \[\w+\]: /, "") : String(error));
  }
  for (const [name, o] of Object.entries(spec ?? {})) {
    const value = parsed.values[name];
    if (o.required && (value === undefined || value === "")) throw new UsageError(`Missing --${name}.`);
  }
  return { options: parsed.values as Record<string, string | boolean | undefined>, args: parsed.positionals };
}

export function subcommandUsage(group: CommandGroup, name: string, sub: Subcommand): string {
  const opts = Object.entries(sub.options ?? {});
  const synopsis = [
    `npm run roster -- ${group.name} ${name}`,
    sub.args ?? "",
    ...opts.map(([n, o]) => {
      const flag = o.type === "string" ? `--${n} <${o.placeholder ?? n}>` : `--${n}`;
      return o.required ? flag : `[${flag}]`;
    }),
  ]
    .filter(Boolean)
    .join(" ");
  const width = Math.max(0, ...opts.map(([n, o]) => (o.type === "string" ? `--${n} <${o.placeholder ?? n}>` : `--${n}`).length));
  const lines = [`${sub.summary}`, "", `Usage: ${synopsis}`];
  if (opts.length) {
    lines.push("", "Options:");
    for (const [n, o] of opts) {
      const flag = o.type === "string" ? `--${n} <${o.placeholder ?? n}>` : `--${n}`;
      lines.push(`  ${flag.padEnd(width)}  ${o.description}`);
    }
  }
  if (sub.details?.length) lines.push("", ...sub.details);
  return lines.join("\n");
}

export function groupUsage(group: CommandGroup): string {
  const names = Object.keys(group.subcommands);
  const width = Math.max(...names.map((n) => n.length));
  return [
    group.summary,
    "",
    `Usage: npm run roster -- ${group.name} <command> [options]`,
    "",
    "Commands:",
    ...names.map((n) => `  ${n.padEnd(width)}  ${group.subcommands[n].summary}`),
    "",
    `Run "npm run roster -- ${group.name} <command> --help" for a command's options.`,
  ].join("\n");
}
