import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { conformanceCommand } from "./commands/conformance.ts";
import { enqueueCommand } from "./commands/enqueue.ts";
import { ledgerCommand } from "./commands/ledger.ts";
import { localCommand } from "./commands/local.ts";
import { planCommand } from "./commands/plan.ts";
import { purgeAlbumsCommand } from "./commands/purge-albums.ts";
import { recycleCommand } from "./commands/recycle.ts";
import { redriveCommand } from "./commands/redrive.ts";
import { resultsCommand } from "./commands/results.ts";
import { retentionCommand } from "./commands/retention.ts";
import { simCommand } from "./commands/sim.ts";
import { statusCommand } from "./commands/status.ts";
import { describeError, exitCodeFor } from "./errors.ts";
import { ExitCode } from "./exit-codes.ts";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/** Builds the `smh-cleaner` program. Each command lives in `lib/cli/commands/<name>.ts`. */
export function buildProgram(): Command {
  const program = new Command("smh-cleaner")
    .description(
      "Bulk, safe and reversible deletion of directories and albums in Tencent Cloud SMH",
    )
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(localCommand());
  program.addCommand(simCommand());
  program.addCommand(enqueueCommand());
  program.addCommand(resultsCommand());
  program.addCommand(ledgerCommand());
  program.addCommand(statusCommand());
  program.addCommand(redriveCommand());
  program.addCommand(purgeAlbumsCommand());
  program.addCommand(recycleCommand("restore"));
  program.addCommand(recycleCommand("purge"));
  program.addCommand(planCommand());
  program.addCommand(retentionCommand());
  program.addCommand(conformanceCommand());
  return program;
}

/**
 * Runs the CLI with `argv` (as `process.argv`) and resolves to the exit code.
 * Commands set `process.exitCode` for non-zero outcomes; usage errors map to {@link ExitCode.usage};
 * an error a command throws is printed on one line and mapped by {@link exitCodeFor}
 * (a `CliError`'s own code, `unavailable` when SQS could not be reached, otherwise `failure`).
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
    process.stderr.write(`smh-cleaner: ${describeError(error)}\n`);
    return exitCodeFor(error);
  }
}
