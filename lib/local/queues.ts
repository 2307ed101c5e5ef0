import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  type QueueAttributeName,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { readQueueAttributes } from "../queues/attributes.ts";
import { isQueueMissing } from "../queues/errors.ts";
import type { SqsSender } from "../queues/sqs-sender.ts";
import type { QueueDefinition } from "./topology.ts";

/** A queue that exists at the endpoint. */
export interface CreatedQueue {
  key: string;
  name: string;
  url: string;
  arn: string;
}

/** Options for {@link createQueues}. */
export interface CreateQueuesOptions {
  /** Prepended to each definition's key to form the queue name (e.g. `smh-batch-cleaner-dev-`). */
  namePrefix?: string;
  /**
   * Replaces every queue's visibility timeout. Local runs use a few seconds instead of the deployed
   * value so that failed messages come back quickly.
   */
  visibilityTimeoutOverrideSeconds?: number;
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Creates the queues of `definitions` through the SQS API only (so it works against any
 * SQS-compatible endpoint): dead-letter targets first, then the queues that redrive to them with a
 * `RedrivePolicy` (target ARN and maxReceiveCount from the definition). Idempotent: a queue that
 * already exists gets its attributes set to the definition's. Resolves to the queues by key.
 */
export async function createQueues(
  sqs: SqsSender,
  definitions: readonly QueueDefinition[],
  options: CreateQueuesOptions = {},
): Promise<Map<string, CreatedQueue>> {
  const byKey = new Map<string, QueueDefinition>();
  for (const definition of definitions) {
    if (byKey.has(definition.key))
      throw new Error(`queue key "${definition.key}" is defined twice`);
    byKey.set(definition.key, definition);
  }
  const created = new Map<string, CreatedQueue>();
  const visiting = new Set<string>();

  const ensure = async (definition: QueueDefinition): Promise<CreatedQueue> => {
    const existing = created.get(definition.key);
    if (existing) return existing;
    if (visiting.has(definition.key)) {
      throw new Error(`dead-letter queues of "${definition.key}" form a cycle`);
    }
    visiting.add(definition.key);
    let redrivePolicy = "";
    if (definition.deadLetter) {
      const target = byKey.get(definition.deadLetter.key);
      if (!target) {
        throw new Error(
          `queue "${definition.key}" names dead-letter queue "${definition.deadLetter.key}", which is not defined`,
        );
      }
      const deadLetter = await ensure(target);
      redrivePolicy = JSON.stringify({
        deadLetterTargetArn: deadLetter.arn,
        maxReceiveCount: definition.deadLetter.maxReceiveCount,
      });
    }
    const name = `${options.namePrefix ?? ""}${definition.key}`;
    if (!QUEUE_NAME.test(name)) {
      throw new Error(`queue name "${name}" is not 1–80 characters of A-Z, a-z, 0-9, "-" and "_"`);
    }
    const attributes: Partial<Record<QueueAttributeName, string>> = {
      VisibilityTimeout: String(
        options.visibilityTimeoutOverrideSeconds ?? definition.visibilityTimeoutSeconds,
      ),
      MessageRetentionPeriod: String(definition.messageRetentionSeconds),
    };
    if (redrivePolicy) attributes.RedrivePolicy = redrivePolicy;
    const url = await createOrUpdate(sqs, name, attributes, redrivePolicy === "");
    const { QueueArn: arn } = await readQueueAttributes(sqs, url, ["QueueArn"]);
    if (!arn) throw new Error(`the endpoint reported no QueueArn for queue "${name}"`);
    const queue = { key: definition.key, name, url, arn };
    created.set(definition.key, queue);
    visiting.delete(definition.key);
    return queue;
  };

  for (const definition of definitions) await ensure(definition);
  return created;
}

/**
 * An existing queue is brought to `attributes` with SetQueueAttributes (CreateQueue would refuse
 * differing attributes, and would not remove a RedrivePolicy the definition no longer has); a
 * missing one is created with them, so it never exists with default attributes.
 */
async function createOrUpdate(
  sqs: SqsSender,
  name: string,
  attributes: Partial<Record<QueueAttributeName, string>>,
  clearRedrive: boolean,
): Promise<string> {
  const url = await findQueueUrl(sqs, name);
  if (url === undefined) {
    const response = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    if (!response.QueueUrl) throw new Error(`the endpoint returned no URL for queue "${name}"`);
    return response.QueueUrl;
  }
  let update = attributes;
  if (clearRedrive) {
    // Only when there is one to remove: not every emulator accepts an empty RedrivePolicy.
    const current = await readQueueAttributes(sqs, url, ["RedrivePolicy"]);
    if (current.RedrivePolicy) update = { ...attributes, RedrivePolicy: "" };
  }
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: update }));
  return url;
}

async function findQueueUrl(sqs: SqsSender, name: string): Promise<string | undefined> {
  try {
    const response = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    return response.QueueUrl;
  } catch (error) {
    if (isQueueMissing(error)) return undefined;
    throw error;
  }
}
