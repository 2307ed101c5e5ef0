// The S3 fault proxy in front of fauxqs's S3: transparent without faults, and when asked, failing
// object writes the ways S3 does (500, 503, SlowDown: nothing written) or answering them late.
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createS3Client, s3ClientConfig } from "../../../lib/aws/s3-client.ts";
import {
  type S3FaultProxy,
  type S3FaultProxyOptions,
  startS3FaultProxy,
} from "../../../lib/local/s3-fault-proxy.ts";
import { type LocalSqs, startLocalSqs } from "../../../lib/local/sqs-server.ts";

const BUCKET = "proxy-test";
let fauxqs: LocalSqs;
let direct: S3Client;

beforeAll(async () => {
  fauxqs = await startLocalSqs();
  direct = createS3Client({ endpoint: fauxqs.endpoint, env: {} });
  await direct.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  direct.destroy();
  await fauxqs.stop();
});

/** A proxy in front of fauxqs and a client (one attempt: no SDK retries) pointed at it. */
async function proxied(
  options: Omit<S3FaultProxyOptions, "upstream"> = {},
): Promise<{ proxy: S3FaultProxy; s3: S3Client }> {
  const proxy = await startS3FaultProxy({ upstream: fauxqs.endpoint, ...options });
  const s3 = new S3Client({
    ...s3ClientConfig({ endpoint: proxy.url, env: {} }),
    maxAttempts: 1,
  });
  onTestFinished(async () => {
    s3.destroy();
    await proxy.close();
  });
  return { proxy, s3 };
}

async function exists(key: string): Promise<boolean> {
  try {
    await direct.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch {
    return false;
  }
}

async function put(s3: S3Client, key: string): Promise<unknown> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "x" }));
    return undefined;
  } catch (error) {
    return error;
  }
}

describe("the S3 fault proxy", () => {
  it("forwards writes and reads untouched without faults", async () => {
    const { proxy, s3 } = await proxied();
    expect(await put(s3, "results/plain")).toBeUndefined();
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "results/plain" }));
    expect(await got.Body?.transformToString()).toBe("x");
    expect(proxy.counters()).toMatchObject({ requests: 2, forwarded: 2, selected: 1 });
  });

  it.each([
    ["error500Ratio", 500, "InternalError"],
    ["error503Ratio", 503, "ServiceUnavailable"],
    ["slowDownRatio", 503, "SlowDown"],
  ] as const)("with %s, answers %i %s and writes nothing", async (fault, status, code) => {
    const { proxy, s3 } = await proxied({ faults: { [fault]: 1 } });
    const key = `results/${code}`;
    const error = (await put(s3, key)) as { name: string; $metadata: { httpStatusCode: number } };
    expect(error.name).toBe(code);
    expect(error.$metadata.httpStatusCode).toBe(status);
    expect(await exists(key)).toBe(false);
    expect(proxy.counters().forwarded).toBe(0);
  });

  it("faults only the methods and paths it is told to", async () => {
    const { proxy, s3 } = await proxied({
      faults: { slowDownRatio: 1, pathContains: `/${BUCKET}/results/` },
    });
    expect(await put(s3, "elsewhere/a")).toBeUndefined();
    expect(((await put(s3, "results/b")) as Error).name).toBe("SlowDown");
    proxy.setFaults({ methods: ["GET"] });
    expect(await put(s3, "results/c")).toBeUndefined();
    expect(proxy.counters()).toMatchObject({ slowDowns: 1, forwarded: 2 });
  });

  it("holds a selected call before forwarding it (a slow S3), then writes it", async () => {
    const { proxy, s3 } = await proxied({ faults: { latencyMs: 200 } });
    expect(await put(s3, "results/slow")).toBeUndefined();
    expect(await exists("results/slow")).toBe(true);
    expect(proxy.counters()).toMatchObject({ selected: 1, forwarded: 1 });
  });

  it("refuses invalid faults", async () => {
    const { proxy } = await proxied();
    expect(() => proxy.setFaults({ slowDownRatio: 2 })).toThrow();
  });
});
