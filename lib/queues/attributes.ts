import { GetQueueAttributesCommand, type QueueAttributeName } from "@aws-sdk/client-sqs";
import type { SqsSender } from "./sqs-sender.ts";

/** Reads queue attributes; attributes the endpoint does not report are absent from the result. */
export async function readQueueAttributes(
  sqs: SqsSender,
  queueUrl: string,
  names: readonly QueueAttributeName[],
): Promise<Partial<Record<QueueAttributeName, string>>> {
  const response = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...names] }),
  );
  return response.Attributes ?? {};
}
