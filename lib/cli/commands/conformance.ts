import { Command } from "commander";
import { LibrarySecrets, LibrarySecretsError } from "../../config/library-secrets.ts";
import { smhClientFromEnv } from "../../config/smh-client.ts";
import {
  assumptionsOfSimulator,
  documentedAssumptions,
  type SimulatorAssumptions,
} from "../../conformance/assumptions.ts";
import { type ConformanceReport, runConformance } from "../../conformance/run.ts";
import { DEFAULT_BASE_URL_TEMPLATE, resolveBaseUrl } from "../../smh/config.ts";
import { redactText } from "../../smh/redact.ts";
import { renderConformance } from "../conformance/render.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import { listenForInterrupt } from "../interrupt.ts";
import { addOutputOptions } from "../options.ts";
import { info, type OutputFlags, printJson, printLine, warn } from "../output.ts";

interface ConformanceFlags extends OutputFlags {
  baseUrl?: string;
  library: string;
  space: string;
  simulatorUrl?: string;
}

const HELP = `
What it does:
  Creates a scratch directory __smh_cleaner_conformance__/<run id> in the space and, inside it
  only, provokes each behaviour the product depends on (deleting into the recycle bin and its
  404s, listing pages and limits, batch deletes and tasks, restores and their conflict strategies,
  purges, tokens) with the same SMH client the Lambdas use. It compares what the library did with
  what the simulator assumes, prints one row per behaviour (agree / differ), and removes the
  scratch directory and every recycle-bin item it made — also after Ctrl-C or SIGTERM (a second
  one exits at once and leaves the scratch directory for you to remove).

  Nothing outside the scratch directory is changed: every change is checked against it before it
  is sent, and recycle-bin items are restored or purged only when this run put them there.

The library secret comes from SMH_LIBRARY_SECRETS ({"<libraryId>": "<secret>"}), never from the
command line. The base URL: --base-url, else SMH_BASE_URL, else ${DEFAULT_BASE_URL_TEMPLATE}.
It mints tokens with create_directory, delete_directory, delete_directory_permanent,
restore_recycled and delete_recycled.

"Simulator assumes" is the simulator's documented defaults (lib/sim/defaults.json), or, with
--simulator-url, the options of that running simulator (smh-cleaner sim). Where they differ, the
report ends with the smh-cleaner sim --options / --faults that make the simulator behave like the
library. See docs/conformance.md.

Exit codes: 0 every checked behaviour agrees; 1 one differs or failed, or cleanup was incomplete;
2 usage (no secret for the library); 5 the library could not be reached; 130 interrupted.
`;

/** The library's secret from SMH_LIBRARY_SECRETS, as every other command reads it. */
function librarySecrets(env: NodeJS.ProcessEnv, libraryId: string): LibrarySecrets {
  const text = env.SMH_LIBRARY_SECRETS?.trim();
  if (!text) {
    throw new CliError(
      ExitCode.usage,
      'set SMH_LIBRARY_SECRETS ({"<libraryId>": "<secret>"}) to reach the library; the secret is never taken from the command line',
    );
  }
  const secrets = new LibrarySecrets();
  try {
    secrets.update(text, "SMH_LIBRARY_SECRETS");
  } catch (error) {
    if (error instanceof LibrarySecretsError) {
      throw new CliError(ExitCode.usage, error.message, { cause: error });
    }
    throw error;
  }
  if (!secrets.libraryIds().includes(libraryId)) {
    throw new CliError(
      ExitCode.usage,
      `SMH_LIBRARY_SECRETS has no secret for library ${libraryId}`,
    );
  }
  return secrets;
}

/** The exit code a report ends the command with. */
export function conformanceExitCode(report: ConformanceReport): ExitCode {
  if (report.interrupted) return ExitCode.interrupted;
  if (report.setupFailure === "unreachable") return ExitCode.unavailable;
  if (report.setupFailure === "configuration") return ExitCode.usage;
  if (report.setupError !== undefined) return ExitCode.failure;
  if (report.summary.differ > 0 || report.summary.failed > 0) return ExitCode.failure;
  if (report.cleanup.leftovers.length > 0) return ExitCode.failure;
  return ExitCode.ok;
}

async function assumptionsFor(flags: ConformanceFlags): Promise<SimulatorAssumptions> {
  if (flags.simulatorUrl === undefined) return documentedAssumptions();
  try {
    return await assumptionsOfSimulator(flags.simulatorUrl, flags.library);
  } catch (error) {
    throw new CliError(
      ExitCode.unavailable,
      `cannot read the options of the simulator at ${flags.simulatorUrl}: ${redactText(error instanceof Error ? error.message : String(error))}`,
      { cause: error },
    );
  }
}

/**
 * `smh-cleaner conformance`: checks a real library against what the simulator assumes, inside a
 * scratch directory it removes afterwards (see {@link runConformance}).
 */
export function conformanceCommand(): Command {
  const command = new Command("conformance")
    .description(
      "Check a real SMH library against the simulator's assumptions, inside a scratch directory",
    )
    .requiredOption("--library <libraryId>", "the library to check")
    .requiredOption("--space <spaceId>", 'the space to work in ("-" for a single-tenant library)')
    .option(
      "--base-url <url>",
      `the library's base URL (env SMH_BASE_URL; {libraryId} is replaced)`,
    )
    .option(
      "--simulator-url <url>",
      "compare with this running simulator's options instead of the documented defaults",
    );
  addOutputOptions(command, "print the report as one JSON document");
  return command.addHelpText("after", HELP).action(async (flags: ConformanceFlags) => {
    const env = process.env;
    const secrets = librarySecrets(env, flags.library);
    const template = flags.baseUrl ?? (env.SMH_BASE_URL?.trim() || DEFAULT_BASE_URL_TEMPLATE);
    let baseUrl: URL;
    try {
      baseUrl = resolveBaseUrl(template, flags.library);
    } catch (error) {
      throw new CliError(ExitCode.usage, (error as Error).message, { cause: error });
    }
    const assumptions = await assumptionsFor(flags);
    const client = smhClientFromEnv([flags.library], secrets, undefined, {
      ...env,
      SMH_BASE_URL: template,
    });
    let scratch = "the scratch directory";
    const interrupt = listenForInterrupt(() =>
      warn(
        `stopping: removing ${scratch} (Ctrl-C again exits at once and leaves it for you to remove)`,
      ),
    );
    let report: ConformanceReport;
    try {
      report = await runConformance({
        client,
        baseUrl,
        secret: secrets.source(flags.library),
        libraryId: flags.library,
        spaceId: flags.space,
        assumptions,
        signal: interrupt.signal,
        onProgress: (event) => {
          if (event.type === "scratchCreated") {
            scratch = event.path;
            info(flags, `working in ${event.path}`);
          } else if (event.type === "checkFinished") {
            info(flags, `${event.result.verdict.padEnd(11)} ${event.result.behaviour}`);
          } else if (event.type === "cleanupStarted") {
            info(flags, `cleaning up ${scratch}`);
          }
        },
      });
    } finally {
      interrupt.dispose();
    }
    if (flags.json) printJson(report);
    else printLine(renderConformance(report));
    process.exitCode = conformanceExitCode(report);
  });
}
