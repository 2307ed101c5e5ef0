import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { awsClientConfig, nonEmpty } from "../aws/client-config.ts";

/** Where to reach SQS. Everything is optional: on AWS the defaults are right. */
export interface SqsClientOptions {
  /** An SQS-compatible endpoint (fauxqs, ElasticMQ, LocalStack). Default: env `SQS_ENDPOINT`. */
  endpoint?: string;
  /** Default: env `AWS_REGION`, then `AWS_DEFAULT_REGION`; `us-east-1` with a custom endpoint. */
  region?: string;
  /** The environment to read; tests pass their own. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The SQSClient configuration for {@link createSqsClient}, exposed so that it can be checked
 * without building a client. With an endpoint, it is passed explicitly — the SDK then sends every
 * call there instead of to the host in the queue URL — and, unless the environment names a
 * credential source (set `AWS_PROFILE` to use a profile), placeholder credentials are used.
 * Without one, the region and credentials come from the SDK's default chains.
 */
export function sqsClientConfig(options: SqsClientOptions = {}): SQSClientConfig {
  const env = options.env ?? process.env;
  return awsClientConfig({
    endpoint: options.endpoint ?? nonEmpty(env.SQS_ENDPOINT),
    region: options.region,
    env,
  });
}

/** An SQSClient for AWS, or for any SQS-compatible endpoint by configuration alone. */
export function createSqsClient(options: SqsClientOptions = {}): SQSClient {
  return new SQSClient(sqsClientConfig(options));
}
