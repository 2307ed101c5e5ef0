// Where the queue commands find their queues: flags, then environment, then the local stack file.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createQueueContext, isAwsUrl, regionOfAwsUrl } from "../../../lib/cli/context.ts";
import { CliError } from "../../../lib/cli/errors.ts";
import { ExitCode } from "../../../lib/cli/exit-codes.ts";
import { writeStackFile } from "../../../lib/local/stack-file.ts";
import { stackInfo } from "./factories.ts";

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "smh-context-"));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const withStack = () => writeStackFile(join(cwd, ".smh-cleaner"), stackInfo());
const aws = "https://sqs.eu-west-1.amazonaws.com/111122223333/prod-jobs";

describe("finding the queues", () => {
  it("takes everything from a live local stack by default", async () => {
    await withStack();
    const context = await createQueueContext({}, { env: {}, cwd });
    expect(context.endpoint).toBe("http://127.0.0.1:4566");
    expect(context.isAws).toBe(false);
    expect(await context.queue("results")).toEqual({
      key: "results",
      url: stackInfo().queues.results.url,
      source: "stack",
    });
    context.close();
  });

  it("prefers the flag to the environment, and the environment to the stack file", async () => {
    await withStack();
    const env = {
      JOBS_QUEUE_URL: "http://127.0.0.1:4566/0/from-env",
      RESULTS_QUEUE_URL: "http://127.0.0.1:4566/0/results-env",
    };
    const context = await createQueueContext(
      { jobsQueueUrl: "http://127.0.0.1:4566/0/from-flag" },
      { env, cwd },
    );
    expect(await context.queue("jobs")).toMatchObject({
      url: "http://127.0.0.1:4566/0/from-flag",
      source: "flag",
    });
    expect(await context.queue("results")).toMatchObject({
      url: env.RESULTS_QUEUE_URL,
      source: "env",
    });
    expect(await context.queue("jobs-dlq")).toMatchObject({ source: "stack" });
    context.close();
  });

  it("goes to AWS, in the queue URL's region, for an AWS queue URL even with a local stack running", async () => {
    await withStack();
    const context = await createQueueContext({}, { env: { JOBS_QUEUE_URL: aws }, cwd });
    expect(context.endpoint).toBeUndefined();
    expect(context.isAws).toBe(true);
    expect(context.stack).toBeUndefined();
    expect(await context.queue("jobs")).toMatchObject({ url: aws, source: "env" });
    expect(await context.sqs.config.region()).toBe("eu-west-1");
    await expect(context.queue("results")).rejects.toThrow(/pass --results-queue-url/);
    context.close();
  });

  it("ignores the stack file's queues at another endpoint", async () => {
    await withStack();
    const context = await createQueueContext(
      { sqsEndpoint: "http://127.0.0.1:9324" },
      { env: {}, cwd },
    );
    expect(context.endpoint).toBe("http://127.0.0.1:9324");
    await expect(context.queue("jobs")).rejects.toThrow(
      "no jobs queue is configured at http://127.0.0.1:9324",
    );
    context.close();
  });

  it("says what to set when nothing is configured, with exit code unavailable", async () => {
    const context = await createQueueContext({}, { env: {}, cwd });
    const failure = await context.queue("jobs").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CliError);
    expect(failure).toMatchObject({ exitCode: ExitCode.unavailable });
    expect(String((failure as Error).message)).toMatch(
      /--jobs-queue-url.*JOBS_QUEUE_URL.*npm start/,
    );
    expect(await context.optionalQueue("jobs")).toBeUndefined();
    context.close();
  });

  it("says the local stack is not running for a stale stack file", async () => {
    await withStack();
    const context = await createQueueContext({}, { env: {}, cwd, isAlive: () => false });
    await expect(context.queue("jobs")).rejects.toThrow(
      "the local stack is not running: start it with npm start",
    );
    context.close();
  });

  it("reads the region from --region, then AWS_REGION, then the stack file", async () => {
    await withStack();
    const flagged = await createQueueContext(
      { region: "ap-east-1" },
      { env: { AWS_REGION: "eu-north-1" }, cwd },
    );
    expect(await flagged.sqs.config.region()).toBe("ap-east-1");
    const fromEnv = await createQueueContext({}, { env: { AWS_REGION: "eu-north-1" }, cwd });
    expect(await fromEnv.sqs.config.region()).toBe("eu-north-1");
    const fromStack = await createQueueContext({}, { env: {}, cwd });
    expect(await fromStack.sqs.config.region()).toBe("us-east-1");
    for (const context of [flagged, fromEnv, fromStack]) context.close();
  });

  it("recognises AWS endpoints and queue URLs", () => {
    expect(isAwsUrl(aws)).toBe(true);
    expect(isAwsUrl("https://sqs.cn-north-1.amazonaws.com.cn/1/q")).toBe(true);
    expect(isAwsUrl("http://127.0.0.1:4566/000000000000/q")).toBe(false);
    expect(isAwsUrl("https://amazonaws.com.evil.example/q")).toBe(false);
    expect(regionOfAwsUrl(aws)).toBe("eu-west-1");
    expect(regionOfAwsUrl("http://localhost/q")).toBeUndefined();
  });
});
