/**
 * Option parsers and option groups shared by the queue commands.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import type { StackQueueKey } from "../local/stack-file.ts";

/** Parses a positive integer option (`--max 100`). */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError("expected an integer >= 1");
  }
  return number;
}

/** Parses a number of seconds >= 0 (`--idle-seconds 3`, `--idle-seconds 0.5`). */
export function nonNegativeSeconds(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0) {
    throw new InvalidArgumentError("expected a number of seconds >= 0");
  }
  return number;
}

/** Where the queue commands find SQS, as given on the command line. */
export interface QueueLocationFlags {
  sqsEndpoint?: string;
  region?: string;
  jobsQueueUrl?: string;
  jobsDlqUrl?: string;
  resultsQueueUrl?: string;
  recycleActionsQueueUrl?: string;
  recycleActionsDlqUrl?: string;
  retentionContinuationsQueueUrl?: string;
  retentionContinuationsDlqUrl?: string;
}

/** The flag and environment variable that locate each queue. */
export const QUEUE_LOCATION = {
  jobs: { flag: "--jobs-queue-url", property: "jobsQueueUrl", env: "JOBS_QUEUE_URL" },
  "jobs-dlq": { flag: "--jobs-dlq-url", property: "jobsDlqUrl", env: "JOBS_DLQ_URL" },
  results: { flag: "--results-queue-url", property: "resultsQueueUrl", env: "RESULTS_QUEUE_URL" },
  "recycle-actions": {
    flag: "--recycle-actions-queue-url",
    property: "recycleActionsQueueUrl",
    env: "RECYCLE_ACTIONS_QUEUE_URL",
  },
  "recycle-actions-dlq": {
    flag: "--recycle-actions-dlq-url",
    property: "recycleActionsDlqUrl",
    env: "RECYCLE_ACTIONS_DLQ_URL",
  },
  "retention-continuations": {
    flag: "--retention-continuations-queue-url",
    property: "retentionContinuationsQueueUrl",
    env: "RETENTION_CONTINUATIONS_QUEUE_URL",
  },
  "retention-continuations-dlq": {
    flag: "--retention-continuations-dlq-url",
    property: "retentionContinuationsDlqUrl",
    env: "RETENTION_CONTINUATIONS_DLQ_URL",
  },
} as const satisfies Record<
  StackQueueKey,
  { flag: string; property: keyof QueueLocationFlags; env: string }
>;

/**
 * Adds `--sqs-endpoint`, `--region` and the URL flag of each queue in `keys` to `command`, in a
 * "Queue location" help group.
 */
export function addQueueLocationOptions(command: Command, keys: readonly StackQueueKey[]): Command {
  command.optionsGroup("Queue location (default: env, then the local stack file):");
  command.addOption(
    new Option("--sqs-endpoint <url>", "SQS-compatible endpoint (env SQS_ENDPOINT)"),
  );
  command.addOption(new Option("--region <region>", "AWS region (env AWS_REGION)"));
  for (const key of keys) {
    const { flag, env } = QUEUE_LOCATION[key];
    command.addOption(new Option(`${flag} <url-or-name>`, `the ${key} queue (env ${env})`));
  }
  command.optionsGroup("Options:");
  return command;
}

/** Adds `--json` and `--quiet`. */
export function addOutputOptions(command: Command, json: string): Command {
  return command
    .option("--json", json)
    .option("-q, --quiet", "no progress bar and no informational messages on stderr");
}
