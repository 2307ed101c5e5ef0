/**
 * One message of a queue that a Lambda consumes in batches (the jobs queue, the recycle-actions
 * queue, the retention continuations queue), as every domain sees it. The handler builds these
 * from Lambda's SQS records; tests and benchmarks build them directly.
 */
export interface QueueRecord {
  /** The SQS message ID: what `batchItemFailures` reports. */
  readonly messageId: string;
  readonly body: string;
  /** `ApproximateReceiveCount`: 1 on the first delivery. */
  readonly receiveCount: number;
  /** `SentTimestamp` (epoch ms): when the message was first sent; kept across redeliveries. */
  readonly sentAt: number | undefined;
}

/** Reads a {@link QueueRecord} from a Lambda SQS record. */
export function queueRecordFromSqs(record: {
  messageId: string;
  body: string;
  attributes: { ApproximateReceiveCount?: string; SentTimestamp?: string };
}): QueueRecord {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  const sentAt = Number(record.attributes.SentTimestamp);
  return {
    messageId: record.messageId,
    body: record.body,
    receiveCount: Number.isInteger(receiveCount) && receiveCount > 0 ? receiveCount : 1,
    sentAt: Number.isFinite(sentAt) && sentAt > 0 ? sentAt : undefined,
  };
}
