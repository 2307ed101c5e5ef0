/**
 * Redrive by copying: receive from the dead-letter queue, send each message to its source queue
 * with the same body and message attributes, marked with the time it was redriven (a handler
 * then starts the job's retry budget afresh, and its results say they supersede its `failed` one:
 * `lib/messages/delivery.ts`), and delete it from the dead-letter queue only once the send was
 * accepted (every `Failed[]` entry read). A message whose send failed is made visible
 * again in the dead-letter queue and the redrive stops, so no message is ever lost and a message
 * that cannot be sent is not retried in a loop.
 */
import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import { REDRIVEN_AT_ATTRIBUTE } from "../../messages/delivery.ts";
import { changeVisibilityBatch, deleteBatch } from "../../queues/acknowledge.ts";
import { publish } from "../../queues/publish.ts";
import type { SqsSender } from "../../queues/sqs-sender.ts";
import { receiveUntilIdle } from "../receive-loop.ts";

/** A message that was not moved, or moved but not deleted from the dead-letter queue. */
export interface RedriveFailure {
  messageId: string;
  code: string;
  message: string;
}

/** Outcome of {@link redriveByCopy}. */
export interface CopyRedriveResult {
  /** Messages sent to the source queue and deleted from the dead-letter queue. */
  moved: number;
  /** Messages the source queue did not accept: still in the dead-letter queue. */
  notSent: RedriveFailure[];
  /**
   * Messages sent but not deleted from the dead-letter queue: they are in both queues, and a
   * later redrive would send them again (consumers are idempotent by jobId/commandId).
   */
  notDeleted: RedriveFailure[];
  interrupted: boolean;
}

/** Options for {@link redriveByCopy}. */
export interface CopyRedriveOptions {
  /** Stop after moving this many messages. */
  max?: number;
  /** Stop once the dead-letter queue stayed empty this long (default 3). */
  idleSeconds?: number;
  /** How long a received message stays hidden while it is being moved (default 120). */
  visibilityTimeoutSeconds?: number;
  signal?: AbortSignal;
  /** Called with the number of messages each batch moved. */
  onMoved?: (count: number) => void;
}

/** Moves messages from `deadLetterUrl` to `sourceUrl` (see the module comment). */
export async function redriveByCopy(
  sqs: SqsSender,
  deadLetterUrl: string,
  sourceUrl: string,
  options: CopyRedriveOptions = {},
): Promise<CopyRedriveResult> {
  let moved = 0;
  const notSent: RedriveFailure[] = [];
  const notDeleted: RedriveFailure[] = [];
  const { interrupted } = await receiveUntilIdle(
    sqs,
    deadLetterUrl,
    {
      idleSeconds: options.idleSeconds ?? 3,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 120,
      ...(options.max === undefined ? {} : { max: options.max }),
      ...(options.signal ? { signal: options.signal } : {}),
    },
    async (messages) => {
      const byId = new Map<string, Message>();
      for (const message of messages) {
        if (message.MessageId && message.ReceiptHandle) byId.set(message.MessageId, message);
      }
      // Not signalled: a send once started is seen through, so its outcome is known.
      const redrivenAt = new Date().toISOString();
      const sent = await publish(
        sqs,
        sourceUrl,
        [...byId.values()].map((message) => ({
          id: message.MessageId as string,
          body: message.Body ?? "",
          attributes: {
            ...copyAttributes(message.MessageAttributes),
            [REDRIVEN_AT_ATTRIBUTE]: { DataType: "String", StringValue: redrivenAt },
          },
        })),
      );
      const deleted = await deleteBatch(
        sqs,
        deadLetterUrl,
        sent.sent.map((id) => ({ id, receiptHandle: byId.get(id)?.ReceiptHandle as string })),
      );
      moved += deleted.deleted.length;
      options.onMoved?.(deleted.deleted.length);
      for (const failure of deleted.failed) {
        notDeleted.push({ messageId: failure.id, code: failure.code, message: failure.message });
      }
      if (sent.failed.length > 0) {
        for (const failure of sent.failed) {
          notSent.push({ messageId: failure.id, code: failure.code, message: failure.message });
        }
        // Visible again in the dead-letter queue at once; if this fails too, it comes back when
        // its visibility timeout ends. Either way it stays where it was.
        await changeVisibilityBatch(
          sqs,
          deadLetterUrl,
          sent.failed.map((failure) => ({
            id: failure.id,
            receiptHandle: byId.get(failure.id)?.ReceiptHandle as string,
            visibilityTimeoutSeconds: 0,
          })),
        ).catch(() => undefined);
      }
      return { counted: sent.sent.length, stop: sent.failed.length > 0 };
    },
  );
  return { moved, notSent, notDeleted, interrupted };
}

/** The message attributes to send again: data type and value, nothing SQS adds on receive. */
export function copyAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined) return undefined;
  const copied: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    copied[name] = {
      DataType: value.DataType,
      ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { BinaryValue: value.BinaryValue }),
    };
  }
  return Object.keys(copied).length === 0 ? undefined : copied;
}
