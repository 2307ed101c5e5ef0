/**
 * Where the commands that read the ledger (`ledger`, `restore`/`purge` by selectors) find it.
 *
 * - The bucket: `--bucket`, then `LEDGER_BUCKET`, then the live local stack's (`npm start` writes
 *   its ledger's S3 endpoint, region, bucket and prefix to the stack file, as `ledger`).
 * - The endpoint: `--s3-endpoint`, then `S3_ENDPOINT`; with the stack's bucket, the stack's
 *   endpoint. No endpoint means AWS. As with the queues, the stack's bucket is used only at the
 *   stack's own endpoint, and never when a bucket is configured otherwise: a running local stack
 *   never captures a command pointed elsewhere.
 * - The key prefix: `--prefix`, then `LEDGER_PREFIX`, then the stack's (default `results/`, the
 *   layout's).
 * - The region: `--region`, `AWS_REGION`, the stack's, then the SDK's own chain.
 */

import type { S3Client } from "@aws-sdk/client-s3";
import { type Command, Option } from "commander";
import { nonEmpty } from "../../aws/client-config.ts";
import { createS3Client } from "../../aws/s3-client.ts";
import { DEFAULT_LEDGER_PREFIX } from "../../ledger/layout.ts";
import type { LedgerSource } from "../../ledger/read.ts";
import { readStackFile, StackFileError, stateDir } from "../../local/stack-file.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";

/** Where the ledger is, as given on the command line. */
export interface LedgerLocationFlags {
  bucket?: string;
  s3Endpoint?: string;
  prefix?: string;
  region?: string;
}

/** The ledger a command reads. */
export interface LedgerContext {
  readonly source: LedgerSource & { readonly s3: S3Client; readonly prefix: string };
  readonly endpoint: string | undefined;
  /** Where the bucket's name came from. */
  readonly from: "flag" | "env" | "stack";
  /** `s3://bucket/prefix` (and the endpoint, when not AWS), for messages. */
  readonly where: string;
  close(): void;
}

/** Options for {@link createLedgerContext}; tests pass their own environment and directory. */
export interface LedgerContextOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  isAlive?: (pid: number) => boolean;
}

/** Adds `--bucket`, `--s3-endpoint`, `--prefix` (and `--region` unless present) in a help group. */
export function addLedgerLocationOptions(command: Command, withRegion: boolean): Command {
  command.optionsGroup("Ledger location (default: env, then the local stack file):");
  command.addOption(new Option("--bucket <name>", "the ledger's S3 bucket (env LEDGER_BUCKET)"));
  command.addOption(
    new Option("--s3-endpoint <url>", "S3-compatible endpoint (env S3_ENDPOINT; default AWS)"),
  );
  command.addOption(
    new Option(
      "--prefix <prefix>",
      `key prefix of the ledger objects (env LEDGER_PREFIX; default ${DEFAULT_LEDGER_PREFIX})`,
    ),
  );
  if (withRegion) command.addOption(new Option("--region <region>", "AWS region (env AWS_REGION)"));
  command.optionsGroup("Options:");
  return command;
}

/**
 * Finds the ledger for `flags` (see the module comment). Throws {@link CliError}: `usage` for a
 * prefix that does not end with `/`, `unavailable` when no bucket is configured anywhere (or the
 * stack file is stale or invalid).
 */
export async function createLedgerContext(
  flags: LedgerLocationFlags,
  options: LedgerContextOptions = {},
): Promise<LedgerContext> {
  const env = options.env ?? process.env;
  let prefix = flags.prefix ?? (env.LEDGER_PREFIX || undefined);
  let bucket = nonEmpty(flags.bucket);
  let from: LedgerContext["from"] = "flag";
  if (bucket === undefined) {
    bucket = nonEmpty(env.LEDGER_BUCKET);
    from = "env";
  }
  let endpoint = nonEmpty(flags.s3Endpoint) ?? nonEmpty(env.S3_ENDPOINT);
  let region = nonEmpty(flags.region) ?? nonEmpty(env.AWS_REGION);
  let stackProblem: StackFileError | undefined;
  if (bucket === undefined) {
    try {
      const stack = await readStackFile(
        stateDir(env, options.cwd),
        options.isAlive ? { isAlive: options.isAlive } : {},
      );
      const ledger = stack.ledger;
      if (
        ledger !== undefined &&
        (endpoint === undefined || sameOrigin(endpoint, ledger.s3Endpoint))
      ) {
        bucket = ledger.bucket;
        from = "stack";
        endpoint = ledger.s3Endpoint;
        region ??= ledger.region;
        prefix ??= ledger.prefix;
      }
    } catch (error) {
      if (!(error instanceof StackFileError)) throw error;
      stackProblem = error;
    }
  }
  if (bucket === undefined) {
    if (stackProblem?.problem === "stale" || stackProblem?.problem === "invalid") {
      throw new CliError(ExitCode.unavailable, stackProblem.message, { cause: stackProblem });
    }
    throw new CliError(
      ExitCode.unavailable,
      "no ledger bucket is configured: pass --bucket (with --s3-endpoint for an S3-compatible server), set LEDGER_BUCKET, or start the local stack with npm start",
    );
  }
  prefix ??= DEFAULT_LEDGER_PREFIX;
  if (prefix !== "" && !prefix.endsWith("/")) {
    throw new CliError(
      ExitCode.usage,
      `the ledger prefix ${JSON.stringify(prefix)} must end with "/" (the objects are under <prefix>kind=…/)`,
    );
  }
  const s3 = createS3Client({
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    env,
  });
  return {
    source: { s3, bucket, prefix },
    endpoint,
    from,
    where: `s3://${bucket}/${prefix}${endpoint === undefined ? "" : ` at ${endpoint}`}`,
    close() {
      s3.destroy();
    },
  };
}

/**
 * An S3 failure in words a user can act on (a missing bucket, no access), as a {@link CliError};
 * other errors unchanged.
 */
export function ledgerFailure(error: unknown, context: LedgerContext): unknown {
  const name = (error as { name?: unknown })?.name;
  if (name === "NoSuchBucket") {
    return new CliError(
      ExitCode.unavailable,
      `the ledger bucket ${context.source.bucket} does not exist${context.endpoint === undefined ? "" : ` at ${context.endpoint}`}`,
      { cause: error },
    );
  }
  if (name === "AccessDenied" || name === "Forbidden") {
    return new CliError(
      ExitCode.unavailable,
      `no access to the ledger ${context.where}: the credentials need s3:ListBucket and s3:GetObject`,
      { cause: error },
    );
  }
  return error;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return a === b;
  }
}
