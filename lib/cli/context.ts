/**
 * Where the queue commands find SQS and their queues.
 *
 * For each queue: its flag (`--jobs-queue-url`, …), then its environment variable
 * (`JOBS_QUEUE_URL`, …), then the local stack file. A value without `://` is a queue name and is
 * resolved with GetQueueUrl. A dead-letter queue that is configured nowhere is found through its
 * source queue's `RedrivePolicy`, so on AWS setting `JOBS_QUEUE_URL` is enough for `jobs-dlq`.
 *
 * The endpoint: `--sqs-endpoint`, then `SQS_ENDPOINT`, then the stack file's — except when a queue
 * is configured with an AWS queue URL, which means AWS. No endpoint means AWS. The stack file's
 * queues are used only at the stack's own endpoint, so a running local stack never captures a
 * command that was pointed elsewhere. Region: `--region`, `AWS_REGION`, the stack file's, the one
 * in an AWS queue URL, then the SDK's own chain.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import {
  readStackFile,
  StackFileError,
  type StackInfo,
  type StackQueueKey,
  stateDir,
} from "../local/stack-file.ts";
import { readQueueAttributes } from "../queues/attributes.ts";
import { createSqsClient } from "../queues/client.ts";
import { resolveQueueUrl } from "../queues/urls.ts";
import { CliError } from "./errors.ts";
import { ExitCode } from "./exit-codes.ts";
import { QUEUE_LOCATION, type QueueLocationFlags } from "./options.ts";

/** Where a queue's URL came from. */
export type QueueSource = "flag" | "env" | "stack" | "redrive-policy";

/** A resolved queue. */
export interface ResolvedQueue {
  key: StackQueueKey;
  url: string;
  source: QueueSource;
}

/** The SQS connection and queue resolution for one command run. */
export interface QueueContext {
  /** The SQS client; created on first use. */
  readonly sqs: SQSClient;
  /** The SQS endpoint, or `undefined` for AWS. */
  readonly endpoint: string | undefined;
  /** True for AWS (no endpoint, or an `amazonaws.com` one). */
  readonly isAws: boolean;
  /** The live local stack, when its endpoint is the one in use. */
  readonly stack: StackInfo | undefined;
  /**
   * The URL of a queue. Throws {@link CliError} with exit code `unavailable` when the queue is
   * configured nowhere (naming the flag and variable to set), or when the stack file is stale.
   */
  queue(key: StackQueueKey): Promise<ResolvedQueue>;
  /** Like {@link queue}, but `undefined` when the queue is configured nowhere. */
  optionalQueue(key: StackQueueKey): Promise<ResolvedQueue | undefined>;
  /** Releases the SQS client. */
  close(): void;
}

/** Options for {@link createQueueContext}; tests pass their own environment and directory. */
export interface QueueContextOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  isAlive?: (pid: number) => boolean;
}

const DLQ_SOURCE: Partial<Record<StackQueueKey, StackQueueKey>> = {
  "jobs-dlq": "jobs",
  "recycle-actions-dlq": "recycle-actions",
  "retention-continuations-dlq": "retention-continuations",
};

/** True for an AWS SQS endpoint or queue URL (`*.amazonaws.com`, `*.amazonaws.com.cn`). */
export function isAwsUrl(url: string): boolean {
  try {
    return /(^|\.)amazonaws\.com(\.cn)?$/i.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** The region in an AWS queue URL (`https://sqs.eu-west-1.amazonaws.com/…`), if any. */
export function regionOfAwsUrl(url: string): string | undefined {
  try {
    return /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/i.exec(new URL(url).hostname)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Builds the {@link QueueContext} for `flags`. Reads the stack file only when a queue or the
 * endpoint is not configured otherwise; never contacts SQS until a queue is asked for.
 */
export async function createQueueContext(
  flags: QueueLocationFlags,
  options: QueueContextOptions = {},
): Promise<QueueContext> {
  const env = options.env ?? process.env;
  const configured = new Map<StackQueueKey, { value: string; source: QueueSource }>();
  for (const [key, location] of Object.entries(QUEUE_LOCATION) as [
    StackQueueKey,
    (typeof QUEUE_LOCATION)[StackQueueKey],
  ][]) {
    const fromFlag = nonEmpty(flags[location.property]);
    const fromEnv = nonEmpty(env[location.env]);
    if (fromFlag !== undefined) configured.set(key, { value: fromFlag, source: "flag" });
    else if (fromEnv !== undefined) configured.set(key, { value: fromEnv, source: "env" });
  }
  const configuredUrls = [...configured.values()].map((entry) => entry.value);
  const awsUrl = configuredUrls.find((value) => value.includes("://") && isAwsUrl(value));

  let endpoint = nonEmpty(flags.sqsEndpoint) ?? nonEmpty(env.SQS_ENDPOINT);
  let stack: StackInfo | undefined;
  let stackProblem: StackFileError | undefined;
  const needStack = endpoint === undefined ? awsUrl === undefined : configured.size < 5;
  if (needStack) {
    try {
      const found = await readStackFile(
        stateDir(env, options.cwd),
        options.isAlive ? { isAlive: options.isAlive } : {},
      );
      if (endpoint === undefined) endpoint = found.sqs.endpoint;
      if (sameEndpoint(endpoint, found.sqs.endpoint)) stack = found;
    } catch (error) {
      if (!(error instanceof StackFileError)) throw error;
      stackProblem = error;
    }
  }

  const region =
    nonEmpty(flags.region) ??
    nonEmpty(env.AWS_REGION) ??
    stack?.sqs.region ??
    (awsUrl === undefined ? undefined : regionOfAwsUrl(awsUrl));
  let client: SQSClient | undefined;
  const sqs = () => {
    client ??= createSqsClient({
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(region === undefined ? {} : { region }),
      env,
    });
    return client;
  };

  const resolved = new Map<StackQueueKey, Promise<ResolvedQueue | undefined>>();
  const find = (key: StackQueueKey): Promise<ResolvedQueue | undefined> => {
    let pending = resolved.get(key);
    if (pending === undefined) {
      pending = findQueue(key);
      resolved.set(key, pending);
    }
    return pending;
  };
  const findQueue = async (key: StackQueueKey): Promise<ResolvedQueue | undefined> => {
    const entry = configured.get(key);
    if (entry !== undefined) {
      const url = entry.value.includes("://")
        ? entry.value
        : await resolveQueueUrl(sqs(), entry.value);
      return { key, url, source: entry.source };
    }
    if (stack !== undefined) return { key, url: stack.queues[key].url, source: "stack" };
    const sourceKey = DLQ_SOURCE[key];
    if (sourceKey !== undefined) {
      const source = await find(sourceKey);
      if (source !== undefined && source.source !== "stack") {
        const url = await deadLetterQueueOf(sqs(), source.url);
        if (url !== undefined) return { key, url, source: "redrive-policy" };
      }
    }
    return undefined;
  };

  return {
    get sqs() {
      return sqs();
    },
    endpoint,
    isAws: endpoint === undefined || isAwsUrl(endpoint),
    stack,
    async queue(key) {
      const found = await find(key);
      if (found !== undefined) return found;
      if (stackProblem?.problem === "stale" || stackProblem?.problem === "invalid") {
        throw new CliError(ExitCode.unavailable, stackProblem.message, { cause: stackProblem });
      }
      const { flag, env: variable } = QUEUE_LOCATION[key];
      const where = endpoint === undefined ? "" : ` at ${endpoint}`;
      throw new CliError(
        ExitCode.unavailable,
        `no ${key} queue is configured${where}: pass ${flag} (a queue URL or name), set ${variable}, or start the local stack with npm start`,
      );
    },
    optionalQueue: find,
    close() {
      client?.destroy();
    },
  };
}

/** The URL of the dead-letter queue named by a queue's RedrivePolicy, if it has one. */
async function deadLetterQueueOf(sqs: SQSClient, queueUrl: string): Promise<string | undefined> {
  const { RedrivePolicy: policy } = await readQueueAttributes(sqs, queueUrl, ["RedrivePolicy"]);
  if (!policy) return undefined;
  let arn: unknown;
  try {
    arn = (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
  } catch {
    return undefined;
  }
  if (typeof arn !== "string") return undefined;
  // arn:<partition>:sqs:<region>:<account>:<name>
  const parts = arn.split(":");
  const name = parts[5];
  if (parts.length !== 6 || !name) return undefined;
  return resolveQueueUrl(sqs, name, parts[4] ? { ownerAccountId: parts[4] } : {});
}

function sameEndpoint(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return a === b;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
