import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { awsClientConfig, nonEmpty } from "./client-config.ts";

/** Where to reach S3. Everything is optional: on AWS the defaults are right. */
export interface S3ClientOptions {
  /** An S3-compatible endpoint (fauxqs, MinIO, LocalStack). Default: env `S3_ENDPOINT`. */
  endpoint?: string;
  /** Default: env `AWS_REGION`, then `AWS_DEFAULT_REGION`; `us-east-1` with a custom endpoint. */
  region?: string;
  /** The environment to read; tests pass their own. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The S3Client configuration for {@link createS3Client}. With an endpoint (an emulator), requests
 * use path-style addressing (`http://127.0.0.1:port/bucket/key`), which every S3-compatible server
 * understands without DNS tricks.
 */
export function s3ClientConfig(options: S3ClientOptions = {}): S3ClientConfig {
  const env = options.env ?? process.env;
  const config: S3ClientConfig = awsClientConfig({
    endpoint: options.endpoint ?? nonEmpty(env.S3_ENDPOINT),
    region: options.region,
    env,
  });
  if (config.endpoint !== undefined) config.forcePathStyle = true;
  return config;
}

/** An S3Client for AWS, or for any S3-compatible endpoint by configuration alone. */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  return new S3Client(s3ClientConfig(options));
}
