/**
 * What a read of the results queue gathered: each distinct message once (by MessageId, holding
 * its latest receipt handle, since SQS deletes only with the latest), its result parsed and
 * deduplicated, and every message that is not a valid result kept aside as invalid — never
 * dropped.
 */
import type { Message } from "@aws-sdk/client-sqs";
import type { FieldReason } from "../../messages/reasons.ts";
import { parseResultMessage, type ResultMessage } from "../../messages/result-message.ts";
import { ResultSet } from "../../messages/result-set.ts";
import type { ReceiptEntry } from "../../queues/acknowledge.ts";

/** A message on the results queue that is not a valid result. */
export interface InvalidResultMessage {
  messageId: string;
  /** SentTimestamp as ISO-8601, when SQS reported it. */
  sentAt?: string;
  body: string;
  reasons: FieldReason[];
}

/** What happened to one received message, for a caller that prints as it goes. */
export type Collected =
  | { kind: "again" }
  | { kind: "invalid"; invalid: InvalidResultMessage }
  | { kind: "new" | "replaced" | "duplicate"; result: ResultMessage };

/** Collects received messages; see the module comment. */
export class ResultCollector {
  readonly results = new ResultSet();
  readonly invalid: InvalidResultMessage[] = [];
  readonly #receipts = new Map<string, string>();

  /** Adds one received message. A message seen before only refreshes its receipt handle. */
  add(message: Message): Collected {
    const messageId = message.MessageId ?? message.ReceiptHandle ?? "";
    const seen = this.#receipts.has(messageId);
    if (message.ReceiptHandle) this.#receipts.set(messageId, message.ReceiptHandle);
    if (seen) return { kind: "again" };
    const body = message.Body ?? "";
    const parsed = parseResultMessage(body);
    if (!parsed.ok) {
      const sent = Number(message.Attributes?.SentTimestamp);
      const invalid: InvalidResultMessage = {
        messageId,
        ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
        body,
        reasons: parsed.reasons,
      };
      this.invalid.push(invalid);
      return { kind: "invalid", invalid };
    }
    return { kind: this.results.add(parsed.result), result: parsed.result };
  }

  /** Distinct messages received. */
  get received(): number {
    return this.#receipts.size;
  }

  /** Every distinct message with its latest receipt handle, to delete or release. */
  receipts(): ReceiptEntry[] {
    return [...this.#receipts].map(([id, receiptHandle]) => ({ id, receiptHandle }));
  }
}
