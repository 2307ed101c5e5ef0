import type { BatchResultErrorEntry } from "@aws-sdk/client-sqs";
import pMap from "p-map";
import { fullJitterDelay } from "./backoff.ts";
import { type ChunkLimits, chunkBySize } from "./chunk.ts";
import type { BatchCounters } from "./counters.ts";
import { type BatchEntryFailure, describeCallError } from "./errors.ts";
import { abortableSleep } from "./sleep.ts";

/** Tuning shared by every batch action (send, delete, change visibility). */
export interface BatchOptions {
  /**
   * Requests that may carry one entry, the first included (default 4). Only `Failed[]` entries
   * with `SenderFault: false` are sent again; a whole call that throws is not retried here,
   * because the AWS SDK has already retried it (retrying at two layers multiplies attempts).
   */
  maxAttempts?: number;
  /** Backoff ceiling before the first re-send, in ms (default 100); doubles per round. */
  baseDelayMs?: number;
  /** Longest backoff between rounds, in ms (default 5000). */
  maxDelayMs?: number;
  /** Batch requests in flight at once (default 4). */
  concurrency?: number;
  /** Totals to add this call's numbers to (for metrics). */
  counters?: BatchCounters;
  /** Stops before the next request; entries not yet accepted are reported as `Aborted`. */
  signal?: AbortSignal;
  /** Test seam: waits `ms` (rejects with AbortError when `signal` fires). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Test seam: the jitter source, in [0, 1). */
  random?: () => number;
}

/** One entry to send, with the caller's id and its size for chunking. */
export interface BatchItem<E> {
  id: string;
  entry: E;
  bytes: number;
}

/** The part of a batch response the engine reads. */
export interface BatchCallResult {
  Successful?: { Id?: string | undefined }[] | undefined;
  Failed?: BatchResultErrorEntry[] | undefined;
}

/** Sends one request; entries arrive with the SQS batch `Id` already set. */
export type SendChunk<E> = (
  entries: (E & { Id: string })[],
  signal: AbortSignal | undefined,
) => Promise<BatchCallResult>;

/** What happened to every entry of a {@link runBatched} call. */
export interface BatchRunResult {
  /** Caller ids the queue accepted, in input order. */
  succeeded: string[];
  /** Entries that ended failed, in input order. */
  failed: BatchEntryFailure[];
  /** Batch requests made. */
  calls: number;
  /** Entries re-sent after a retryable `Failed[]` entry (one count per re-send). */
  retried: number;
}

interface Pending<E> {
  item: BatchItem<E>;
  index: number;
  batchId: string;
}

const DEFAULTS = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5_000, concurrency: 4 };

/** Throws a TypeError naming the first id that appears twice: results are keyed by id. */
export function assertDistinctIds(ids: Iterable<string>): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new TypeError(`batch entry id "${id}" appears more than once`);
    seen.add(id);
  }
}

/**
 * Sends `items` in requests that respect `limits`, reads `Successful[]` and `Failed[]` of every
 * response, and re-sends only the retryable failures (after a jittered backoff) until they succeed
 * or `maxAttempts` is reached. Caller ids never reach SQS: each entry gets a batch id `e<index>`,
 * which is always a valid SQS batch entry id whatever the caller's id looks like.
 */
export async function runBatched<E extends object>(
  items: readonly BatchItem<E>[],
  send: SendChunk<E>,
  limits: ChunkLimits,
  options: BatchOptions = {},
): Promise<BatchRunResult> {
  assertDistinctIds(items.map((item) => item.id));
  const maxAttempts = options.maxAttempts ?? DEFAULTS.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
  const policy = {
    baseDelayMs: options.baseDelayMs ?? DEFAULTS.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULTS.maxDelayMs,
  };
  const sleep = options.sleep ?? abortableSleep;
  const { counters, signal } = options;

  const succeeded = new Set<number>();
  const failures = new Map<number, BatchEntryFailure>();
  let calls = 0;
  let retried = 0;
  const fail = (p: Pending<E>, reason: Omit<BatchEntryFailure, "id">) =>
    failures.set(p.index, { id: p.item.id, ...reason });

  let pending: Pending<E>[] = items.map((item, index) => ({ item, index, batchId: `e${index}` }));
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 1) {
      try {
        await sleep(fullJitterDelay(attempt - 1, policy, options.random), signal);
      } catch {
        // Only an abort interrupts the backoff; it is reported just below.
      }
    }
    if (signal?.aborted) {
      for (const p of pending) {
        fail(p, {
          code: "Aborted",
          message: "stopped before the entry was accepted",
          senderFault: false,
          attempts: attempt - 1,
        });
      }
      break;
    }
    const retry: Pending<E>[] = [];
    const chunks = chunkBySize(pending, (p) => p.item.bytes, limits);
    await pMap(
      chunks,
      async (chunk) => {
        calls++;
        if (counters) counters.calls++;
        let response: BatchCallResult;
        try {
          response = await send(
            chunk.map((p) => ({ ...p.item.entry, Id: p.batchId })),
            signal,
          );
        } catch (error) {
          const reason = describeCallError(error);
          for (const p of chunk) fail(p, { ...reason, attempts: attempt });
          return;
        }
        const unanswered = new Map(chunk.map((p) => [p.batchId, p]));
        for (const entry of response.Successful ?? []) {
          const p = entry.Id === undefined ? undefined : unanswered.get(entry.Id);
          if (!p) continue;
          unanswered.delete(p.batchId);
          succeeded.add(p.index);
        }
        for (const entry of response.Failed ?? []) {
          const p = entry.Id === undefined ? undefined : unanswered.get(entry.Id);
          if (!p) continue;
          unanswered.delete(p.batchId);
          const senderFault = entry.SenderFault === true;
          if (!senderFault && attempt < maxAttempts) {
            retry.push(p);
          } else {
            fail(p, {
              code: entry.Code ?? "UnknownError",
              message: entry.Message ?? "",
              senderFault,
              attempts: attempt,
            });
          }
        }
        // An entry the response does not mention is in an unknown state: send it again (a
        // duplicate is harmless for at-least-once consumers, a lost entry is not).
        for (const p of unanswered.values()) {
          if (attempt < maxAttempts) {
            retry.push(p);
          } else {
            fail(p, {
              code: "MissingFromResponse",
              message: "the batch response listed the entry neither as successful nor as failed",
              senderFault: false,
              attempts: attempt,
            });
          }
        }
      },
      { concurrency: options.concurrency ?? DEFAULTS.concurrency },
    );
    retried += retry.length;
    if (counters) counters.retried += retry.length;
    pending = retry.sort((a, b) => a.index - b.index);
  }

  if (counters) {
    counters.succeeded += succeeded.size;
    counters.failed += failures.size;
  }
  return {
    succeeded: items.filter((_, index) => succeeded.has(index)).map((item) => item.id),
    failed: [...failures.entries()].sort(([a], [b]) => a - b).map(([, failure]) => failure),
    calls,
    retried,
  };
}
