import { fileURLToPath } from "node:url";
import type { SQSRecord } from "aws-lambda";
import { changeVisibilityBatch } from "../queues/acknowledge.ts";
import { readQueueAttributes } from "../queues/attributes.ts";
import { fullJitterDelay } from "../queues/backoff.ts";
import { abortableSleep } from "../queues/sleep.ts";
import type { SqsSender } from "../queues/sqs-sender.ts";
import { gatherBatch } from "./gather.ts";
import { type LambdaHandler, loadHandler } from "./handler-module.ts";
import { invokeBatch } from "./invoke.ts";
import { assertValidMapping } from "./mapping-rules.ts";
import { createEventHub, type EventHub, type RunnerListener } from "./runner-events.ts";
import { regionOfArn } from "./sqs-event.ts";
import type { SqsEventMapping } from "./topology.ts";

/** Options for {@link startRunner}. */
export interface RunnerOptions {
  sqs: SqsSender;
  /** The SQS-triggered functions to emulate. */
  mappings: readonly SqsEventMapping[];
  /** Queues by key (as `createQueues` returns them); each mapping's `queueKey` must be here. */
  queues: ReadonlyMap<string, { url: string; arn: string }>;
  /** The directory handler strings are relative to. Default: the repository root. */
  root?: string;
  /** Pollers for a mapping without `maximumConcurrency` (default 5, Lambda's initial pollers). */
  defaultConcurrency?: number;
  /**
   * Long-poll wait of an idle poller, 1–20 s (default 5; Lambda uses 20). `stop()` lets polls in
   * progress finish rather than cut them off, so this bounds how long stopping an idle runner takes.
   */
  pollWaitSeconds?: number;
  /** Replaces every function's timeout (local runs shorten visibility timeouts, and so this). */
  functionTimeoutOverrideSeconds?: number;
  /** Registered before the first poll, so no event is missed. */
  onEvent?: RunnerListener;
}

/** Counters for one emulated function. */
export interface FunctionStats {
  functionName: string;
  /** Poll loops running (0 once stopped). */
  pollers: number;
  /** Invocations whose handler has not settled (timed-out handlers included). */
  running: number;
  invocations: number;
  /** Highest `running` seen. */
  maxConcurrent: number;
}

/** A running local event-source emulator. */
export interface LocalRunner {
  /** Adds a listener; returns a function that removes it. */
  on(listener: RunnerListener): () => void;
  /** A snapshot of the counters, one entry per mapping. */
  stats(): FunctionStats[];
  /**
   * Stops polling: lets each poll in progress end (at most `pollWaitSeconds`), makes messages
   * received but not yet invoked visible again, and resolves once every invocation — timed-out
   * handlers included — has settled and its records have been deleted or left. Safe to call more
   * than once.
   */
  stop(): Promise<void>;
}

const DEFAULT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEFAULT_POLL_WAIT_SECONDS = 5;

/**
 * Starts a local emulation of Lambda's SQS event source for each mapping: up to
 * `maximumConcurrency` pollers long-poll the mapping's queue, gather batches (see `gatherBatch`),
 * invoke the same handler module Lambda would load (see `loadHandler`) with an SQS event and a
 * Lambda context, and settle each batch as Lambda does (see `invokeBatch`). Redelivery and
 * dead-lettering are left to the queue itself (visibility timeout, RedrivePolicy).
 *
 * A handler still running at its timeout differs from Lambda, which freezes and discards it: here
 * it keeps running to the end. The runner then deletes nothing from that batch, whatever the
 * handler finally returns, and keeps the poller's slot until the handler settles (see
 * `invokeBatch`); handlers should watch `context.getRemainingTimeInMillis()` and stop early.
 *
 * Refuses, as Lambda does, a mapping whose queue's visibility timeout is shorter than the function
 * timeout. Not emulated: Lambda's scaling of pollers with queue depth, and per-function
 * environment variables (handlers share this process's `process.env`).
 */
export async function startRunner(options: RunnerOptions): Promise<LocalRunner> {
  const events = createEventHub();
  if (options.onEvent) events.on(options.onEvent);
  const pollWaitSeconds = options.pollWaitSeconds ?? DEFAULT_POLL_WAIT_SECONDS;
  if (!Number.isInteger(pollWaitSeconds) || pollWaitSeconds < 1 || pollWaitSeconds > 20) {
    throw new RangeError(`pollWaitSeconds must be an integer from 1 to 20, got ${pollWaitSeconds}`);
  }
  const defaultConcurrency = options.defaultConcurrency ?? 5;
  if (!Number.isInteger(defaultConcurrency) || defaultConcurrency < 1) {
    throw new RangeError(
      `defaultConcurrency must be a positive integer, got ${defaultConcurrency}`,
    );
  }
  const names = options.mappings.map((mapping) => mapping.functionName);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) throw new Error(`function "${repeated}" is mapped more than once`);
  const functions = await Promise.all(options.mappings.map((mapping) => prepare(mapping, options)));

  const controller = new AbortController();
  const stats = new Map<string, FunctionStats>();
  const loops: Promise<void>[] = [];
  for (const fn of functions) {
    const counters: FunctionStats = {
      functionName: fn.mapping.functionName,
      pollers: 0,
      running: 0,
      invocations: 0,
      maxConcurrent: 0,
    };
    stats.set(fn.mapping.functionName, counters);
    const pollers = fn.mapping.maximumConcurrency ?? defaultConcurrency;
    for (let i = 0; i < pollers; i++) {
      counters.pollers++;
      loops.push(
        pollLoop(fn, counters, options.sqs, pollWaitSeconds, controller.signal, events).finally(
          () => {
            counters.pollers--;
          },
        ),
      );
    }
  }

  let stopping: Promise<void> | undefined;
  return {
    on: (listener) => events.on(listener),
    stats: () => [...stats.values()].map((entry) => ({ ...entry })),
    stop() {
      if (!stopping) {
        controller.abort();
        stopping = Promise.all(loops).then(() => undefined);
      }
      return stopping;
    },
  };
}

interface PreparedFunction {
  mapping: SqsEventMapping;
  handler: LambdaHandler;
  queueUrl: string;
  queueArn: string;
  awsRegion: string;
  timeoutMs: number;
}

async function prepare(
  mapping: SqsEventMapping,
  options: RunnerOptions,
): Promise<PreparedFunction> {
  assertValidMapping(mapping);
  const queue = options.queues.get(mapping.queueKey);
  if (!queue) {
    throw new Error(
      `${mapping.functionName} is triggered by queue "${mapping.queueKey}", which was not created`,
    );
  }
  const timeoutSeconds = options.functionTimeoutOverrideSeconds ?? mapping.functionTimeoutSeconds;
  const { VisibilityTimeout } = await readQueueAttributes(options.sqs, queue.url, [
    "VisibilityTimeout",
  ]);
  if (VisibilityTimeout !== undefined && Number(VisibilityTimeout) < timeoutSeconds) {
    throw new Error(
      `${mapping.functionName}: queue visibility timeout ${VisibilityTimeout} s is less than the function timeout ${timeoutSeconds} s (Lambda refuses this mapping)`,
    );
  }
  return {
    mapping,
    handler: await loadHandler(options.root ?? DEFAULT_ROOT, mapping.handler),
    queueUrl: queue.url,
    queueArn: queue.arn,
    awsRegion: regionOfArn(queue.arn),
    timeoutMs: timeoutSeconds * 1000,
  };
}

/** One poller: gather a batch, invoke, repeat until stopped. Never rejects. */
async function pollLoop(
  fn: PreparedFunction,
  counters: FunctionStats,
  sqs: SqsSender,
  pollWaitSeconds: number,
  signal: AbortSignal,
  events: EventHub,
): Promise<void> {
  const functionName = fn.mapping.functionName;
  const carry: SQSRecord[] = [];
  const gatherSetup = {
    sqs,
    queueUrl: fn.queueUrl,
    source: { eventSourceARN: fn.queueArn, awsRegion: fn.awsRegion },
    batchSize: fn.mapping.batchSize,
    windowMs: fn.mapping.maximumBatchingWindowSeconds * 1000,
    pollWaitSeconds,
    signal,
  };
  const invocationSetup = {
    sqs,
    functionName,
    handler: fn.handler,
    queueUrl: fn.queueUrl,
    awsRegion: fn.awsRegion,
    timeoutMs: fn.timeoutMs,
    reportBatchItemFailures: fn.mapping.reportBatchItemFailures,
    events,
  };
  let consecutiveErrors = 0;
  while (!signal.aborted) {
    let records: SQSRecord[];
    try {
      records = await gatherBatch(gatherSetup, carry);
      consecutiveErrors = 0;
    } catch (error) {
      events.emit({ type: "error", functionName, stage: "poll", error });
      consecutiveErrors++;
      const pause = fullJitterDelay(consecutiveErrors, { baseDelayMs: 200, maxDelayMs: 5_000 });
      await abortableSleep(pause, signal).catch(() => undefined);
      continue;
    }
    if (records.length === 0) continue;
    if (signal.aborted) {
      carry.unshift(...records);
      break;
    }
    counters.invocations++;
    counters.running++;
    counters.maxConcurrent = Math.max(counters.maxConcurrent, counters.running);
    try {
      await invokeBatch(invocationSetup, records);
    } catch (error) {
      // invokeBatch reports handler failures itself; reaching this is a bug in the runner.
      events.emit({ type: "error", functionName, stage: "invoke", error });
    } finally {
      counters.running--;
    }
  }
  if (carry.length > 0) await release(sqs, fn.queueUrl, functionName, carry, events);
}

/** Makes received records visible again at once, so stopping does not hide them. */
async function release(
  sqs: SqsSender,
  queueUrl: string,
  functionName: string,
  records: SQSRecord[],
  events: EventHub,
): Promise<void> {
  const result = await changeVisibilityBatch(
    sqs,
    queueUrl,
    records.map((record, index) => ({
      id: String(index),
      receiptHandle: record.receiptHandle,
      visibilityTimeoutSeconds: 0,
    })),
  );
  const released = result.changed.map((id) => records[Number(id)]?.messageId ?? id);
  if (released.length > 0) {
    events.emit({ type: "messages-released", functionName, messageIds: released });
  }
  if (result.failed.length > 0) {
    const detail = result.failed.map((failure) => `${failure.code}: ${failure.message}`).join("; ");
    events.emit({ type: "error", functionName, stage: "release", error: new Error(detail) });
  }
}
