/**
 * Watching enqueued work get done, for `--wait`: the queue's depth (visible, in flight, delayed)
 * is polled until it stays at zero, with a progress bar of how much of what was sent is done. A
 * message leaves the queue only once its results are written (the handlers' rule), or when it is
 * dead-lettered, which is reported. Progress counts what the user asked for: jobs (one per
 * message), or the items a message carries (a recycle command holds up to 1,000), through an
 * {@link ItemProgress}. Without a terminal, a line every few seconds and one at the end.
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
  /** What was done of {@link total}, in {@link unit}s, when the wait ended. */
  done: number;
  total: number;
  unit: string;
}

/**
 * Progress in items when a message carries several (a recycle command holds up to 1,000): how
 * many there are, and how many are done given how many of the sent messages are still queued.
 */
export interface ItemProgress {
  /** What is counted (`items`). */
  unit: string;
  /** Items the sent messages carry, in all. */
  total: number;
  /** Items done so far; `remaining` is how many of the sent messages are still in the queue. */
  done(remaining: number): Promise<number>;
}

export interface WaitOptions {
  /** How many messages were just sent: the wait is over when none is left in the queue. */
  sent: number;
  /** What one message is, in the progress line (`jobs`). Ignored with {@link items}. */
  unit: string;
  /** Counts progress in the items the messages carry instead of in messages. */
  items?: ItemProgress;
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
  const dlqBefore = options.deadLetterUrl ? await messagesInQueue(sqs, options.deadLetterUrl) : 0;
  const showBar = progressWanted(flags);
  const counted = options.items ?? messageProgress(options.sent, options.unit);
  const bar = startProgress(showBar, options.label, counted.total);
  const line = (done: number) => `${options.label}: ${done}/${counted.total} ${counted.unit} done`;
  let emptyPolls = 0;
  let lastLine = 0;
  let outcome: WaitOutcome | undefined;
  try {
    while (outcome === undefined) {
      const remaining = await messagesInQueue(sqs, queueUrl);
      const done = Math.min(counted.total, Math.max(0, await counted.done(remaining)));
      bar.setValue(done);
      const seconds = (Date.now() - started) / 1000;
      if (!showBar && Date.now() - lastLine >= 5000) {
        lastLine = Date.now();
        info(
          flags,
          `${line(done)} (${remaining} message${remaining === 1 ? "" : "s"} in the queue)`,
        );
      }
      emptyPolls = remaining === 0 ? emptyPolls + 1 : 0;
      const ended = async (drained: boolean, interrupted: boolean): Promise<WaitOutcome> => ({
        drained,
        deadLettered: options.deadLetterUrl
          ? Math.max(0, (await messagesInQueue(sqs, options.deadLetterUrl)) - dlqBefore)
          : 0,
        interrupted,
        seconds,
        done,
        total: counted.total,
        unit: counted.unit,
      });
      if (emptyPolls >= 2) outcome = await ended(true, false);
      else if (options.signal?.aborted) outcome = await ended(false, true);
      else if (seconds >= options.timeoutSeconds) outcome = await ended(false, false);
      else await abortableSleep(pollMs, options.signal).catch(() => undefined);
    }
  } finally {
    bar.stop();
  }
  if (!showBar) info(flags, line(outcome.done));
  return outcome;
}

/** Progress in messages: each one that left the queue is one done. */
function messageProgress(sent: number, unit: string): ItemProgress {
  return { unit, total: sent, done: async (remaining) => sent - remaining };
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

/** Messages in the queue at `url`: visible, in flight and delayed. */
export async function messagesInQueue(sqs: SqsSender, url: string): Promise<number> {
  const depths = await queueDepths(sqs, url);
  return depths.visible + depths.inFlight + depths.delayed;
}
