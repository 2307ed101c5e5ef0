/**
 * Receiving until a queue stays empty: the loop behind `results` (drain) and `redrive` (copy).
 *
 * A stop request never cancels a poll in flight: a poll cancelled after the queue handed out
 * messages leaves them hidden for their whole visibility timeout (the server still answers the
 * dropped request). Polls are kept short instead, so Ctrl-C takes effect after the current one,
 * and the messages it returned are handled like any others.
 */
import type { Message } from "@aws-sdk/client-sqs";
import { MAX_RECEIVE_MESSAGES } from "../queues/limits.ts";
import { receive } from "../queues/receive.ts";
import type { SqsSender } from "../queues/sqs-sender.ts";

/** The longest poll, so that a stop request is honoured within a few seconds. */
export const MAX_POLL_SECONDS = 5;

/** Options for {@link receiveUntilIdle}. */
export interface ReceiveUntilIdleOptions {
  /** Stop once no message arrived for this long (long polls, so an empty queue is really empty). */
  idleSeconds: number;
  /** Stop after this many messages (counted by the batch handler's return value). */
  max?: number;
  /** Visibility timeout for received messages (default: the queue's). */
  visibilityTimeoutSeconds?: number;
  /** Stops the loop after the current poll (see the module comment). */
  signal?: AbortSignal;
}

/**
 * Receives from `queueUrl` and hands each non-empty batch to `onBatch`, which says how many of its
 * messages count towards `max` (a message seen before may not) and whether to stop. Resolves when
 * the queue stayed empty for `idleSeconds`, `max` was reached, `onBatch` asked to stop, or `signal`
 * fired; `interrupted` tells the last case apart.
 */
export async function receiveUntilIdle(
  sqs: SqsSender,
  queueUrl: string,
  options: ReceiveUntilIdleOptions,
  onBatch: (messages: Message[]) => Promise<{ counted: number; stop?: boolean }>,
): Promise<{ interrupted: boolean }> {
  let counted = 0;
  let idleSince = Date.now();
  for (;;) {
    if (options.signal?.aborted) return { interrupted: true };
    const remaining = options.max === undefined ? MAX_RECEIVE_MESSAGES : options.max - counted;
    if (remaining <= 0) return { interrupted: false };
    const idleLeft = options.idleSeconds - (Date.now() - idleSince) / 1000;
    const batch: Message[] = await receive(sqs, queueUrl, {
      maxMessages: Math.min(MAX_RECEIVE_MESSAGES, remaining),
      waitTimeSeconds: Math.min(MAX_POLL_SECONDS, Math.max(0, Math.ceil(idleLeft))),
      ...(options.visibilityTimeoutSeconds === undefined
        ? {}
        : { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }),
    });
    if (batch.length === 0) {
      if ((Date.now() - idleSince) / 1000 >= options.idleSeconds) return { interrupted: false };
      continue;
    }
    idleSince = Date.now();
    const outcome = await onBatch(batch);
    counted += outcome.counted;
    if (outcome.stop) return { interrupted: options.signal?.aborted === true };
  }
}
