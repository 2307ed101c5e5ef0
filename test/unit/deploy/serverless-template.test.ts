/**
 * The deployment as CloudFormation will see it: `osls package` runs once, offline and without AWS
 * credentials, and these tests read the template and the function zip it writes.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FLEET_TABLE_KEYS, FLEET_TABLE_TTL_ATTRIBUTE } from "../../../lib/fleet/dynamodb-board.ts";
import { LEDGER_KINDS, ledgerDayPrefix } from "../../../lib/ledger/layout.ts";
import { readTopology } from "../../../lib/local/topology.ts";
import { loadRules } from "../../../lib/retention/load.ts";
import { arnLike, evaluate, TEST_ACCOUNT } from "./intrinsics.ts";
import {
  REPO_ROOT,
  type TemplateResource as Resource,
  readTemplate,
  type Template,
  usePackagedService,
} from "./osls.ts";
import { readZipEntries, type ZipEntry } from "./zip.ts";

/**
 * The SQS-triggered functions: their handler source, role, the queue they consume, the queues they
 * send to, and their log group.
 */
const FUNCTIONS = [
  {
    name: "deleteDirectories",
    source: "handlers/delete-directories.ts",
    bundle: "handlers/delete-directories.mjs",
    logicalId: "DeleteDirectoriesLambdaFunction",
    role: "DeleteDirectoriesRole",
    queue: "JobsQueue",
    logGroup: "DeleteDirectoriesLogGroup",
    maxReceiveCountVariable: "MAX_RECEIVE_COUNT",
    // Results, and its own queue and DLQ: parked and given-up jobs (lib/batch/parking.ts).
    sendsTo: ["ResultsQueue", "JobsQueue", "JobsDeadLetterQueue"],
  },
  {
    name: "recycleActions",
    source: "handlers/recycle-actions.ts",
    bundle: "handlers/recycle-actions.mjs",
    logicalId: "RecycleActionsLambdaFunction",
    role: "RecycleActionsRole",
    queue: "RecycleActionsQueue",
    logGroup: "RecycleActionsLogGroup",
    maxReceiveCountVariable: "RECYCLE_MAX_RECEIVE_COUNT",
    sendsTo: ["ResultsQueue", "RecycleActionsQueue", "RecycleActionsDeadLetterQueue"],
  },
  {
    name: "retentionScan",
    source: "handlers/retention-scan.ts",
    bundle: "handlers/retention-scan.mjs",
    logicalId: "RetentionScanLambdaFunction",
    role: "RetentionScanRole",
    queue: "RetentionContinuationsQueue",
    logGroup: "RetentionScanLogGroup",
    maxReceiveCountVariable: "RETENTION_MAX_RECEIVE_COUNT",
    sendsTo: [
      "JobsQueue",
      "ResultsQueue",
      "RetentionContinuationsQueue",
      "RetentionScheduleDeadLetterQueue",
    ],
  },
] as const;
type FunctionSpec = (typeof FUNCTIONS)[number];
const SERVICE = "smh-batch-cleaner";
const STAGE = "citest";
const SMH_POLICY = '{"libraries":{}}';
const RULES_FILE = "examples/retention-rules.yml";
const ACCOUNT = TEST_ACCOUNT["AWS::AccountId"];
const REGION = TEST_ACCOUNT["AWS::Region"];
/** Packaged for another region than serverless.yml's default (ap-southeast-1): `--region` works. */
const DEPLOY_REGION = "eu-central-1";
const ACCOUNT_ROOT = `arn:aws:iam::${ACCOUNT}:root`;
// biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's placeholders, as passed.
const ACCOUNT_ROOT_TEMPLATE = "arn:${AWS::Partition}:iam::${AWS::AccountId}:root";
const MAX_ZIP_BYTES = 1024 * 1024;
/** The ledger bucket's ARN, as CloudFormation would give it, for evaluating policies. */
const LEDGER_BUCKET_ARN = "arn:aws:s3:::smh-ledger-test";
const FOURTEEN_DAYS = 14 * 24 * 60 * 60;
const ALARM_EMAIL = "ops@example.com";
const ALARM_HTTPS_ENDPOINT = "https://hooks.example.com/smh-alarms";

interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

let template: Template;
let templateText: string;
let packagedRegion: unknown;
const zips = new Map<string, { entries: ZipEntry[]; bytes: number }>();

// Packaging happens once; if it fails, every test fails with its reason instead of being skipped.
usePackagedService({
  workDirPrefix: "smh-serverless-template-",
  stage: STAGE,
  region: DEPLOY_REGION,
  // No stage but dev has producer principals of its own: here every principal of the deploying
  // account, as dev's default (CloudFormation fills in the placeholders).
  params: {
    smhPolicy: SMH_POLICY,
    retentionRulesFile: RULES_FILE,
    jobProducerPrincipals: ACCOUNT_ROOT_TEMPLATE,
    recycleActionProducerPrincipals: ACCOUNT_ROOT_TEMPLATE,
    alarmEmail: ALARM_EMAIL,
    alarmHttpsEndpoint: ALARM_HTTPS_ENDPOINT,
  },
  check: () => {
    for (const fn of FUNCTIONS) {
      if (!existsSync(join(REPO_ROOT, fn.source))) {
        throw new Error(
          `${fn.source} does not exist, so osls cannot bundle the ${fn.name} function and the deployment cannot be checked`,
        );
      }
    }
  },
  read: (packageDir) => {
    template = readTemplate(packageDir);
    templateText = readFileSync(
      join(packageDir, "cloudformation-template-update-stack.json"),
      "utf8",
    );
    const state = JSON.parse(readFileSync(join(packageDir, "serverless-state.json"), "utf8")) as {
      service?: { provider?: { region?: unknown } };
    };
    packagedRegion = state.service?.provider?.region;
    for (const fn of FUNCTIONS) {
      const zip = readFileSync(join(packageDir, `${fn.name}.zip`));
      zips.set(fn.name, { entries: readZipEntries(zip), bytes: zip.length });
    }
  },
});

function resource(logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (found === undefined) throw new Error(`the template has no ${logicalId}`);
  return found;
}

function resourcesOfType(type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

const getAtt = (logicalId: string, attribute = "Arn") => ({ "Fn::GetAtt": [logicalId, attribute] });
const ref = (logicalId: string) => ({ Ref: logicalId });
const actionsOf = (statement: Statement): string[] => [statement.Action].flat();

/** The logical id a `{ "Fn::GetAtt": [id, "Arn"] }` points at. */
function getAttTarget(value: unknown): string {
  const target = (value as { "Fn::GetAtt"?: [string, string] })["Fn::GetAtt"];
  if (target === undefined) throw new Error(`expected Fn::GetAtt, got ${JSON.stringify(value)}`);
  return target[0];
}

interface PolicyOwner {
  owner: string;
  statements: Statement[];
}

/** Every policy statement in the template: role policies, managed policies, resource policies. */
function allPolicyStatements(): PolicyOwner[] {
  const owners: PolicyOwner[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const documents: unknown[] = [];
    if (r.Type === "AWS::IAM::Role") {
      documents.push(r.Properties.AssumeRolePolicyDocument);
      for (const policy of (r.Properties.Policies as { PolicyDocument: unknown }[]) ?? []) {
        documents.push(policy.PolicyDocument);
      }
    }
    if (r.Properties?.PolicyDocument !== undefined) documents.push(r.Properties.PolicyDocument);
    for (const document of documents) {
      owners.push({ owner: id, statements: (document as { Statement: Statement[] }).Statement });
    }
  }
  return owners;
}

function roleStatements(roleId: string): Statement[] {
  const role = resource(roleId);
  expect(role.Type).toBe("AWS::IAM::Role");
  return (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (policy) => policy.PolicyDocument.Statement,
  );
}

function queuePolicyStatements(queueId: string): Statement[] {
  const policies = resourcesOfType("AWS::SQS::QueuePolicy").filter(([, r]) =>
    (r.Properties.Queues as unknown[]).some(
      (queue) => JSON.stringify(queue) === JSON.stringify(ref(queueId)),
    ),
  );
  expect(policies, `exactly one queue policy for ${queueId}`).toHaveLength(1);
  const [[, policy]] = policies as [[string, Resource]];
  // SQS: a policy may cover one queue only.
  expect(policy.Properties.Queues).toEqual([ref(queueId)]);
  return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

const QUEUES = {
  JobsQueue: "jobs",
  JobsDeadLetterQueue: "jobs-dlq",
  ResultsQueue: "results",
  RecycleActionsQueue: "recycle-actions",
  RecycleActionsDeadLetterQueue: "recycle-actions-dlq",
  RetentionContinuationsQueue: "retention-continuations",
  RetentionContinuationsDeadLetterQueue: "retention-continuations-dlq",
  RetentionScheduleDeadLetterQueue: "retention-schedule-dlq",
} as const;

/**
 * The queues topology.yml does not list: the retention schedule's dead-letter queue, which only
 * EventBridge and Lambda's asynchronous invocations write (the local stack has neither).
 */
const NOT_IN_TOPOLOGY: readonly string[] = ["retention-schedule-dlq"];

/** Each queue a Lambda consumes, and its dead-letter queue. */
const REDRIVEN = [
  ["JobsQueue", "JobsDeadLetterQueue", "jobs"],
  ["RecycleActionsQueue", "RecycleActionsDeadLetterQueue", "recycle-actions"],
  [
    "RetentionContinuationsQueue",
    "RetentionContinuationsDeadLetterQueue",
    "retention-continuations",
  ],
] as const;

/** The roles' ARNs, for evaluating policies that name them. */
const ROLE_ARNS = Object.fromEntries(
  FUNCTIONS.map((fn) => [`${fn.role}.Arn`, `arn:aws:iam::${ACCOUNT}:role/${fn.role}-test`]),
);

describe("serverless package: stage and region", () => {
  it("packages for the --region given, and names no region in the template (it uses AWS::Region)", () => {
    expect(packagedRegion).toBe(DEPLOY_REGION);
    expect(templateText).not.toMatch(/\b(ap|us|eu|sa|ca|me|af|il|mx|cn)-[a-z]+-\d\b/);
  });
});

describe("serverless package: queues", () => {
  it("creates the eight queues, named <service>-<stage>-<queue>", () => {
    const queues = Object.fromEntries(
      resourcesOfType("AWS::SQS::Queue").map(([id, r]) => [id, r.Properties.QueueName]),
    );
    expect(queues).toEqual(
      Object.fromEntries(
        Object.entries(QUEUES).map(([id, key]) => [id, `${SERVICE}-${STAGE}-${key}`]),
      ),
    );
  });

  it("encrypts every queue at rest", () => {
    for (const [id, queue] of resourcesOfType("AWS::SQS::Queue")) {
      const encrypted =
        queue.Properties.SqsManagedSseEnabled === true ||
        queue.Properties.KmsMasterKeyId !== undefined;
      expect(encrypted, `${id} is encrypted`).toBe(true);
    }
  });

  it.each(REDRIVEN)("dead-letters %s into %s after at least 5 receives", (source, dlq) => {
    const redrive = resource(source).Properties.RedrivePolicy as Record<string, unknown>;
    expect(redrive.deadLetterTargetArn).toEqual(getAtt(dlq));
    expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(5);
  });

  it.each(REDRIVEN.map(([, dlq, sourceKey]) => [dlq, sourceKey] as const))(
    "lets only its source queue use %s as a dead-letter queue",
    (dlq, sourceKey) => {
      const allow = resource(dlq).Properties.RedriveAllowPolicy as Record<string, unknown>;
      expect(allow.redrivePermission).toBe("byQueue");
      expect(evaluate(allow.sourceQueueArns)).toEqual([
        `arn:aws:sqs:${REGION}:${ACCOUNT}:${SERVICE}-${STAGE}-${sourceKey}`,
      ]);
    },
  );

  it("keeps dead letters and results (they carry restore handles) for 14 days", () => {
    for (const id of [
      "JobsDeadLetterQueue",
      "RecycleActionsDeadLetterQueue",
      "RetentionContinuationsDeadLetterQueue",
      "RetentionScheduleDeadLetterQueue",
      "ResultsQueue",
    ]) {
      expect(resource(id).Properties.MessageRetentionPeriod, id).toBe(FOURTEEN_DAYS);
    }
  });

  it("keeps a message in a dead-letter queue at least as long as in its source queue", () => {
    for (const [source] of REDRIVEN) {
      const redrive = resource(source).Properties.RedrivePolicy as Record<string, unknown>;
      const dlq = resource(getAttTarget(redrive.deadLetterTargetArn));
      expect(dlq.Properties.MessageRetentionPeriod as number).toBeGreaterThanOrEqual(
        resource(source).Properties.MessageRetentionPeriod as number,
      );
    }
  });

  it("gives every Lambda-consumed queue a visibility timeout of at least 6 × the function timeout", () => {
    const mappings = resourcesOfType("AWS::Lambda::EventSourceMapping");
    expect(mappings.length).toBeGreaterThan(0);
    for (const [id, mapping] of mappings) {
      const queue = resource(getAttTarget(mapping.Properties.EventSourceArn));
      const fn = resource(getAttTarget(mapping.Properties.FunctionName));
      expect(queue.Properties.VisibilityTimeout as number, id).toBeGreaterThanOrEqual(
        6 * (fn.Properties.Timeout as number),
      );
    }
  });

  it("sizes the retention continuation queue for its function's timeout, Lambda's longest", () => {
    expect(resource("RetentionContinuationsQueue").Properties.VisibilityTimeout).toBe(6 * 900);
    expect(resource("RetentionScanLambdaFunction").Properties.Timeout).toBe(900);
  });

  it("sizes the recycle-actions queue for its function's timeout", () => {
    expect(resource("RecycleActionsQueue").Properties.VisibilityTimeout).toBe(
      6 * (resource("RecycleActionsLambdaFunction").Properties.Timeout as number),
    );
  });
});

describe("serverless package: the topology is topology.yml's, as the local stack reads it", () => {
  const topology = readTopology();
  const idOf = (key: string) => {
    const found = Object.entries(QUEUES).find(([, queueKey]) => queueKey === key);
    if (!found) throw new Error(`topology.yml's queue ${key} is not one of the template's`);
    return found[0];
  };

  it("creates every queue of topology.yml with its timeouts, retention and redrive", () => {
    expect(topology.queues.map(({ key }) => key).sort()).toEqual(
      Object.values(QUEUES)
        .filter((key) => !NOT_IN_TOPOLOGY.includes(key))
        .sort(),
    );
    for (const queue of topology.queues) {
      const props = resource(idOf(queue.key)).Properties;
      expect(props.VisibilityTimeout, queue.key).toBe(queue.visibilityTimeoutSeconds);
      expect(props.MessageRetentionPeriod, queue.key).toBe(queue.messageRetentionSeconds);
      const redrive = props.RedrivePolicy as Record<string, unknown> | undefined;
      expect(
        redrive && {
          key: QUEUES[getAttTarget(redrive.deadLetterTargetArn) as keyof typeof QUEUES],
          maxReceiveCount: redrive.maxReceiveCount,
        },
        queue.key,
      ).toEqual(queue.deadLetter);
    }
  });

  it("feeds every function from topology.yml's queue, with its batch, window, concurrency and timeout", () => {
    for (const mapping of topology.sqsFunctions) {
      const fn = FUNCTIONS.find(({ name }) => name === mapping.functionName);
      if (!fn) throw new Error(`topology.yml's ${mapping.functionName} is not in this test`);
      const [[, esm] = []] = resourcesOfType("AWS::Lambda::EventSourceMapping").filter(
        ([, m]) => getAttTarget(m.Properties.FunctionName) === fn.logicalId,
      );
      const props = (esm as Resource).Properties;
      expect(QUEUES[getAttTarget(props.EventSourceArn) as keyof typeof QUEUES]).toBe(
        mapping.queueKey,
      );
      expect(props.BatchSize, fn.name).toBe(mapping.batchSize);
      expect(props.MaximumBatchingWindowInSeconds ?? 0, fn.name).toBe(
        mapping.maximumBatchingWindowSeconds,
      );
      expect((props.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency).toBe(
        mapping.maximumConcurrency,
      );
      expect(resource(fn.logicalId).Properties.Timeout, fn.name).toBe(
        mapping.functionTimeoutSeconds,
      );
      expect(resource(fn.logicalId).Properties.Handler).toBe(mapping.handler);
    }
  });

  it("gives every function topology.yml's environment", () => {
    for (const fn of FUNCTIONS) {
      const env = (
        resource(fn.logicalId).Properties.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      for (const [name, value] of Object.entries(topology.environment)) {
        expect(String(env[name]), `${fn.name} ${name}`).toBe(value);
      }
      expect(env.POWERTOOLS_SERVICE_NAME).toBe(SERVICE);
    }
  });

  it("outputs the URL and the ARN of every queue", () => {
    for (const id of Object.keys(QUEUES)) {
      expect(template.Outputs[`${id}Url`]?.Value, `${id}Url`).toEqual(ref(id));
      expect(template.Outputs[`${id}Arn`]?.Value, `${id}Arn`).toEqual(getAtt(id));
    }
  });
});

describe.each(FUNCTIONS)("serverless package: the $name function", (fn: FunctionSpec) => {
  it("runs on nodejs24.x, arm64, with its own role and ESM handler", () => {
    const props = resource(fn.logicalId).Properties;
    expect(props.Runtime).toBe("nodejs24.x");
    expect(props.Architectures).toEqual(["arm64"]);
    expect(props.Handler).toBe(fn.bundle.replace(/\.mjs$/, ".handler"));
    expect(props.Role).toEqual(getAtt(fn.role));
    // No shared role that other functions would inherit.
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it("is fed by its own queue, reports per-record failures and has capped concurrency", () => {
    const mappings = resourcesOfType("AWS::Lambda::EventSourceMapping").filter(
      ([, m]) => getAttTarget(m.Properties.FunctionName) === fn.logicalId,
    );
    expect(mappings).toHaveLength(1);
    const [[, mapping]] = mappings as [[string, Resource]];
    const props = mapping.Properties;
    expect(props.EventSourceArn).toEqual(getAtt(fn.queue));
    // SQS: a batch size above 10 requires a batching window of at least 1 s.
    if ((props.BatchSize as number) > 10) {
      expect(props.MaximumBatchingWindowInSeconds as number).toBeGreaterThanOrEqual(1);
    }
    expect(props.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    const concurrency = (props.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency;
    expect(concurrency).toBeGreaterThanOrEqual(2);
    expect(concurrency).toBeLessThanOrEqual(1000);
  });

  it("gets the environment the pipeline reads", () => {
    const props = resource(fn.logicalId).Properties;
    const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.RESULTS_QUEUE_URL).toEqual(ref("ResultsQueue"));
    expect(env.SMH_BASE_URL).toBe("https://{libraryId}.api.tencentsmh.cn");
    expect(env.SMH_LIBRARY_SECRETS_SSM_PARAMETER).toBe(`/${SERVICE}/${STAGE}/library-secrets`);
    expect(env.SMH_POLICY).toBe(SMH_POLICY);
    expect(env.SMH_FLEET_TABLE).toEqual(ref("SmhFleetTable"));
    expect(env.LEDGER_BUCKET).toEqual(ref("LedgerBucket"));
    for (const name of [
      "SMH_USER_ID",
      "BATCH_DELETE_MIN_JOBS",
      "DELETE_CONCURRENCY",
      "DEADLINE_MARGIN_MS",
      "POWERTOOLS_SERVICE_NAME",
      "POWERTOOLS_METRICS_NAMESPACE",
      "POWERTOOLS_LOG_LEVEL",
    ]) {
      expect(typeof env[name], name).toBe("string");
    }
    for (const name of ["BATCH_DELETE_MIN_JOBS", "DELETE_CONCURRENCY", "DEADLINE_MARGIN_MS"]) {
      expect(env[name], name).toMatch(/^[1-9]\d*$/);
    }
    // The retry budget and the parking delays (lib/batch/parking.ts), and where work is parked.
    expect(env.MAX_SMH_ATTEMPTS).toBe("5");
    expect(env.MAX_JOB_AGE_SECONDS).toBe("172800");
    expect(env.PARK_BASE_DELAY_SECONDS).toBe("30");
    expect(env.PARK_MAX_DELAY_SECONDS).toBe("900");
    expect(env.JOBS_QUEUE_URL).toEqual(ref("JobsQueue"));
    expect(env.JOBS_DLQ_URL).toEqual(ref("JobsDeadLetterQueue"));
    expect(env.RECYCLE_ACTIONS_QUEUE_URL).toEqual(ref("RecycleActionsQueue"));
    expect(env.RECYCLE_ACTIONS_DLQ_URL).toEqual(ref("RecycleActionsDeadLetterQueue"));
    // A job older than the age limit is given up well before its queue would drop it.
    const retention = resource(fn.queue).Properties.MessageRetentionPeriod as number;
    expect(Number(env.MAX_JOB_AGE_SECONDS)).toBeLessThanOrEqual(retention / 2);
  });

  it("reads the maxReceiveCount of its own queue, so its last receive is the one before the DLQ", () => {
    const props = resource(fn.logicalId).Properties;
    const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    const redrive = resource(fn.queue).Properties.RedrivePolicy as { maxReceiveCount: number };
    expect(env[fn.maxReceiveCountVariable]).toBe(String(redrive.maxReceiveCount));
  });

  it("is packaged as one ES module bundle under 1 MB, the AWS SDK inside (the tested version ships)", () => {
    const zip = zips.get(fn.name);
    expect(zip).toBeDefined();
    const { entries, bytes } = zip as { entries: ZipEntry[]; bytes: number };
    expect(bytes).toBeLessThan(MAX_ZIP_BYTES);
    const names = entries.map((entry) => entry.name);
    expect(names).toContain(fn.bundle);
    expect(names.filter((name) => name.includes("node_modules/"))).toEqual([]);
    const bundle = entries.find((e) => e.name === fn.bundle);
    // CommonJS dependencies in an ES module bundle need a require(): the banner provides it.
    expect(bundle?.data.toString("utf8").split("\n", 1)[0]).toContain("createRequire");
    const map = entries.find((e) => e.name === `${fn.bundle}.map`);
    const sources = (JSON.parse(map?.data.toString("utf8") ?? "{}") as { sources?: string[] })
      .sources;
    expect(sources?.some((source) => source.endsWith(fn.source))).toBe(true);
    // The AWS SDK is bundled: the version the tests ran is the version deployed.
    expect(sources?.some((source) => source.includes("node_modules/@aws-sdk/client-sqs/"))).toBe(
      true,
    );
  });
});

describe("serverless package: the fleet board's table", () => {
  it("is keyed as lib/fleet/dynamodb-board.ts writes it, billed per request, encrypted, and expires posts", () => {
    const table = resource("SmhFleetTable");
    expect(table.Type).toBe("AWS::DynamoDB::Table");
    const props = table.Properties;
    expect(props.TableName).toBe(`${SERVICE}-${STAGE}-smh-fleet`);
    expect(props.BillingMode).toBe("PAY_PER_REQUEST");
    expect(props.KeySchema).toEqual([
      { AttributeName: FLEET_TABLE_KEYS.partition, KeyType: "HASH" },
      { AttributeName: FLEET_TABLE_KEYS.sort, KeyType: "RANGE" },
    ]);
    expect(props.AttributeDefinitions).toEqual([
      { AttributeName: FLEET_TABLE_KEYS.partition, AttributeType: "S" },
      { AttributeName: FLEET_TABLE_KEYS.sort, AttributeType: "S" },
    ]);
    expect(props.TimeToLiveSpecification).toEqual({
      AttributeName: FLEET_TABLE_TTL_ATTRIBUTE,
      Enabled: true,
    });
    expect(props.SSESpecification).toEqual({ SSEEnabled: true });
  });
});

describe("serverless package: IAM", () => {
  it("grants no wildcard action; the only wildcard is osls's deny of plain-HTTP access to its deployment bucket", () => {
    const wildcards = allPolicyStatements().flatMap(({ owner, statements }) =>
      statements
        .filter((s) => actionsOf(s).some((action) => action.includes("*")) || "NotAction" in s)
        .map((s) => ({ owner, statement: s })),
    );
    expect(wildcards.map((w) => w.owner)).toEqual(["ServerlessDeploymentBucketPolicy"]);
    for (const { statement } of wildcards) {
      expect(statement.Effect).toBe("Deny");
      expect(statement.Condition).toEqual({ Bool: { "aws:SecureTransport": false } });
    }
  });

  it("allows wildcard resources only for the functions' log streams and the SSM key, narrowed by conditions", () => {
    const refs: Record<string, string> = {
      ...Object.fromEntries(
        FUNCTIONS.map((fn) => [
          fn.logGroup,
          resource(fn.logGroup).Properties.LogGroupName as string,
        ]),
      ),
      "LedgerBucket.Arn": LEDGER_BUCKET_ARN,
    };
    for (const { owner, statements } of allPolicyStatements()) {
      for (const statement of statements.filter((s) => s.Effect === "Allow")) {
        const resources = [evaluate(statement.Resource, refs)].flat();
        for (const arn of resources.filter((r) => typeof r === "string" && r.includes("*"))) {
          const ownFunction = FUNCTIONS.find((fn) => fn.role === owner);
          const isOwnLogStreams =
            ownFunction !== undefined &&
            arn ===
              `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${refs[ownFunction.logGroup]}:log-stream:*`;
          const isSsmKey =
            arn === `arn:aws:kms:${REGION}:${ACCOUNT}:key/*` &&
            statement.Condition?.StringEquals?.["kms:ViaService"] !== undefined &&
            statement.Condition?.StringEquals?.["kms:EncryptionContext:PARAMETER_ARN"] !==
              undefined;
          // The ledger: new objects under results/ only (each write's key is unique).
          const isLedgerResults =
            ownFunction !== undefined &&
            arn === `${LEDGER_BUCKET_ARN}/results/*` &&
            actionsOf(statement).join() === "s3:PutObject";
          expect(
            isOwnLogStreams || isSsmKey || isLedgerResults,
            `${owner} ${statement.Sid}: ${arn}`,
          ).toBe(true);
        }
      }
    }
  });

  it.each(FUNCTIONS)("gives $name exactly the rights it needs", (fn: FunctionSpec) => {
    const actions = new Set(roleStatements(fn.role).flatMap(actionsOf));
    expect([...actions].sort()).toEqual(
      [
        "dynamodb:PutItem",
        "dynamodb:Query",
        "kms:Decrypt",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "s3:PutObject",
        // The event source mapping's three: no handler changes a message's visibility.
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
        "sqs:SendMessage",
        // @middy/ssm reads with GetParameters only.
        "ssm:GetParameters",
      ].sort(),
    );
    for (const statement of roleStatements(fn.role)) {
      expect(statement.Effect).toBe("Allow");
    }
  });

  it.each(FUNCTIONS)(
    "lets $name send messages only to the queues it writes",
    (fn: FunctionSpec) => {
      const sending = roleStatements(fn.role).filter((s) =>
        actionsOf(s).includes("sqs:SendMessage"),
      );
      expect(sending.flatMap((s) => [s.Resource].flat())).toEqual(
        fn.sendsTo.map((id) => getAtt(id)),
      );
    },
  );

  it.each(FUNCTIONS)(
    "lets $name receive, delete and hide messages of its own queue only",
    (fn: FunctionSpec) => {
      const consuming = roleStatements(fn.role).filter((s) =>
        actionsOf(s).some((a) => a.startsWith("sqs:") && a !== "sqs:SendMessage"),
      );
      expect(consuming.flatMap((s) => [s.Resource].flat())).toEqual([getAtt(fn.queue)]);
    },
  );

  it.each(FUNCTIONS)(
    "lets $name post to and read the fleet board only: no scans, no deletes, no other table",
    (fn: FunctionSpec) => {
      const dynamodb = roleStatements(fn.role).filter((s) =>
        actionsOf(s).some((a) => a.startsWith("dynamodb:")),
      );
      expect(dynamodb.flatMap(actionsOf).sort()).toEqual(["dynamodb:PutItem", "dynamodb:Query"]);
      expect(dynamodb.flatMap((s) => [s.Resource].flat())).toEqual([getAtt("SmhFleetTable")]);
    },
  );

  it.each(FUNCTIONS)("lets $name write only to its own log group", (fn: FunctionSpec) => {
    const logs = roleStatements(fn.role).filter((s) =>
      actionsOf(s).some((a) => a.startsWith("logs:")),
    );
    const group = resource(fn.logGroup).Properties.LogGroupName as string;
    expect(group).toBe(`/aws/lambda/${SERVICE}-${STAGE}-${fn.name}`);
    expect(logs.flatMap((s) => [evaluate(s.Resource, { [fn.logGroup]: group })].flat())).toEqual([
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:*`,
    ]);
  });

  it.each(FUNCTIONS)(
    "lets $name read exactly one SSM parameter, and decrypt it only through SSM",
    (fn: FunctionSpec) => {
      const parameterArn = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${SERVICE}/${STAGE}/library-secrets`;
      const statements = roleStatements(fn.role);
      const ssm = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("ssm:")));
      expect(ssm.flatMap((s) => [evaluate(s.Resource)].flat())).toEqual([parameterArn]);

      const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("kms:")));
      expect(kms).toHaveLength(1);
      expect(actionsOf(kms[0] as Statement)).toEqual(["kms:Decrypt"]);
      expect(evaluate(kms[0]?.Condition)).toEqual({
        StringEquals: {
          "kms:ViaService": `ssm.${REGION}.amazonaws.com`,
          "kms:EncryptionContext:PARAMETER_ARN": parameterArn,
        },
      });
    },
  );

  it.each(FUNCTIONS)("lets only the Lambda service assume the $name role", (fn: FunctionSpec) => {
    const trust = resource(fn.role).Properties.AssumeRolePolicyDocument as {
      Statement: Statement[];
    };
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ]);
  });
});

describe("serverless package: who may use the queues", () => {
  /** Whether an IAM principal ARN may send, by the queue policy's SendMessage statements. */
  function maySend(statements: Statement[], principalArn: string): boolean {
    const sendStatements = statements.filter((s) => actionsOf(s).includes("sqs:SendMessage"));
    const denied = sendStatements.some((s) => {
      if (s.Effect !== "Deny" || s.Principal !== "*") return false;
      const notLike = evaluate(s.Condition?.ArnNotLike?.["aws:PrincipalArn"], ROLE_ARNS);
      if (notLike === undefined) return false;
      return ![notLike].flat().some((pattern) => arnLike(pattern as string, principalArn));
    });
    return !denied;
  }

  function expectTlsOnly(statements: Statement[], queueId: string) {
    const tls = statements.find(
      (s) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false",
    );
    expect(tls, `${queueId} denies plain HTTP`).toBeDefined();
    expect(tls?.Principal).toBe("*");
    expect(tls?.Resource).toEqual(getAtt(queueId));
    expect(actionsOf(tls as Statement)).toEqual(
      expect.arrayContaining(["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"]),
    );
    // SQS accepts at most 7 actions in one statement.
    expect(actionsOf(tls as Statement).length).toBeLessThanOrEqual(7);
  }

  it.each([["JobsQueue"], ["RecycleActionsQueue"]])(
    "%s accepts messages from the principals the stage names only (here the deploying account's)",
    (queueId) => {
      const statements = queuePolicyStatements(queueId);
      const allows = statements.filter((s) => s.Effect === "Allow");
      expect(allows).toHaveLength(1);
      expect(actionsOf(allows[0] as Statement)).toEqual(["sqs:SendMessage"]);
      expect(evaluate(allows[0]?.Principal)).toEqual({ AWS: [ACCOUNT_ROOT] });
      expect(allows[0]?.Resource).toEqual(getAtt(queueId));

      expect(maySend(statements, `arn:aws:iam::${ACCOUNT}:role/producer`)).toBe(true);
      expect(maySend(statements, ACCOUNT_ROOT)).toBe(true);
      expect(maySend(statements, "arn:aws:iam::999999999999:role/producer")).toBe(false);
      expectTlsOnly(statements, queueId);
    },
  );

  it("lets the retention scan send jobs whoever jobProducerPrincipals names, and no one else send continuations", () => {
    const retentionRole = ROLE_ARNS["RetentionScanRole.Arn"] as string;
    expect(maySend(queuePolicyStatements("JobsQueue"), retentionRole)).toBe(true);
    const continuations = queuePolicyStatements("RetentionContinuationsQueue");
    expect(continuations.filter((s) => s.Effect === "Allow")).toEqual([]);
    expect(maySend(continuations, retentionRole)).toBe(true);
    expect(maySend(continuations, ROLE_ARNS["DeleteDirectoriesRole.Arn"] as string)).toBe(false);
    expect(maySend(continuations, `arn:aws:iam::${ACCOUNT}:role/producer`)).toBe(false);
    expectTlsOnly(continuations, "RetentionContinuationsQueue");
  });

  it("narrows the jobs queue to the principals given as jobProducerPrincipals", () => {
    const deny = queuePolicyStatements("JobsQueue").find(
      (s) => s.Effect === "Deny" && s.Condition?.ArnNotLike !== undefined,
    );
    // The expression is built from one Fn::Sub of the param: put a configured list in its place.
    const configured = `arn:aws:iam::${ACCOUNT}:role/producer,arn:aws:iam::444455556666:root`;
    let substitutions = 0;
    const withConfigured = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(withConfigured);
      if (node === null || typeof node !== "object") return node;
      if ("Fn::Sub" in node) {
        substitutions += 1;
        return { "Fn::Sub": configured };
      }
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withConfigured(v)]));
    };
    const expression = withConfigured(deny?.Condition?.ArnNotLike?.["aws:PrincipalArn"]);
    expect(substitutions).toBe(1);
    const patterns = evaluate(expression, ROLE_ARNS) as string[];
    const allowed = (arn: string) => patterns.some((pattern) => arnLike(pattern, arn));
    expect(allowed(`arn:aws:iam::${ACCOUNT}:role/producer`)).toBe(true);
    expect(allowed(`arn:aws:iam::${ACCOUNT}:role/someone-else`)).toBe(false);
    expect(allowed("arn:aws:iam::444455556666:role/anyone")).toBe(true);
    // The retention scan enqueues whatever the list says; deleteDirectories parks jobs.
    expect(allowed(ROLE_ARNS["RetentionScanRole.Arn"] as string)).toBe(true);
    expect(allowed(ROLE_ARNS["DeleteDirectoriesRole.Arn"] as string)).toBe(true);
    expect(allowed(ROLE_ARNS["RecycleActionsRole.Arn"] as string)).toBe(false);
  });

  it("lets the recycleActions role park commands on its queue, and no other function send there", () => {
    const statements = queuePolicyStatements("RecycleActionsQueue");
    expect(maySend(statements, ROLE_ARNS["RecycleActionsRole.Arn"] as string)).toBe(true);
    expect(maySend(statements, "arn:aws:iam::999999999999:role/RecycleActionsRole-test")).toBe(
      false,
    );
  });

  it("lets only the functions' roles write to the results queue, over TLS", () => {
    const statements = queuePolicyStatements("ResultsQueue");
    expect(statements.filter((s) => s.Effect === "Allow")).toEqual([]);
    const deny = statements.find((s) => s.Condition?.ArnNotLike !== undefined);
    expect(deny?.Effect).toBe("Deny");
    expect(actionsOf(deny as Statement)).toEqual(["sqs:SendMessage"]);
    expect(deny?.Condition?.ArnNotLike?.["aws:PrincipalArn"]).toEqual(
      FUNCTIONS.map((fn) => getAtt(fn.role)),
    );
    expectTlsOnly(statements, "ResultsQueue");
  });

  it.each([
    ["JobsDeadLetterQueue"],
    ["RecycleActionsDeadLetterQueue"],
    ["RetentionContinuationsDeadLetterQueue"],
  ])("%s is reachable over TLS only", (queueId) => {
    expectTlsOnly(queuePolicyStatements(queueId), queueId);
  });
});

describe("serverless package: the retention schedule", () => {
  it("fires the retentionScan function on the retentionSchedule, with the scheduled event itself", () => {
    const rules = resourcesOfType("AWS::Events::Rule");
    expect(rules).toHaveLength(1);
    const [[, rule]] = rules as [[string, Resource]];
    const [scheduled] = readTopology().scheduledFunctions;
    expect(scheduled?.functionName).toBe("retentionScan");
    expect(rule.Properties.ScheduleExpression).toBe(scheduled?.schedules[0]);
    expect(rule.Properties.State).toBe("ENABLED");
    const targets = rule.Properties.Targets as Record<string, unknown>[];
    expect(targets).toHaveLength(1);
    expect(targets[0]?.Arn).toEqual(getAtt("RetentionScanLambdaFunction"));
    // An Input would replace the event, whose time is the run's scheduled time.
    for (const replaced of ["Input", "InputPath", "InputTransformer"]) {
      expect(targets[0], replaced).not.toHaveProperty(replaced);
    }
  });

  it("grants no one else the right to invoke it while retentionInvokerRoles is empty", () => {
    const policies = resourcesOfType("AWS::IAM::ManagedPolicy");
    expect(policies.map(([id]) => id)).toEqual(["RetentionScanInvokePolicy"]);
    const [[, policy]] = policies as [[string, Resource & { Condition?: string }]];
    expect(policy.Condition).toBe("HasRetentionInvokerRoles");
    // CloudFormation creates it only when the condition holds: here it compares "" with "".
    const conditions = (template as unknown as { Conditions: Record<string, unknown> }).Conditions;
    expect(conditions.HasRetentionInvokerRoles).toEqual({
      "Fn::Not": [{ "Fn::Equals": ["", ""] }],
    });
  });

  it("lets EventBridge, and only that rule, invoke the function", () => {
    const permissions = resourcesOfType("AWS::Lambda::Permission").filter(
      ([, p]) => getAttTarget(p.Properties.FunctionName) === "RetentionScanLambdaFunction",
    );
    expect(permissions).toHaveLength(1);
    const [[, permission]] = permissions as [[string, Resource]];
    expect(permission.Properties.Principal).toBe("events.amazonaws.com");
    const [[ruleId]] = resourcesOfType("AWS::Events::Rule") as [[string, Resource]];
    expect(permission.Properties.SourceArn).toEqual(getAtt(ruleId));
  });

  it("packages the rules file with the function and tells it where: read and checked at cold start", () => {
    const env = (
      resource("RetentionScanLambdaFunction").Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(env.RETENTION_RULES_FILE).toBe(RULES_FILE);
    expect(env.JOBS_QUEUE_URL).toEqual(ref("JobsQueue"));
    expect(env.RETENTION_CONTINUATIONS_QUEUE_URL).toEqual(ref("RetentionContinuationsQueue"));
    const entries = zips.get("retentionScan")?.entries ?? [];
    const packaged = entries.find((entry) => entry.name === RULES_FILE);
    expect(packaged?.data.toString("utf8")).toBe(readFileSync(join(REPO_ROOT, RULES_FILE), "utf8"));
    expect(() => loadRules(packaged?.data.toString("utf8") ?? "", RULES_FILE)).not.toThrow();
    // The other functions do not carry it.
    for (const other of ["deleteDirectories", "recycleActions"]) {
      expect(zips.get(other)?.entries.map((entry) => entry.name)).not.toContain(RULES_FILE);
    }
  });
});

describe("serverless package: where alarms go", () => {
  it("subscribes the alarmEmail and alarmHttpsEndpoint given, each only when set", () => {
    const subscriptions = Object.fromEntries(
      resourcesOfType("AWS::SNS::Subscription").map(([id, r]) => [
        id,
        {
          condition: (r as Resource & { Condition?: string }).Condition,
          topic: r.Properties.TopicArn,
          protocol: r.Properties.Protocol,
          endpoint: r.Properties.Endpoint,
        },
      ]),
    );
    expect(subscriptions).toEqual({
      AlarmEmailSubscription: {
        condition: "HasAlarmEmail",
        topic: ref("AlarmTopic"),
        protocol: "email",
        endpoint: ALARM_EMAIL,
      },
      AlarmHttpsSubscription: {
        condition: "HasAlarmHttpsEndpoint",
        topic: ref("AlarmTopic"),
        protocol: "https",
        endpoint: ALARM_HTTPS_ENDPOINT,
      },
    });
    // Set here, so CloudFormation creates both: each condition compares the value with "".
    const conditions = (template as unknown as { Conditions: Record<string, unknown> }).Conditions;
    expect(conditions.HasAlarmEmail).toEqual({ "Fn::Not": [{ "Fn::Equals": [ALARM_EMAIL, ""] }] });
    expect(conditions.HasAlarmHttpsEndpoint).toEqual({
      "Fn::Not": [{ "Fn::Equals": [ALARM_HTTPS_ENDPOINT, ""] }],
    });
  });
});

describe("serverless package: the deletion ledger", () => {
  const bucket = () => resource("LedgerBucket");
  const bucketRefs = { "LedgerBucket.Arn": LEDGER_BUCKET_ARN };

  it("keeps the ledger in a private, encrypted, versioned bucket, retained with the stack's removal", () => {
    const props = bucket().Properties;
    expect(bucket().Type).toBe("AWS::S3::Bucket");
    expect(props.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
      ],
    });
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props.VersioningConfiguration).toEqual({ Status: "Enabled" });
    expect(props.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }],
    });
    expect(bucket().DeletionPolicy).toBe("Retain");
    expect(bucket().UpdateReplacePolicy).toBe("Retain");
  });

  it("retains the results queue too: removing or replacing the stack keeps its undrained handles", () => {
    expect(resource("ResultsQueue").DeletionPolicy).toBe("Retain");
    expect(resource("ResultsQueue").UpdateReplacePolicy).toBe("Retain");
  });

  // What "a stack update which replaces nothing keeps the bucket and the queue" takes: the logical
  // IDs and the replacement-triggering properties of both must be those of the deployed stack
  // (retained-resources.json, the saved expectation), and both Retain policies must be set so that
  // even a replacement or a removal leaves the data in place. Changing either is then a decision
  // made by editing the expectation, never a side effect of a refactoring.
  it("keeps the ledger bucket and the results queue through an update: same logical IDs, nothing that forces a replacement", () => {
    const saved = JSON.parse(
      readFileSync(join(REPO_ROOT, "test/unit/deploy/retained-resources.json"), "utf8"),
    ) as {
      resources: Record<
        string,
        {
          Type: string;
          DeletionPolicy: string;
          UpdateReplacePolicy: string;
          replacedWhenChanged: Record<string, unknown>;
        }
      >;
    };
    for (const [id, expected] of Object.entries(saved.resources)) {
      const found = resource(id);
      expect(
        {
          Type: found.Type,
          DeletionPolicy: found.DeletionPolicy,
          UpdateReplacePolicy: found.UpdateReplacePolicy,
          replacedWhenChanged: Object.fromEntries(
            Object.keys(expected.replacedWhenChanged).map((name) => [
              name,
              found.Properties[name] ?? null,
            ]),
          ),
        },
        id,
      ).toEqual(expected);
    }
  });

  it("expires ledger objects after ledgerRetentionDays, at least the recycle bin's retention", () => {
    const rules = (
      bucket().Properties.LifecycleConfiguration as {
        Rules: { Id: string; Prefix?: string; ExpirationInDays?: number; Status: string }[];
      }
    ).Rules;
    const results = rules.find((rule) => rule.Prefix === "results/");
    expect(results).toMatchObject({ Status: "Enabled", ExpirationInDays: 400 });
    expect(results?.ExpirationInDays).toBeGreaterThanOrEqual(30);
    // Athena's query results are not the record: they go sooner.
    expect(rules.find((rule) => rule.Prefix === "athena/")?.ExpirationInDays).toBe(30);
  });

  it("denies plain-HTTP access to the bucket and its objects, and result writes by anyone but the functions", () => {
    const policy = resource("LedgerBucketPolicy");
    expect(policy.Type).toBe("AWS::S3::BucketPolicy");
    expect(policy.Properties.Bucket).toEqual(ref("LedgerBucket"));
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const tls = statements.find((s) => s.Sid === "DenyInsecureTransport");
    expect(tls?.Effect).toBe("Deny");
    expect(tls?.Principal).toBe("*");
    expect(tls?.Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
    expect(evaluate(tls?.Resource, bucketRefs)).toEqual([
      LEDGER_BUCKET_ARN,
      `${LEDGER_BUCKET_ARN}/*`,
    ]);
    expect(actionsOf(tls as Statement)).toEqual(
      expect.arrayContaining(["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"]),
    );
    const writers = statements.find((s) => s.Sid === "DenyResultWritesFromAnyoneButTheFunctions");
    expect(writers).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:PutObject" });
    expect(evaluate(writers?.Resource, bucketRefs)).toBe(`${LEDGER_BUCKET_ARN}/results/*`);
    expect(writers?.Condition?.ArnNotLike?.["aws:PrincipalArn"]).toEqual(
      FUNCTIONS.map((fn) => getAtt(fn.role)),
    );
  });

  it.each(FUNCTIONS)(
    "lets $name write new ledger objects under results/ and do nothing else in S3",
    (fn: FunctionSpec) => {
      const s3 = roleStatements(fn.role).filter((s) =>
        actionsOf(s).some((action) => action.startsWith("s3:")),
      );
      expect(s3).toHaveLength(1);
      expect(actionsOf(s3[0] as Statement)).toEqual(["s3:PutObject"]);
      expect(evaluate(s3[0]?.Resource, bucketRefs)).toBe(`${LEDGER_BUCKET_ARN}/results/*`);
    },
  );

  it("describes the ledger to Athena: JSON lines, gzip, partitions projected from the key layout", () => {
    const database = resource("LedgerDatabase");
    expect(database.Type).toBe("AWS::Glue::Database");
    expect(evaluate((database.Properties.DatabaseInput as { Name: unknown }).Name)).toBe(
      `smh_batch_cleaner_${STAGE}_ledger`,
    );
    const table = resource("LedgerTable");
    expect(table.Properties.DatabaseName).toEqual(ref("LedgerDatabase"));
    const input = table.Properties.TableInput as {
      Name: string;
      TableType: string;
      Parameters: Record<string, unknown>;
      PartitionKeys: { Name: string; Type: string }[];
      StorageDescriptor: {
        SerdeInfo: { SerializationLibrary: string };
        Columns: { Name: string; Type: string }[];
      };
    };
    expect(input.TableType).toBe("EXTERNAL_TABLE");
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
      "org.openx.data.jsonserde.JsonSerDe",
    );
    expect(input.PartitionKeys).toEqual([
      { Name: "kind", Type: "string" },
      { Name: "day", Type: "string" },
    ]);
    const params = input.Parameters;
    expect(params["projection.enabled"]).toBe("true");
    expect(params["projection.kind.type"]).toBe("enum");
    expect(String(params["projection.kind.values"]).split(",")).toEqual([...LEDGER_KINDS]);
    expect(params["projection.day.type"]).toBe("date");
    expect(params["projection.day.format"]).toBe("yyyy-MM-dd");
    // The template is the writers' layout: the prefix of one kind's objects of one day.
    expect(JSON.stringify(params["storage.location.template"])).toContain(
      JSON.stringify(ref("LedgerBucket")),
    );
    const joined = (params["storage.location.template"] as { "Fn::Join": [string, unknown[]] })[
      "Fn::Join"
    ][1]
      .map((part) => (typeof part === "string" ? part : "<bucket>"))
      .join("");
    const kindPlaceholder = "$" + "{kind}";
    const dayPlaceholder = "$" + "{day}";
    expect(joined).toBe(
      `s3://<bucket>/${ledgerDayPrefix("deletion", dayPlaceholder).replace("deletion", kindPlaceholder)}`,
    );
    // The columns a query needs to answer "what did plan P delete, and what is still restorable".
    const columns = input.StorageDescriptor.Columns.map(({ Name }) => Name);
    for (const name of [
      "dedupkey",
      "planid",
      "outcome",
      "recycleditemid",
      "libraryid",
      "spaceid",
    ]) {
      expect(columns, name).toContain(name);
    }
  });

  it("has an Athena workgroup writing query results under athena/ in the bucket, its settings enforced", () => {
    const workgroup = resource("LedgerWorkGroup");
    expect(workgroup.Type).toBe("AWS::Athena::WorkGroup");
    const config = workgroup.Properties.WorkGroupConfiguration as {
      EnforceWorkGroupConfiguration: boolean;
      ResultConfiguration: { OutputLocation: unknown; EncryptionConfiguration: unknown };
    };
    expect(config.EnforceWorkGroupConfiguration).toBe(true);
    expect(config.ResultConfiguration.OutputLocation).toEqual({
      "Fn::Join": ["", ["s3://", ref("LedgerBucket"), "/athena/"]],
    });
    expect(config.ResultConfiguration.EncryptionConfiguration).toEqual({
      EncryptionOption: "SSE_S3",
    });
  });
});
