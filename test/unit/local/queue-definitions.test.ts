// biome-ignore-all lint/suspicious/noTemplateCurlyInString: osls ${…} variables are what this file tests.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  DEFAULT_SERVERLESS_PATH,
  readServerlessDefinitions,
  ServerlessConfigError,
} from "../../../lib/local/queue-definitions.ts";

// The real file, read independently (CloudFormation tags kept as plain values), to compare with.
interface RawQueue {
  Properties: {
    VisibilityTimeout: unknown;
    MessageRetentionPeriod: number;
    RedrivePolicy?: { maxReceiveCount: number };
  };
}
const raw = parse(readFileSync(DEFAULT_SERVERLESS_PATH, "utf8"), { logLevel: "error" }) as {
  service: string;
  params: Record<string, Record<string, unknown>>;
  custom: {
    deleteDirectories: {
      timeoutSeconds: number;
      batchSize: number;
      maximumBatchingWindowSeconds: number;
      maxReceiveCount: number;
    };
    recycleActions: { timeoutSeconds: number; maxReceiveCount: number; batchSize: number };
    retentionScan: { timeoutSeconds: number; maxReceiveCount: number };
  };
  resources: { Resources: Record<string, RawQueue> };
};
const rawQueue = (id: string): RawQueue["Properties"] => {
  const queue = raw.resources.Resources[id];
  if (queue === undefined) throw new Error(`serverless.yml has no ${id}`);
  return queue.Properties;
};

describe("readServerlessDefinitions on the repository's serverless.yml", () => {
  const defs = readServerlessDefinitions();
  const queue = (key: string) => {
    const found = defs.queues.find((q) => q.key === key);
    if (found === undefined) throw new Error(`no queue ${key}`);
    return found;
  };

  it("finds the seven queues by their name without the service and stage", () => {
    expect(defs.service).toBe(raw.service);
    expect(defs.queues.map((q) => [q.key, q.logicalId])).toEqual([
      ["jobs", "JobsQueue"],
      ["jobs-dlq", "JobsDeadLetterQueue"],
      ["results", "ResultsQueue"],
      ["recycle-actions", "RecycleActionsQueue"],
      ["recycle-actions-dlq", "RecycleActionsDeadLetterQueue"],
      ["retention-continuations", "RetentionContinuationsQueue"],
      ["retention-continuations-dlq", "RetentionContinuationsDeadLetterQueue"],
    ]);
  });

  it("reads the redrive of the retention continuation queue, and gives the handler its maxReceiveCount", () => {
    expect(queue("retention-continuations").deadLetter).toEqual({
      key: "retention-continuations-dlq",
      maxReceiveCount: raw.custom.retentionScan.maxReceiveCount,
    });
    expect(queue("retention-continuations").visibilityTimeoutSeconds).toBe(
      6 * raw.custom.retentionScan.timeoutSeconds,
    );
    expect(defs.environment.RETENTION_MAX_RECEIVE_COUNT).toBe(
      String(raw.custom.retentionScan.maxReceiveCount),
    );
  });

  it("reads the redrive of the jobs and recycle-actions queues from the yaml", () => {
    expect(rawQueue("JobsQueue").RedrivePolicy?.maxReceiveCount).toBe(
      "${self:custom.deleteDirectories.maxReceiveCount}",
    );
    expect(queue("jobs").deadLetter).toEqual({
      key: "jobs-dlq",
      maxReceiveCount: raw.custom.deleteDirectories.maxReceiveCount,
    });
    // The handler learns the same number, so the last receive writes a `failed` result.
    expect(defs.environment.MAX_RECEIVE_COUNT).toBe(
      String(raw.custom.deleteDirectories.maxReceiveCount),
    );
    expect(rawQueue("RecycleActionsQueue").RedrivePolicy?.maxReceiveCount).toBe(
      "${self:custom.recycleActions.maxReceiveCount}",
    );
    expect(queue("recycle-actions").deadLetter).toEqual({
      key: "recycle-actions-dlq",
      maxReceiveCount: raw.custom.recycleActions.maxReceiveCount,
    });
    expect(defs.environment.RECYCLE_MAX_RECEIVE_COUNT).toBe(
      String(raw.custom.recycleActions.maxReceiveCount),
    );
    for (const key of [
      "jobs-dlq",
      "results",
      "recycle-actions-dlq",
      "retention-continuations-dlq",
    ]) {
      expect(queue(key).deadLetter, key).toBeUndefined();
    }
  });

  it("reads retention as written and resolves visibility timeouts from the function timeouts", () => {
    for (const q of defs.queues) {
      expect(q.messageRetentionSeconds, q.key).toBe(rawQueue(q.logicalId).MessageRetentionPeriod);
    }
    expect(queue("jobs").visibilityTimeoutSeconds).toBe(
      6 * raw.custom.deleteDirectories.timeoutSeconds,
    );
    expect(queue("recycle-actions").visibilityTimeoutSeconds).toBe(
      6 * raw.custom.recycleActions.timeoutSeconds,
    );
    expect(queue("results").visibilityTimeoutSeconds).toBe(
      rawQueue("ResultsQueue").VisibilityTimeout,
    );
  });

  it("describes the deleteDirectories, recycleActions and retentionScan event source mappings with the stage's parameters", () => {
    expect(defs.sqsFunctions).toEqual([
      {
        functionName: "deleteDirectories",
        handler: "handlers/delete-directories.handler",
        queueKey: "jobs",
        batchSize: raw.custom.deleteDirectories.batchSize,
        maximumBatchingWindowSeconds: raw.custom.deleteDirectories.maximumBatchingWindowSeconds,
        reportBatchItemFailures: true,
        maximumConcurrency: raw.params.default?.jobsMaximumConcurrency,
        functionTimeoutSeconds: raw.custom.deleteDirectories.timeoutSeconds,
      },
      {
        functionName: "recycleActions",
        handler: "handlers/recycle-actions.handler",
        queueKey: "recycle-actions",
        batchSize: raw.custom.recycleActions.batchSize,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: true,
        maximumConcurrency: raw.params.default?.recycleActionsMaximumConcurrency,
        functionTimeoutSeconds: raw.custom.recycleActions.timeoutSeconds,
      },
      {
        functionName: "retentionScan",
        handler: "handlers/retention-scan.handler",
        queueKey: "retention-continuations",
        batchSize: 1,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: true,
        maximumConcurrency: raw.params.default?.retentionContinuationsMaximumConcurrency,
        functionTimeoutSeconds: raw.custom.retentionScan.timeoutSeconds,
      },
    ]);
    const prod = readServerlessDefinitions(undefined, { stage: "prod" });
    expect(prod.sqsFunctions[0]?.maximumConcurrency).toBe(
      raw.params.prod?.jobsMaximumConcurrency ?? raw.params.default?.jobsMaximumConcurrency,
    );
  });

  it("lets a param given like --param win over the stage's value", () => {
    const defs7 = readServerlessDefinitions(undefined, {
      stage: "prod",
      params: { jobsMaximumConcurrency: "7" },
    });
    expect(defs7.sqsFunctions[0]?.maximumConcurrency).toBe(7);
  });

  it("returns the literal environment for the stage, leaving out what exists only once deployed", () => {
    const prod = readServerlessDefinitions(undefined, { stage: "prod" });
    expect(prod.environment.SMH_LIBRARY_SECRETS_SSM_PARAMETER).toBe(
      `/${raw.service}/prod/library-secrets`,
    );
    expect(prod.environment.SMH_BASE_URL).toBe(raw.params.default?.smhBaseUrl);
    expect(prod.environment.POWERTOOLS_SERVICE_NAME).toBe(raw.service);
    // !Ref ResultsQueue is a URL only AWS knows.
    expect(prod.environment).not.toHaveProperty("RESULTS_QUEUE_URL");
  });

  it("names the environment variables that need a deploy-time param, and takes them from params", () => {
    expect(defs.environmentWithoutValue).toEqual(["SMH_POLICY", "RETENTION_RULES_FILE"]);
    expect(defs.environment).not.toHaveProperty("SMH_POLICY");
    const withParams = readServerlessDefinitions(undefined, {
      params: { smhPolicy: '{"x":1}', retentionRulesFile: "retention.yml" },
    });
    expect(withParams.environment.SMH_POLICY).toBe('{"x":1}');
    expect(withParams.environment.RETENTION_RULES_FILE).toBe("retention.yml");
    expect(withParams.environmentWithoutValue).toEqual([]);
  });

  it("finds the retention scan's schedule, so the local stack can fire it", () => {
    expect(defs.scheduledFunctions).toEqual([
      {
        functionName: "retentionScan",
        handler: "handlers/retention-scan.handler",
        schedules: [raw.params.default?.retentionSchedule],
        functionTimeoutSeconds: raw.custom.retentionScan.timeoutSeconds,
      },
    ]);
    const hourly = readServerlessDefinitions(undefined, {
      params: { retentionSchedule: "rate(1 hour)" },
    });
    expect(hourly.scheduledFunctions[0]?.schedules).toEqual(["rate(1 hour)"]);
  });
});

describe("readServerlessDefinitions on other files", () => {
  const dir = mkdtempSync(join(tmpdir(), "smh-queue-definitions-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let counter = 0;
  const write = (yaml: string): string => {
    counter += 1;
    const path = join(dir, `serverless-${counter}.yml`);
    writeFileSync(path, yaml);
    return path;
  };

  /** A minimal service: `queueProps` and `fnProps` are spliced into the jobs queue and function. */
  const service = ({ queueProps = "", fnProps = "", extra = "" } = {}) => `
service: svc
provider:
  name: aws
  stage: \${opt:stage, 'dev'}
  timeout: 10
params:
  default:
    concurrency: 3
  prod:
    concurrency: 9
custom:
  prefix: \${self:service}-\${sls:stage}
${extra}
functions:
  work:
    handler: handlers/work.handler
    events:
      - sqs:
          arn: !GetAtt WorkQueue.Arn
          batchSize: 10
          maximumConcurrency: \${param:concurrency}
${fnProps}
resources:
  Resources:
    WorkQueue:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: \${self:custom.prefix}-work
        VisibilityTimeout: 60
        RedrivePolicy:
          deadLetterTargetArn: !GetAtt WorkDlq.Arn
          maxReceiveCount: 4
${queueProps}
    WorkDlq:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: \${self:custom.prefix}-work-dlq
        MessageRetentionPeriod: 1209600
        RedriveAllowPolicy:
          redrivePermission: byQueue
          sourceQueueArns:
            - !Sub arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:\${self:custom.prefix}-work
`;

  it("applies the SQS and osls defaults to what a file leaves out", () => {
    const defs = readServerlessDefinitions(write(service()), { stage: "prod" });
    expect(defs.queues).toEqual([
      {
        logicalId: "WorkQueue",
        key: "work",
        visibilityTimeoutSeconds: 60,
        messageRetentionSeconds: 345_600,
        deadLetter: { key: "work-dlq", maxReceiveCount: 4 },
      },
      {
        logicalId: "WorkDlq",
        key: "work-dlq",
        visibilityTimeoutSeconds: 30,
        messageRetentionSeconds: 1_209_600,
      },
    ]);
    expect(defs.sqsFunctions).toEqual([
      {
        functionName: "work",
        handler: "handlers/work.handler",
        queueKey: "work",
        batchSize: 10,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: false,
        maximumConcurrency: 9,
        functionTimeoutSeconds: 10,
      },
    ]);
  });

  it("resolves nested variables and fallbacks", () => {
    const path = write(
      service({
        extra: `  timeouts:\n    short: 5\n  which: short\n  retention: \${param:missing, 86400}`,
        queueProps: "        MessageRetentionPeriod: ${self:custom.retention}",
        fnProps: "    timeout: ${self:custom.timeouts.${self:custom.which}}",
      }),
    );
    const defs = readServerlessDefinitions(path);
    expect(defs.queues[0]?.messageRetentionSeconds).toBe(86_400);
    expect(defs.sqsFunctions[0]?.functionTimeoutSeconds).toBe(5);
  });

  it.each([
    ["an environment variable", "${env:RETENTION}", /env:RETENTION.*not supported/],
    ["an SSM parameter", "${ssm:/retention}", /ssm:\/retention.*not supported/],
    ["a param with no value", "${param:retention}", /param:retention.*no value/],
    ["a missing self reference", "${self:custom.nothing}", /self:custom\.nothing.*no value/],
  ])("refuses to guess a queue setting taken from %s", (_, reference, message) => {
    const path = write(service({ queueProps: `        MessageRetentionPeriod: ${reference}` }));
    expect(() => readServerlessDefinitions(path)).toThrow(ServerlessConfigError);
    expect(() => readServerlessDefinitions(path)).toThrow(message);
  });

  it("reads schedules written as a string, or as rate and a list of rates", () => {
    const path = write(
      service({
        extra: "  nightly: cron(0 3 * * ? *)",
      }).replace(
        "functions:\n",
        "functions:\n  tick:\n    handler: handlers/tick.handler\n    events:\n      - schedule: rate(5 minutes)\n      - schedule:\n          rate:\n            - ${self:custom.nightly}\n            - rate(1 day)\n",
      ),
    );
    expect(readServerlessDefinitions(path).scheduledFunctions).toEqual([
      {
        functionName: "tick",
        handler: "handlers/tick.handler",
        schedules: ["rate(5 minutes)", "cron(0 3 * * ? *)", "rate(1 day)"],
        functionTimeoutSeconds: 10,
      },
    ]);
  });

  it("refuses a schedule with an input, which replaces the event the local stack would send", () => {
    const path = write(
      service().replace(
        "functions:\n",
        "functions:\n  tick:\n    handler: handlers/tick.handler\n    events:\n      - schedule:\n          rate: rate(5 minutes)\n          input: { dryRun: true }\n",
      ),
    );
    expect(() => readServerlessDefinitions(path)).toThrow(/input replaces the scheduled event/);
  });

  it("refuses a variable cycle", () => {
    const path = write(
      service({
        extra: "  a: ${self:custom.b}\n  b: ${self:custom.a}",
        queueProps: "        MessageRetentionPeriod: ${self:custom.a}",
      }),
    );
    expect(() => readServerlessDefinitions(path)).toThrow(/cycle/);
  });

  it("refuses a visibility timeout below 6 × the function timeout", () => {
    const path = write(service({ fnProps: "    timeout: 11" }));
    expect(() => readServerlessDefinitions(path)).toThrow(/below 6 × the 11 s timeout of work/);
  });

  it("refuses a batch above 10 records without a batching window", () => {
    const path = write(service().replace("batchSize: 10", "batchSize: 50"));
    expect(() => readServerlessDefinitions(path)).toThrow(/batching window of at least 1 s/);
  });

  it("refuses a dead-letter queue that forgets messages sooner than its source", () => {
    const path = write(
      service({ queueProps: "        MessageRetentionPeriod: 1209600" }).replace(
        "MessageRetentionPeriod: 1209600\n        RedriveAllowPolicy",
        "MessageRetentionPeriod: 600\n        RedriveAllowPolicy",
      ),
    );
    expect(() => readServerlessDefinitions(path)).toThrow(/keeps messages for less time/);
  });

  it("refuses a dead-letter target that is not a queue of the stack", () => {
    const path = write(
      service().replace(
        "deadLetterTargetArn: !GetAtt WorkDlq.Arn",
        "deadLetterTargetArn: arn:aws:sqs:x:1:q",
      ),
    );
    expect(() => readServerlessDefinitions(path)).toThrow(/deadLetterTargetArn must be !GetAtt/);
  });

  it("refuses a queue whose name does not start with <service>-<stage>-", () => {
    const path = write(
      service().replace("QueueName: ${self:custom.prefix}-work-dlq", "QueueName: other"),
    );
    expect(() => readServerlessDefinitions(path)).toThrow(/does not start with "svc-dev-"/);
  });

  it("refuses an event source given as a bare ARN, a queue the local stack cannot create", () => {
    const path = write(
      service().replace(
        "      - sqs:\n          arn: !GetAtt WorkQueue.Arn\n          batchSize: 10\n          maximumConcurrency: ${param:concurrency}",
        "      - sqs: arn:aws:sqs:eu-west-1:123456789012:elsewhere",
      ),
    );
    expect(() => readServerlessDefinitions(path)).toThrow(/names a queue by ARN/);
  });

  it("refuses a YAML tag it does not know", () => {
    const path = write(service({ queueProps: "        Tags: !Unknown x" }));
    expect(() => readServerlessDefinitions(path)).toThrow(/Unknown/);
  });
});
