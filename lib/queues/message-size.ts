import type { MessageAttributeValue } from "@aws-sdk/client-sqs";

/**
 * The size SQS charges a message against its limits: UTF-8 body bytes plus, for every message
 * attribute, its name, its data type and its value.
 */
export function messageSize(
  body: string,
  attributes: Readonly<Record<string, MessageAttributeValue>> = {},
): number {
  let size = Buffer.byteLength(body, "utf8");
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, "utf8");
    size += Buffer.byteLength(value.DataType ?? "", "utf8");
    if (value.StringValue !== undefined) size += Buffer.byteLength(value.StringValue, "utf8");
    if (value.BinaryValue !== undefined) size += value.BinaryValue.byteLength;
  }
  return size;
}
