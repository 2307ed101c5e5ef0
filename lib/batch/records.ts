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
  /**
   * The message's String and Number message attributes by name (Binary ones are left out): a parked job's
   * delivery state travels in one (see `lib/messages/delivery.ts`), and a re-send carries them on.
   */
  readonly attributes?: Readonly<Record<string, RecordAttribute>> | undefined;
}

/** A String or Number message attribute: its data type (`String`, `Number.int`, …) and value. */
export interface RecordAttribute {
  readonly dataType: string;
  readonly value: string;
}

/** The values of a record's message attributes, by name. */
export function attributeValues(record: QueueRecord): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record.attributes ?? {}).map(([name, { value }]) => [name, value]),
  );
}

/** Reads a {@link QueueRecord} from a Lambda SQS record. */
export function queueRecordFromSqs(record: {
  messageId: string;
  body: string;
  attributes: { ApproximateReceiveCount?: string; SentTimestamp?: string };
  messageAttributes?: Record<string, { stringValue?: string | undefined; dataType: string }>;
}): QueueRecord {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  const sentAt = Number(record.attributes.SentTimestamp);
  return {
    messageId: record.messageId,
    body: record.body,
    receiveCount: Number.isInteger(receiveCount) && receiveCount > 0 ? receiveCount : 1,
    sentAt: Number.isFinite(sentAt) && sentAt > 0 ? sentAt : undefined,
    attributes: stringAttributes(record.messageAttributes),
  };
}

function stringAttributes(
  attributes: Record<string, { stringValue?: string | undefined; dataType: string }> | undefined,
): Record<string, RecordAttribute> {
  const strings: Record<string, RecordAttribute> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    // Number attributes are strings on the wire too; only Binary ones have no string value.
    if (value.stringValue !== undefined) {
      strings[name] = { dataType: value.dataType, value: value.stringValue };
    }
  }
  return strings;
}
