import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";

/** Where to reach SQS. Everything is optional: on AWS the defaults are right. */
export interface SqsClientOptions {
  /** An SQS-compatible endpoint (fauxqs, ElasticMQ, LocalStack). Default: env `SQS_ENDPOINT`. */
  endpoint?: string;
  /** Default: env `AWS_REGION`, then `AWS_DEFAULT_REGION`; `us-east-1` with a custom endpoint. */
  region?: string;
  /** The environment to read; tests pass their own. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Credentials for emulators, which accept any and check none. */
const EMULATOR_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** Environment variables through which the default chain could find real credentials. */
const CREDENTIAL_SOURCES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
];

/**
 * The SQSClient configuration for {@link createSqsClient}, exposed so that it can be checked
 * without building a client. With an endpoint, it is passed explicitly — the SDK then sends every
 * call there instead of to the host in the queue URL — and, unless the environment names a
 * credential source (set `AWS_PROFILE` to use a profile), placeholder credentials are used.
 * Without one, the region and credentials come from the SDK's default chains.
 */
export function sqsClientConfig(options: SqsClientOptions = {}): SQSClientConfig {
  const env = options.env ?? process.env;
  const endpoint = options.endpoint ?? nonEmpty(env.SQS_ENDPOINT);
  const region = options.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (endpoint === undefined) return region === undefined ? {} : { region };
  const config: SQSClientConfig = { endpoint, region: region ?? "us-east-1" };
  if (!CREDENTIAL_SOURCES.some((name) => nonEmpty(env[name]) !== undefined)) {
    config.credentials = EMULATOR_CREDENTIALS;
  }
  return config;
}

/** An SQSClient for AWS, or for any SQS-compatible endpoint by configuration alone. */
export function createSqsClient(options: SqsClientOptions = {}): SQSClient {
  return new SQSClient(sqsClientConfig(options));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
