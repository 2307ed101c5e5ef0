/**
 * What the end-to-end stacks share around the local stack: starting it, the demo libraries'
 * secrets, queue URLs by key, draining a queue as a consumer would, counting what a queue holds, waiting for a
 * condition, and capturing the handlers' output.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { RunnerEvent } from "../../../lib/local/runner-events.ts";
import { type LocalStack, startLocalStack } from "../../../lib/local/stack.ts";
import type { DeletionPolicyConfig } from "../../../lib/policy/config.ts";
import { deleteBatch } from "../../../lib/queues/acknowledge.ts";
import { queueDepths } from "../../../lib/queues/depths.ts";
import { receive } from "../../../lib/queues/receive.ts";
import { DEMO } from "../../../lib/sim/seeds/demo.ts";
import type { Simulator } from "../../../lib/sim/simulator.ts";

/** What every end-to-end stack's options hold. */
export interface E2eStackOptions {
  /** Extra handler environment (wins over the stack's). */
  readonly env?: Record<string, string>;
  /** Capture handler log lines instead of letting them reach the test output. @default false */
  readonly captureLogs?: boolean;
  /**
   * @default 8: the function timeout is 1 s (a sixth), and a record must not reappear while its
   * batch is still being gathered (serverless.yml's 5 s batching window, which a long poll can
   * overrun by up to a second) and processed.
   */
  readonly visibilityTimeoutSeconds?: number;
}

/** A local stack as {@link startE2eLocalStack} started it. */
export interface E2eLocalStack {
  readonly stack: LocalStack;
  readonly sim: Simulator;
  /** Every runner event, from the start. */
  readonly events: RunnerEvent[];
  /** Lines the handlers wrote to stdout/stderr, when logs are captured. */
  readonly logLines: string[];
  /** Stops the stack, then restores the output. */
  stop(): Promise<void>;
}

/**
 * Starts the local stack as the end-to-end stacks run it: the runner polls for a second at a time,
 * no real SMH library is looked for in the host environment (the simulator runs), every runner
 * event is collected, the handlers' output is captured when asked, and the handlers get `policy`
 * and `secrets` as SMH_POLICY and SMH_LIBRARY_SECRETS, and `env` (which wins). On failure the
 * output is restored.
 */
export async function startE2eLocalStack(
  options: E2eStackOptions & {
    readonly policy: DeletionPolicyConfig;
    readonly secrets: Record<string, string>;
  },
): Promise<E2eLocalStack> {
  const logLines: string[] = [];
  const restoreOutput = options.captureLogs ? captureOutput(logLines) : () => {};
  const events: RunnerEvent[] = [];
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 8,
      pollWaitSeconds: 1,
      hostEnv: {},
      onRunnerEvent: (event) => events.push(event),
      env: {
        SMH_POLICY: JSON.stringify(options.policy),
        SMH_LIBRARY_SECRETS: JSON.stringify(options.secrets),
        ...options.env,
      },
    });
  } catch (error) {
    restoreOutput();
    throw error;
  }
  const stop = async () => {
    await stack.stop();
    restoreOutput();
  };
  const sim = stack.sim;
  if (!sim) {
    await stop();
    throw new Error("the end-to-end stacks need the simulator, not a real SMH library");
  }
  return { stack, sim, events, logLines, stop };
}

/** `SMH_LIBRARY_SECRETS` for the simulator's demo libraries; add a test's own libraries to it. */
export function demoLibrarySecrets(): Record<string, string> {
  return {
    [DEMO.multiTenant.libraryId]: DEMO.multiTenant.librarySecret,
    [DEMO.singleTenant.libraryId]: DEMO.singleTenant.librarySecret,
  };
}

/** The URL of the stack's queue `key` (as serverless.yml names it). */
export function queueUrl(stack: LocalStack, key: string): string {
  const queue = stack.queues.get(key);
  if (!queue) throw new Error(`serverless.yml defines no ${key} queue`);
  return queue.url;
}

/** Polls every `intervalMs` until `condition` holds; fails with `what` after `timeoutMs`. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 45_000,
  intervalMs = 100,
): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** How many messages a queue holds: visible, in flight and delayed. */
export async function pendingMessages(sqs: SQSClient, queueUrl: string): Promise<number> {
  const depths = await queueDepths(sqs, queueUrl);
  return depths.visible + depths.inFlight + depths.delayed;
}

/** Receives and deletes every message of a queue until aborted, handing each body to `take`. */
export async function drain(
  sqs: SQSClient,
  queueUrl: string,
  signal: AbortSignal,
  take: (body: string) => void,
): Promise<void> {
  while (!signal.aborted) {
    let messages: Awaited<ReturnType<typeof receive>>;
    try {
      messages = await receive(sqs, queueUrl, { waitTimeSeconds: 1 });
    } catch {
      if (signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    if (messages.length === 0) continue;
    for (const message of messages) take(String(message.Body));
    await deleteBatch(
      sqs,
      queueUrl,
      messages.map((message, index) => ({
        id: String(index),
        receiptHandle: String(message.ReceiptHandle),
      })),
    ).catch(() => undefined);
  }
}

/**
 * Collects what is written to stdout and stderr (the handlers' Powertools JSON lines) instead of
 * printing it. Returns the function that restores the streams.
 */
export function captureOutput(lines: string[]): () => void {
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  const partial = ["", ""];
  streams.forEach((stream, index) => {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text =
        partial[index] +
        (typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      const parts = text.split("\n");
      partial[index] = parts.pop() ?? "";
      lines.push(...parts.filter((line) => line.length > 0));
      const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  });
  return () => {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as typeof stream.write;
      if (partial[index]) lines.push(partial[index] as string);
    });
  };
}
