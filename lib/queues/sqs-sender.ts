import type { SQSClient } from "@aws-sdk/client-sqs";

/**
 * The part of an SQSClient the queue helpers use. Typed this narrowly so unit tests can pass a
 * stub; production code passes a client from `createSqsClient`.
 */
export type SqsSender = Pick<SQSClient, "send">;
