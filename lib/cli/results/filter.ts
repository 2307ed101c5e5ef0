/**
 * `results --source/--plan-id/--job-id`: take only some results off the shared queue, and leave
 * every other message — other teams' results, retention alerts, messages that are not results at
 * all — on it for their own readers.
 *
 * A message that does not match is held (not deleted) while the drain runs, and made visible
 * again as soon as the receiving ends, before the archive is even written: released at once, it
 * would be received again by the same drain and keep it from ever seeing the queue idle.
 */
import type { Message } from "@aws-sdk/client-sqs";
import { type LedgerSelectors, matchesSelectors } from "../../ledger/select.ts";
import { parseResultMessage } from "../../messages/result-message.ts";
import type { ReceiptEntry } from "../../queues/acknowledge.ts";

/** The filter flags of `results`. */
export interface ResultFilterFlags {
  source?: string;
  planId?: string;
  jobId?: string;
}

/** The selectors of the filter flags, or undefined when none is given (take everything). */
export function resultFilter(flags: ResultFilterFlags): LedgerSelectors | undefined {
  if (flags.source === undefined && flags.planId === undefined && flags.jobId === undefined) {
    return undefined;
  }
  return { source: flags.source, planId: flags.planId, jobId: flags.jobId };
}

/** True when the message is a result the filter selects (a body that is not a result never is). */
export function messageMatches(message: Message, filter: LedgerSelectors): boolean {
  const parsed = parseResultMessage(message.Body ?? "");
  return parsed.ok && matchesSelectors(parsed.result, filter);
}

/** Messages received that the filter does not select: each once, with its latest receipt handle. */
export class HeldMessages {
  readonly #receipts = new Map<string, string>();

  /** Holds `message`; false when it was held before (received again). */
  add(message: Message): boolean {
    const id = message.MessageId ?? message.ReceiptHandle ?? "";
    const seen = this.#receipts.has(id);
    if (message.ReceiptHandle) this.#receipts.set(id, message.ReceiptHandle);
    return !seen;
  }

  /** Every held message, to release. */
  receipts(): ReceiptEntry[] {
    return [...this.#receipts].map(([id, receiptHandle]) => ({ id, receiptHandle }));
  }

  get size(): number {
    return this.#receipts.size;
  }
}
