import { describe, expect, it } from "vitest";
import { createSqsClient, sqsClientConfig } from "../../../lib/queues/client.ts";

describe("sqsClientConfig", () => {
  it("uses SQS_ENDPOINT with placeholder credentials when no credential source is configured", () => {
    expect(sqsClientConfig({ env: { SQS_ENDPOINT: "http://127.0.0.1:4566" } })).toEqual({
      endpoint: "http://127.0.0.1:4566",
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
  });

  it("keeps the default credential chain with an endpoint when the environment names a source", () => {
    const config = sqsClientConfig({
      env: { SQS_ENDPOINT: "http://localstack:4566", AWS_PROFILE: "dev", AWS_REGION: "eu-west-1" },
    });
    expect(config).toEqual({ endpoint: "http://localstack:4566", region: "eu-west-1" });
  });

  it("prefers explicit options over the environment", () => {
    const config = sqsClientConfig({
      endpoint: "http://127.0.0.1:9324",
      region: "ap-guangzhou-1",
      env: { SQS_ENDPOINT: "http://elsewhere:1", AWS_REGION: "us-west-2" },
    });
    expect(config).toMatchObject({ endpoint: "http://127.0.0.1:9324", region: "ap-guangzhou-1" });
  });

  it("leaves endpoint, region and credentials to the SDK on AWS", () => {
    expect(sqsClientConfig({ env: {} })).toEqual({});
    expect(
      sqsClientConfig({ env: { AWS_DEFAULT_REGION: "eu-central-1", SQS_ENDPOINT: "" } }),
    ).toEqual({
      region: "eu-central-1",
    });
  });
});

describe("createSqsClient", () => {
  it("sends calls to the configured endpoint", async () => {
    const client = createSqsClient({ endpoint: "http://127.0.0.1:4566", env: {} });
    try {
      const endpoint = await client.config.endpoint?.();
      expect(endpoint?.hostname).toBe("127.0.0.1");
      expect(endpoint?.port).toBe(4566);
      expect(await client.config.region()).toBe("us-east-1");
    } finally {
      client.destroy();
    }
  });
});
