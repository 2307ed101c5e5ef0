import { createHash } from "node:crypto";
import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from "aws-lambda";

/** Where the records come from, as Lambda names it in every record. */
export interface EventSource {
  /** The queue's ARN. */
  eventSourceARN: string;
  /** The queue's region. */
  awsRegion: string;
}

/** The system attributes Lambda always puts in a record. */
type RequiredAttribute =
  | "ApproximateReceiveCount"
  | "SentTimestamp"
  | "SenderId"
  | "ApproximateFirstReceiveTimestamp";

/**
 * Converts a message received from SQS (with all system and message attributes) into the record
 * Lambda's SQS event source would deliver: camel-cased attribute values with empty list fields,
 * binary values in base64, `eventSource: "aws:sqs"`. Throws when the endpoint did not return a
 * field Lambda always provides, rather than inventing one.
 */
export function toSqsRecord(message: Message, source: EventSource): SQSRecord {
  const { MessageId, ReceiptHandle, Body, MD5OfBody } = message;
  if (MessageId === undefined || ReceiptHandle === undefined || Body === undefined) {
    throw new Error("ReceiveMessage returned a message without MessageId, ReceiptHandle or Body");
  }
  const received: Record<string, string | undefined> = { ...message.Attributes };
  const required = (name: RequiredAttribute): string => {
    const value = received[name];
    if (value === undefined) {
      throw new Error(`ReceiveMessage returned no ${name} for message ${MessageId}`);
    }
    return value;
  };
  const attributes: SQSRecordAttributes = {
    ...received,
    ApproximateReceiveCount: required("ApproximateReceiveCount"),
    SentTimestamp: required("SentTimestamp"),
    SenderId: required("SenderId"),
    ApproximateFirstReceiveTimestamp: required("ApproximateFirstReceiveTimestamp"),
  };
  const record: SQSRecord = {
    messageId: MessageId,
    receiptHandle: ReceiptHandle,
    body: Body,
    attributes,
    messageAttributes: toLambdaAttributes(message.MessageAttributes ?? {}),
    md5OfBody: MD5OfBody ?? createHash("md5").update(Body, "utf8").digest("hex"),
    eventSource: "aws:sqs",
    eventSourceARN: source.eventSourceARN,
    awsRegion: source.awsRegion,
  };
  if (message.MD5OfMessageAttributes)
    record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

/** Wraps records as the event a Lambda function receives. */
export function toSqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** Bytes `record` adds to the serialised event (for Lambda's 6 MB invocation payload limit). */
export function recordBytes(record: SQSRecord): number {
  return Buffer.byteLength(JSON.stringify(record), "utf8") + 1;
}

/** Region of an ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
export function regionOfArn(arn: string): string {
  const region = arn.split(":")[3];
  if (!region) throw new Error(`"${arn}" is not an ARN with a region`);
  return region;
}

function toLambdaAttributes(
  attributes: Record<string, MessageAttributeValue>,
): SQSMessageAttributes {
  const converted: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    converted[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") }
        : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType ?? "String",
    };
  }
  return converted;
}
