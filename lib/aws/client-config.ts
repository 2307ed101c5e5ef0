/**
 * Where an AWS SDK v3 client sends its calls: to AWS by default, or to a compatible endpoint (an
 * emulator such as fauxqs or dynalite) by configuration alone.
 */

/** Options of {@link awsClientConfig}. */
export interface AwsClientConfigOptions {
  /** A compatible endpoint; undefined or empty: AWS. */
  readonly endpoint?: string | undefined;
  /** Default: env `AWS_REGION`, then `AWS_DEFAULT_REGION`; `us-east-1` with a custom endpoint. */
  readonly region?: string | undefined;
  /** The environment to read. */
  readonly env: NodeJS.ProcessEnv;
}

/** The part of every SDK client's configuration that {@link awsClientConfig} sets. */
export interface AwsClientConfig {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
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
 * With an endpoint, it is passed explicitly and, unless the environment names a credential source
 * (set `AWS_PROFILE` to use a profile), placeholder credentials are used. Without one, the region
 * and credentials come from the SDK's default chains.
 *
 * @example new DynamoDBClient(awsClientConfig({ endpoint: env.DYNAMODB_ENDPOINT, env }))
 */
export function awsClientConfig(options: AwsClientConfigOptions): AwsClientConfig {
  const { env } = options;
  const endpoint = nonEmpty(options.endpoint);
  const region = options.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (endpoint === undefined) return region === undefined ? {} : { region };
  const config: AwsClientConfig = { endpoint, region: region ?? "us-east-1" };
  if (!CREDENTIAL_SOURCES.some((name) => nonEmpty(env[name]) !== undefined)) {
    config.credentials = EMULATOR_CREDENTIALS;
  }
  return config;
}

/** `value`, or undefined when it is undefined or empty. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
