/**
 * How far `restore --wait` / `purge --wait` are, in recycle-bin items rather than in commands (one
 * command carries up to 1,000 items, so "0/1 done" says nothing for minutes).
 *
 * A command leaves the recycle-actions queue only once every one of its items has its result on
 * the results queue, and each item gets exactly one result there. So the results queue's growth
 * since the commands were sent counts the items done, command by command and within one. Other
 * readers of the results queue can pull that count down, so it is never less than the queue depth
 * proves: the items of the smallest commands that have left. Other writers can push it up, so it
 * never passes the total (a command still queued may already have every result written, just
 * before it is acknowledged, so nothing tighter holds). Without a results queue, the floor alone.
 */
import type { ItemProgress } from "../wait.ts";

/** The results queue, read before the commands were sent and again at each poll. */
export interface ResultsCount {
  /** Messages on the results queue before the commands were sent. */
  before: number;
  /** Messages on the results queue now. */
  now(): Promise<number>;
}

/**
 * Progress over commands of `sizes` items each (those actually sent).
 *
 * @example
 * const results = { before: await messagesInQueue(sqs, resultsUrl), now: () => messagesInQueue(sqs, resultsUrl) };
 * // … send the commands …
 * await waitForQueue(sqs, queueUrl, flags, { …, items: recycleItemProgress([1000, 500], results) });
 */
export function recycleItemProgress(
  sizes: readonly number[],
  results: ResultsCount | undefined,
): ItemProgress {
  const ascending = [...sizes].sort((a, b) => a - b);
  const total = ascending.reduce((sum, size) => sum + size, 0);
  const sumOfSmallest = (count: number) =>
    ascending.slice(0, Math.max(0, count)).reduce((sum, size) => sum + size, 0);
  return {
    unit: "items",
    total,
    async done(remaining) {
      const left = Math.min(Math.max(0, remaining), ascending.length);
      const atLeast = sumOfSmallest(ascending.length - left);
      if (results === undefined) return atLeast;
      const written = (await results.now()) - results.before;
      return Math.min(total, Math.max(atLeast, written));
    },
  };
}
