/**
 * Watching enqueued work get done, for `--wait`: the queue's depth (visible, in flight, delayed)
 * is polled until it stays at zero, with a progress bar of how much of what was sent has left the
 * queue. A message leaves the queue only once its results are written (the handlers' rule), or
 * when it is dead-lettered, which is reported. Without a terminal, a line every few seconds.
 */
import { queueDepths } from "../queues/depths.ts";
import { abortableSleep } from "../queues/sleep.ts";
import type { SqsSender } from "../queues/sqs-sender.ts";
import { ExitCode } from "./exit-codes.ts";
import { info, type OutputFlags } from "./output.ts";
import { progressWanted, startProgress } from "./progress.ts";

/** What {@link waitForQueue} saw. */
export interface WaitOutcome {
  /** The queue stayed empty. */
  drained: boolean;
  /** Messages that arrived in the dead-letter queue meanwhile. */
  deadLettered: number;
  interrupted: boolean;
  seconds: number;
}

export interface WaitOptions {
  /** How many messages were just sent (the progress bar's total). */
  sent: number;
  /** What the bar says (`deleting`, `restoring`). */
  label: string;
  /** Give up after this long. */
  timeoutSeconds: number;
  deadLetterUrl?: string | undefined;
  signal?: AbortSignal;
  /** Poll interval. @default 1000 */
  pollMs?: number;
}

/** Polls until the queue is empty twice in a row, the timeout, or the signal. */
export async function waitForQueue(
  sqs: SqsSender,
  queueUrl: string,
  flags: OutputFlags,
  options: WaitOptions,
): Promise<WaitOutcome> {
  const started = Date.now();
  const pollMs = options.pollMs ?? 1000;
  const dlqBefore = options.deadLetterUrl ? await pending(sqs, options.deadLetterUrl) : 0;
  const showBar = progressWanted(flags);
  const bar = startProgress(showBar, options.label, options.sent);
  let emptyPolls = 0;
  let lastLine = 0;
  let outcome: WaitOutcome | undefined;
  try {
    while (outcome === undefined) {
      const remaining = await pending(sqs, queueUrl);
      const done = Math.max(0, options.sent - remaining);
      bar.setValue(Math.min(done, options.sent));
      const seconds = (Date.now() - started) / 1000;
      if (!showBar && Date.now() - lastLine >= 5000) {
        lastLine = Date.now();
        info(
          flags,
          `${options.label}: ${Math.min(done, options.sent)}/${options.sent} done (${remaining} in the queue)`,
        );
      }
      emptyPolls = remaining === 0 ? emptyPolls + 1 : 0;
      const dead = async () =>
        options.deadLetterUrl
          ? Math.max(0, (await pending(sqs, options.deadLetterUrl)) - dlqBefore)
          : 0;
      if (emptyPolls >= 2) {
        outcome = { drained: true, deadLettered: await dead(), interrupted: false, seconds };
      } else if (options.signal?.aborted) {
        outcome = { drained: false, deadLettered: await dead(), interrupted: true, seconds };
      } else if (seconds >= options.timeoutSeconds) {
        outcome = { drained: false, deadLettered: await dead(), interrupted: false, seconds };
      } else {
        await abortableSleep(pollMs, options.signal).catch(() => undefined);
      }
    }
  } finally {
    bar.stop();
  }
  return outcome;
}

/**
 * The exit code of a command that sent messages and, with `--wait`, waited for them: interrupted
 * when interrupted; a failure when a message was not sent, or when the wait ended before the
 * queue was empty or saw messages dead-lettered; ok otherwise.
 */
export function exitCodeAfterSending(
  interrupted: boolean,
  notSent: number,
  waited?: WaitOutcome,
): ExitCode {
  if (interrupted) return ExitCode.interrupted;
  if (notSent > 0) return ExitCode.failure;
  if (waited && (!waited.drained || waited.deadLettered > 0)) return ExitCode.failure;
  return ExitCode.ok;
}

async function pending(sqs: SqsSender, url: string): Promise<number> {
  const depths = await queueDepths(sqs, url);
  return depths.visible + depths.inFlight + depths.delayed;
}
