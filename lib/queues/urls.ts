import { GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { isQueueMissing } from "./errors.ts";
import type { SqsSender } from "./sqs-sender.ts";

/** Thrown by {@link resolveQueueUrl} when no queue has that name at the endpoint. */
export class QueueNotFoundError extends Error {
  override readonly name = "QueueNotFoundError";
  readonly queueName: string;
  constructor(queueName: string, options?: ErrorOptions) {
    super(`queue "${queueName}" does not exist (check the name, region and SQS endpoint)`, options);
    this.queueName = queueName;
  }
}

/** Resolves a queue name (optionally in another account) to its URL. */
export async function resolveQueueUrl(
  sqs: SqsSender,
  queueName: string,
  options: { ownerAccountId?: string } = {},
): Promise<string> {
  try {
    const response = await sqs.send(
      new GetQueueUrlCommand({
        QueueName: queueName,
        QueueOwnerAWSAccountId: options.ownerAccountId,
      }),
    );
    if (!response.QueueUrl) throw new QueueNotFoundError(queueName);
    return response.QueueUrl;
  } catch (error) {
    if (isQueueMissing(error)) throw new QueueNotFoundError(queueName, { cause: error });
    throw error;
  }
}
