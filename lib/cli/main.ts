import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { simCommand } from "./commands/sim.ts";
import { ExitCode } from "./exit-codes.ts";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/** Builds the `smh-cleaner` program. Each command lives in `lib/cli/commands/<name>.ts`. */
export function buildProgram(): Command {
  const program = new Command("smh-cleaner")
    .description("Bulk, safe and reversible deletion of directories and albums in Tencent Cloud SMH")
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(simCommand());
  return program;
}

/**
 * Runs the CLI with `argv` (as `process.argv`) and resolves to the exit code.
 * Commands set `process.exitCode` for non-zero outcomes; usage errors map to {@link ExitCode.usage}.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; everything else is a usage error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`smh-cleaner: ${message}\n`);
    return ExitCode.failure;
  }
}
