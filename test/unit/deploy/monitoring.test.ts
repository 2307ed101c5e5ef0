/**
 * What watches the deployment, in the template the documented CI command writes: docs/deployment.md's
 * "Packaging offline (CI)" command runs exactly as written, in a fresh copy of the repository; then
 * the alarm topic, every alarm (against the metrics the code really emits: the product's own are
 * produced here by the handlers' Powertools observers and compared with the alarm's namespace,
 * dimensions and name), the dashboard and the retention schedule's retry policy and dead-letter
 * queue are checked.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { powertoolsBatchFailures } from "../../../lib/observability/batch-observer.ts";
import { powertoolsDeleteObserver } from "../../../lib/observability/delete-observer.ts";
import { powertools } from "../../../lib/observability/lambda-handler.ts";
import { powertoolsRecycleObserver } from "../../../lib/observability/recycle-observer.ts";
import { powertoolsRetentionObserver } from "../../../lib/observability/retention-observer.ts";
import { smhEventMetrics } from "../../../lib/observability/smh-metrics.ts";
import { evaluate } from "./intrinsics.ts";
import {
  DEPLOYMENT_DOC,
  documentedCiCommand,
  REPO_ROOT,
  type TemplateResource as Resource,
  readTemplate,
  type Template,
  usePackagedService,
} from "./osls.ts";

let template: Template;
let packagedFiles: string[] = [];

usePackagedService({
  workDirPrefix: "smh-monitoring-template-",
  asDocumented: true,
  read: (packageDir) => {
    template = readTemplate(packageDir);
    packagedFiles = readdirSync(packageDir);
  },
});

/** serverless.yml's parameter defaults: the thresholds an alarm must carry. */
const PARAMS = (
  parse(readFileSync(join(REPO_ROOT, "serverless.yml"), "utf8"), { logLevel: "error" }) as {
    params: { default: Record<string, unknown> };
  }
).params.default;

const OPERATIONS_DOC = readFileSync(join(REPO_ROOT, "docs", "operations.md"), "utf8");

type Alarm = Resource & { Condition?: string };

function resource(id: string): Resource {
  const found = template.Resources[id];
  if (found === undefined) throw new Error(`the template has no ${id}`);
  return found;
}
const ofType = (type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const getAtt = (id: string, attribute = "Arn") => ({ "Fn::GetAtt": [id, attribute] });
const ref = (id: string) => ({ Ref: id });

function alarms(): [string, Alarm][] {
  return ofType("AWS::CloudWatch::Alarm");
}

/** The alarms on `namespace`/`metricName`. */
function alarmsOn(namespace: string, metricName: string): [string, Alarm][] {
  return alarms().filter(
    ([, a]) => a.Properties.Namespace === namespace && a.Properties.MetricName === metricName,
  );
}

/** The dead-letter queues of the stack: redrive targets, EventBridge's and Lambda's on-failure. */
function deadLetterQueues(): string[] {
  const found = new Set<string>();
  const target = (value: unknown) => (value as { "Fn::GetAtt"?: [string, string] })?.["Fn::GetAtt"];
  for (const [, r] of Object.entries(template.Resources)) {
    const redrive = target(
      (r.Properties?.RedrivePolicy as { deadLetterTargetArn?: unknown })?.deadLetterTargetArn,
    );
    if (redrive) found.add(redrive[0]);
    for (const t of (r.Properties?.Targets as { DeadLetterConfig?: { Arn: unknown } }[]) ?? []) {
      const dlq = target(t.DeadLetterConfig?.Arn);
      if (dlq) found.add(dlq[0]);
    }
    const onFailure = target(
      (r.Properties?.DestinationConfig as { OnFailure?: { Destination: unknown } })?.OnFailure
        ?.Destination,
    );
    if (onFailure) found.add(onFailure[0]);
  }
  return [...found].sort();
}

describe("the documented CI packaging command", () => {
  it("packages a fresh clone into the files docs/deployment.md names, one zip per function", () => {
    const command = documentedCiCommand();
    expect(command).toMatch(/^CI=true npx --no-install osls package /);
    // osls copies .serverless into --package: a directory inside it never finishes copying.
    expect(command).not.toMatch(/--package[= ]+\.?\/?\.serverless/);
    const doc = readFileSync(DEPLOYMENT_DOC, "utf8");
    const section = doc.split("## Packaging offline (CI)")[1]?.split(/\n## /)[0] ?? "";
    const named = [...new Set([...section.matchAll(/`([\w-]+\.(?:json|zip))`/g)].map((m) => m[1]))];
    for (const file of named) expect(packagedFiles, file).toContain(file);
    const zips = packagedFiles.filter((file) => file.endsWith(".zip")).sort();
    expect(named.filter((file) => file?.endsWith(".zip")).sort()).toEqual(zips);
    expect(zips).toHaveLength(ofType("AWS::Lambda::Function").length);
  });
});

describe("monitoring: the alarm topic", () => {
  it("is one SNS topic that only this account's CloudWatch alarms may publish to, over TLS", () => {
    expect(ofType("AWS::SNS::Topic").map(([id]) => id)).toEqual(["AlarmTopic"]);
    const policies = ofType("AWS::SNS::TopicPolicy");
    expect(policies).toHaveLength(1);
    const [[, policy]] = policies as [[string, Resource]];
    expect(policy.Properties.Topics).toEqual([ref("AlarmTopic")]);
    const statements = (
      policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }
    ).Statement;
    const allows = statements.filter((s) => s.Effect === "Allow");
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: ref("AlarmTopic"),
        Condition: { StringEquals: { "aws:SourceAccount": ref("AWS::AccountId") } },
      }),
    ]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    );
  });

  it("has no subscription unless alarmEmail or alarmHttpsEndpoint is set (both empty here)", () => {
    const conditions = (template as unknown as { Conditions: Record<string, unknown> }).Conditions;
    for (const [id, subscription] of ofType("AWS::SNS::Subscription")) {
      const condition = (subscription as Alarm).Condition;
      expect(condition, id).toMatch(/^HasAlarm/);
      expect(conditions[condition as string], id).toEqual({
        "Fn::Not": [{ "Fn::Equals": ["", ""] }],
      });
    }
    expect(PARAMS.alarmEmail).toBe("");
    expect(PARAMS.alarmHttpsEndpoint).toBe("");
  });
});

describe("monitoring: every alarm", () => {
  it("notifies the topic on ALARM and on OK, fires above a threshold from serverless.yml's params, and names its runbook", () => {
    const list = alarms();
    expect(list.length).toBe(25);
    const headings = new Set(
      [...OPERATIONS_DOC.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        (m[1] ?? "")
          .toLowerCase()
          .replace(/[^\w\- ]/g, "")
          .trim()
          .replace(/ /g, "-"),
      ),
    );
    for (const [id, alarm] of list) {
      const p = alarm.Properties;
      expect(p.AlarmActions, id).toEqual([ref("AlarmTopic")]);
      expect(p.OKActions, id).toEqual([ref("AlarmTopic")]);
      expect(p.ComparisonOperator, id).toBe("GreaterThanThreshold");
      expect(p.TreatMissingData, id).toBe("notBreaching");
      expect(p.Period, id).toBe(PARAMS.alarmPeriodSeconds);
      expect(typeof p.Threshold, id).toBe("number");
      expect(p.AlarmName, id).toMatch(/^smh-batch-cleaner-ci-[A-Za-z-]+$/);
      const anchor = String(p.AlarmDescription).match(
        /Runbook: docs\/operations\.md#([\w-]+)$/,
      )?.[1];
      expect(anchor, `${id} names its runbook`).toBeDefined();
      // The runbook's heading is the alarm's name (one for the three functions' alarms of a kind).
      const name = String(p.AlarmName).replace(/^smh-batch-cleaner-ci-/, "");
      expect(anchor, id).toBe(
        name.replace(/^(deleteDirectories|recycleActions|retentionScan)-/, "function-"),
      );
      expect(headings.has(anchor as string), `docs/operations.md has a heading #${anchor}`).toBe(
        true,
      );
    }
    const names = list.map(([, a]) => a.Properties.AlarmName);
    expect(new Set(names).size).toBe(names.length);
  });

  it("is in docs/operations.md's table of alarms, and the table has no other", () => {
    const table = OPERATIONS_DOC.split("## The alarms")[1]?.split(/\n## /)[0] ?? "";
    const documented = [...table.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]).sort();
    const deployed = [
      ...new Set(
        alarms().map(([, a]) =>
          String(a.Properties.AlarmName)
            .replace(/^smh-batch-cleaner-ci-/, "")
            .replace(/^(deleteDirectories|recycleActions|retentionScan)-/, "<function>-"),
        ),
      ),
    ].sort();
    expect(documented).toEqual(deployed);
  });

  it("watches the depth of every dead-letter queue of the stack: any message is an alarm", () => {
    const dlqs = deadLetterQueues();
    expect(dlqs).toEqual([
      "JobsDeadLetterQueue",
      "RecycleActionsDeadLetterQueue",
      "RetentionContinuationsDeadLetterQueue",
      "RetentionScheduleDeadLetterQueue",
    ]);
    const watched = alarmsOn("AWS/SQS", "ApproximateNumberOfMessagesVisible");
    expect(watched).toHaveLength(dlqs.length);
    for (const dlq of dlqs) {
      const found = watched.filter(
        ([, a]) =>
          JSON.stringify(a.Properties.Dimensions) ===
          JSON.stringify([{ Name: "QueueName", Value: getAtt(dlq, "QueueName") }]),
      );
      expect(found, dlq).toHaveLength(1);
      const [[, alarm]] = found as [[string, Alarm]];
      expect(alarm.Properties.Statistic).toBe("Maximum");
      expect(alarm.Properties.Threshold).toBe(PARAMS.alarmDeadLetterQueueDepthThreshold);
      expect(alarm.Properties.Threshold).toBe(0);
    }
  });

  it.each([
    ["JobsQueue", "alarmJobsQueueAgeSeconds"],
    ["RecycleActionsQueue", "alarmRecycleActionsQueueAgeSeconds"],
    ["ResultsQueue", "alarmResultsQueueAgeSeconds"],
  ])("watches the age of the oldest message of %s (threshold %s)", (queue, param) => {
    const found = alarmsOn("AWS/SQS", "ApproximateAgeOfOldestMessage").filter(
      ([, a]) =>
        JSON.stringify(a.Properties.Dimensions) ===
        JSON.stringify([{ Name: "QueueName", Value: getAtt(queue, "QueueName") }]),
    );
    expect(found).toHaveLength(1);
    const [[, alarm]] = found as [[string, Alarm]];
    expect(alarm.Properties.Statistic).toBe("Maximum");
    expect(alarm.Properties.Threshold).toBe(PARAMS[param]);
    // Results expire after the queue's retention: the alarm must come well before.
    expect(alarm.Properties.Threshold as number).toBeLessThan(
      (resource(queue).Properties.MessageRetentionPeriod as number) / 2,
    );
  });

  it.each([
    ["Errors", "alarmFunctionErrorsThreshold"],
    ["Throttles", "alarmFunctionThrottlesThreshold"],
  ])("watches the %s of every function", (metric, param) => {
    const functions = ofType("AWS::Lambda::Function").map(([id]) => id);
    expect(functions).toHaveLength(3);
    const watched = alarmsOn("AWS/Lambda", metric);
    expect(
      watched
        .map(([, a]) => a.Properties.Dimensions)
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual(functions.sort().map((id) => [{ Name: "FunctionName", Value: ref(id) }]));
    for (const [, alarm] of watched) {
      expect(alarm.Properties.Statistic).toBe("Sum");
      expect(alarm.Properties.Threshold).toBe(PARAMS[param]);
    }
  });
});

/**
 * What the handlers' Powertools observers write for each metric the alarms watch: the EMF record
 * (namespace, dimension sets and their values, metric names) the real code path produces, with
 * the environment the template gives the functions.
 */
interface Emf {
  namespace: string;
  dimensionSets: string[][];
  values: Record<string, unknown>;
  metricNames: string[];
}

const OUTCOME = { receiveCount: 5, acknowledged: true, deadLettered: true };
const SAMPLES: Record<string, (metrics: Metrics, logger: Logger) => void> = {
  JobsDeadLettered: (metrics, logger) =>
    powertoolsDeleteObserver(logger, metrics).outcome(
      { outcome: "failed", jobId: "j1", attempts: 5, error: "given up" } as never,
      OUTCOME as never,
    ),
  CommandItemsDeadLettered: (metrics, logger) =>
    powertoolsRecycleObserver(logger, metrics).outcome(
      { outcome: "failed", commandId: "c1", attempts: 5, error: "given up" } as never,
      OUTCOME as never,
    ),
  ResultsPublishFailures: (metrics, logger) =>
    powertoolsBatchFailures(logger, metrics).publishFailed({ count: 2, codes: ["Throttled"] }),
  JobsRetriedLater: (metrics, logger) =>
    powertoolsDeleteObserver(logger, metrics).retryLater({
      jobId: "j1",
      path: "albums/2019",
      libraryId: "lib1",
      spaceId: "s1",
      receiveCount: 1,
      reason: "circuit open",
      parkedForSeconds: 60,
      failedAttempts: 1,
    }),
  CommandsRetriedLater: (metrics, logger) =>
    powertoolsRecycleObserver(logger, metrics).retryLater({
      commandId: "c1",
      action: "restore",
      pendingItems: 2,
      libraryId: "lib1",
      spaceId: "s1",
      receiveCount: 1,
      reason: "circuit open",
      parkedForSeconds: 60,
      failedAttempts: 1,
    }),
  ParkingFailures: (metrics, logger) =>
    powertoolsBatchFailures(logger, metrics).forwardFailed({
      queue: "jobs",
      count: 2,
      codes: ["AccessDenied"],
    }),
  RetentionPublishFailures: (metrics, logger) =>
    powertoolsRetentionObserver(logger, metrics).publishFailed?.({
      queue: "jobs",
      unsent: 1,
      message: "refused",
    }),
  RetentionTriggersRefused: (metrics, logger) =>
    powertoolsRetentionObserver(logger, metrics).alert?.({
      alert: "trigger-refused",
      problem: "too-old",
      claimed: {},
      message: "refused",
    } as never),
  RetentionScansFailed: (metrics, logger) =>
    powertoolsRetentionObserver(logger, metrics).alert?.({
      alert: "scan-failed",
      planId: "p1",
      runId: "r1",
      message: "failed",
    } as never),
  RetentionCapBreaches: (metrics, logger) =>
    powertoolsRetentionObserver(logger, metrics).alert?.({
      alert: "cap-breach",
      planId: "p1",
      runId: "r1",
      message: "cap",
    } as never),
  SmhThrottles: (metrics, logger) =>
    smhEventMetrics(logger, metrics)({ type: "throttle", libraryId: "lib1" } as never),
  LedgerWriteFailures: (metrics, logger) =>
    powertoolsBatchFailures(logger, metrics).ledgerWriteFailed?.({
      kind: "deletion",
      count: 3,
      bucket: "ledger",
      error: "SlowDown",
      message: "Please reduce your request rate.",
    }),
};

/**
 * Metrics the alarms watch that no code emits yet, with who will (none today: the ledger's
 * `LedgerWriteFailures` landed with its sample above). Once one is emitted, a test fails until its
 * entry is replaced by a sample.
 */
const NOT_YET_EMITTED: Record<string, string> = {};

/** The product's alarms: the metric, its threshold parameter and its evaluation periods. */
const PRODUCT_ALARMS = [
  ["JobsDeadLettered", "alarmDeadLetteredThreshold", 1],
  ["CommandItemsDeadLettered", "alarmDeadLetteredThreshold", 1],
  ["ResultsPublishFailures", "alarmPublishFailuresThreshold", 1],
  ["RetentionPublishFailures", "alarmPublishFailuresThreshold", 1],
  ["RetentionTriggersRefused", "alarmRetentionProblemsThreshold", 1],
  ["RetentionScansFailed", "alarmRetentionProblemsThreshold", 1],
  ["RetentionCapBreaches", "alarmRetentionProblemsThreshold", 1],
  ["JobsRetriedLater", "alarmParkedThreshold", "alarmParkedPeriods"],
  ["CommandsRetriedLater", "alarmParkedThreshold", "alarmParkedPeriods"],
  ["ParkingFailures", "alarmPublishFailuresThreshold", 1],
  ["SmhThrottles", "alarmSmhThrottlesThreshold", "alarmSmhThrottlesPeriods"],
  ["LedgerWriteFailures", "alarmLedgerWriteFailuresThreshold", 1],
] as const;

const POWERTOOLS_VARIABLES = [
  "POWERTOOLS_SERVICE_NAME",
  "POWERTOOLS_METRICS_NAMESPACE",
  "POWERTOOLS_LOG_LEVEL",
] as const;
const savedEnv = Object.fromEntries(POWERTOOLS_VARIABLES.map((name) => [name, process.env[name]]));

describe("monitoring: the product's own metrics", () => {
  const emitted = new Map<string, Emf>();

  beforeAll(() => {
    // Every function gets the same Powertools environment (the template test checks it).
    const env = (
      resource("DeleteDirectoriesLambdaFunction").Properties.Environment as {
        Variables: Record<string, string>;
      }
    ).Variables;
    process.env.POWERTOOLS_SERVICE_NAME = env.POWERTOOLS_SERVICE_NAME;
    process.env.POWERTOOLS_METRICS_NAMESPACE = env.POWERTOOLS_METRICS_NAMESPACE;
    process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
    for (const [name, sample] of Object.entries(SAMPLES)) {
      const { logger, metrics } = powertools();
      sample(metrics, logger);
      const record = metrics.serializeMetrics() as unknown as Record<string, unknown> & {
        _aws: {
          CloudWatchMetrics: {
            Namespace: string;
            Dimensions: string[][];
            Metrics: { Name: string }[];
          }[];
        };
      };
      const [directive] = record._aws.CloudWatchMetrics;
      emitted.set(name, {
        namespace: directive?.Namespace ?? "",
        dimensionSets: directive?.Dimensions ?? [],
        values: record,
        metricNames: directive?.Metrics.map((m) => m.Name) ?? [],
      });
    }
  });

  afterAll(() => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it.each(PRODUCT_ALARMS)(
    "alarms on %s exactly as Powertools writes it (namespace, the service dimension), above %s",
    (metric, threshold, periods) => {
      const found = alarms().filter(([, a]) => a.Properties.MetricName === metric);
      expect(found).toHaveLength(1);
      const [[, alarm]] = found as [[string, Alarm]];
      expect(alarm.Properties.Statistic).toBe("Sum");
      expect(alarm.Properties.Threshold).toBe(PARAMS[threshold]);
      expect(alarm.Properties.EvaluationPeriods).toBe(
        typeof periods === "number" ? periods : PARAMS[periods],
      );
      if (metric in NOT_YET_EMITTED) {
        // Not emitted here yet: the alarm must at least read the namespace and dimension the
        // others do, which is what Powertools gives every metric of these handlers.
        const [reference] = [...emitted.values()];
        expect(alarm.Properties.Namespace).toBe(reference?.namespace);
        expect(alarm.Properties.Dimensions).toEqual([
          { Name: "service", Value: reference?.values.service },
        ]);
        return;
      }
      const emf = emitted.get(metric);
      expect(emf, `a sample emitting ${metric}`).toBeDefined();
      const { namespace, dimensionSets, values, metricNames } = emf as Emf;
      expect(metricNames).toContain(metric);
      expect(alarm.Properties.Namespace).toBe(namespace);
      // CloudWatch matches the exact dimension set: Powertools writes one, `service`.
      expect(dimensionSets).toEqual([["service"]]);
      expect(alarm.Properties.Dimensions).toEqual(
        (dimensionSets[0] ?? []).map((name) => ({ Name: name, Value: values[name] })),
      );
    },
  );

  it("has no alarm on a product metric nothing emits (but the one still landing, named)", () => {
    const custom = alarms().filter(([, a]) => !String(a.Properties.Namespace).startsWith("AWS/"));
    expect(custom.map(([, a]) => a.Properties.MetricName).sort()).toEqual(
      PRODUCT_ALARMS.map(([metric]) => metric).sort(),
    );
    const sources = readdirSync(join(REPO_ROOT, "lib"), { recursive: true })
      .map(String)
      .filter((file) => file.endsWith(".ts"))
      .map((file) => readFileSync(join(REPO_ROOT, "lib", file), "utf8"))
      .join("\n");
    for (const [metric, who] of Object.entries(NOT_YET_EMITTED)) {
      expect(
        sources.includes(`"${metric}"`),
        `${metric} is emitted now (${who}): replace its NOT_YET_EMITTED entry with a sample`,
      ).toBe(false);
    }
  });
});

describe("monitoring: the dashboard", () => {
  /** The dashboard body with its Fn::Sub references checked and replaced by readable values. */
  function dashboard(): {
    widgets: {
      type: string;
      properties: { title: string; metrics?: unknown[][]; alarms?: string[] };
    }[];
  } {
    const boards = ofType("AWS::CloudWatch::Dashboard");
    expect(boards).toHaveLength(1);
    const [[, board]] = boards as [[string, Resource]];
    const body = (board.Properties.DashboardBody as { "Fn::Sub": string })["Fn::Sub"];
    expect(typeof body).toBe("string");
    const replaced = body.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      if (name === "AWS::Region") return "ap-southeast-1";
      const [id, attribute] = name.split(".");
      const target = template.Resources[id as string];
      if (target === undefined)
        throw new Error(`the dashboard refers to ${name}, not in the stack`);
      if (attribute === "QueueName" && target.Type === "AWS::SQS::Queue") {
        return String(target.Properties.QueueName);
      }
      if (attribute === "Arn" && target.Type === "AWS::CloudWatch::Alarm") return `alarm:${id}`;
      if (attribute === undefined && target.Type === "AWS::Lambda::Function")
        return `function:${id}`;
      throw new Error(`the dashboard refers to ${name}, which it cannot use`);
    });
    return JSON.parse(replaced);
  }

  /** Every metric row, with "." (same as the row above) filled in. */
  function metricRows(): {
    title: string;
    namespace: string;
    name: string;
    dimensions: string[];
  }[] {
    return dashboard().widgets.flatMap((widget) => {
      let previous: unknown[] = [];
      return (widget.properties.metrics ?? []).map((row) => {
        const full = row.map((cell, i) => (cell === "." ? previous[i] : cell));
        previous = full;
        const plain = full.filter((cell) => typeof cell === "string") as string[];
        const [namespace = "", name = "", ...dimensions] = plain;
        return { title: widget.properties.title, namespace, name, dimensions };
      });
    });
  }

  const queueName = (id: string) => String(resource(id).Properties.QueueName);

  it("reads only metrics that exist: SQS by this stack's queues, Lambda by its functions, the product's as emitted", () => {
    const emittedNames = new Set(
      readdirSync(join(REPO_ROOT, "lib", "observability"))
        .filter((file) => file.endsWith(".ts"))
        .flatMap((file) =>
          [
            ...readFileSync(join(REPO_ROOT, "lib", "observability", file), "utf8").matchAll(
              /"([A-Z][A-Za-z]+)"/g,
            ),
          ].map((m) => m[1]),
        ),
    );
    const queues = new Set(
      ofType("AWS::SQS::Queue").map(([, q]) => String(q.Properties.QueueName)),
    );
    const [[, anyAlarm]] = alarmsOn("SmhBatchCleaner", "JobsDeadLettered") as [[string, Alarm]];
    const service = (anyAlarm.Properties.Dimensions as { Value: string }[])[0]?.Value;
    for (const row of metricRows()) {
      if (row.namespace === "AWS/SQS") {
        expect(row.dimensions[0]).toBe("QueueName");
        expect(queues.has(row.dimensions[1] as string), `${row.title}: ${row.dimensions[1]}`).toBe(
          true,
        );
      } else if (row.namespace === "AWS/Lambda") {
        expect(row.dimensions[0]).toBe("FunctionName");
        expect(row.dimensions[1], row.title).toMatch(/^function:\w+LambdaFunction$/);
      } else {
        expect(row.namespace, row.title).toBe("SmhBatchCleaner");
        expect(row.dimensions, `${row.title}: ${row.name}`).toEqual(["service", service]);
        const known = emittedNames.has(row.name) || row.name in NOT_YET_EMITTED;
        expect(known, `${row.title}: ${row.name} is emitted by lib/observability`).toBe(true);
      }
    }
  });

  it("shows what an operator looks at first", () => {
    const rows = metricRows();
    const has = (namespace: string, name: string, dimension?: string) =>
      rows.some(
        (row) =>
          row.namespace === namespace &&
          row.name === name &&
          (dimension === undefined || row.dimensions[1] === dimension),
      );
    // Jobs in, and results out by every outcome.
    expect(has("AWS/SQS", "NumberOfMessagesSent", queueName("JobsQueue"))).toBe(true);
    for (const outcome of [
      "JobsRecycled",
      "JobsDeleted",
      "JobsRecovered",
      "JobsAlreadyAbsent",
      "JobsRejected",
      "JobsFailed",
    ]) {
      expect(has("SmhBatchCleaner", outcome), outcome).toBe(true);
    }
    // Queue ages, unread results included.
    for (const queue of ["JobsQueue", "RecycleActionsQueue", "ResultsQueue"]) {
      expect(has("AWS/SQS", "ApproximateAgeOfOldestMessage", queueName(queue)), queue).toBe(true);
    }
    // SMH: requests, retries, 429s; work parked while SMH fails (or a circuit is open); parking
    // that failed; function duration (no per-request latency metric).
    for (const name of [
      "SmhRequests",
      "SmhRetries",
      "SmhThrottles",
      "JobsRetriedLater",
      "CommandsRetriedLater",
      "ParkingFailures",
    ]) {
      expect(has("SmhBatchCleaner", name), name).toBe(true);
    }
    // Errors and throttles of every function, its duration.
    for (const [id] of ofType("AWS::Lambda::Function")) {
      for (const metric of ["Errors", "Throttles", "Duration"]) {
        expect(has("AWS/Lambda", metric, `function:${id}`), `${id} ${metric}`).toBe(true);
      }
    }
    // Every dead-letter queue's depth.
    for (const dlq of deadLetterQueues()) {
      expect(has("AWS/SQS", "ApproximateNumberOfMessagesVisible", queueName(dlq)), dlq).toBe(true);
    }
  });

  it("lists every alarm's state", () => {
    const alarmWidgets = dashboard().widgets.filter((widget) => widget.type === "alarm");
    expect(alarmWidgets).toHaveLength(1);
    expect(alarmWidgets[0]?.properties.alarms?.slice().sort()).toEqual(
      alarms()
        .map(([id]) => `alarm:${id}`)
        .sort(),
    );
  });
});

describe("monitoring: the retention schedule's retries and dead-letter queue", () => {
  const DLQ = "RetentionScheduleDeadLetterQueue";

  it("retries delivering the scheduled event, then dead-letters it", () => {
    const rules = ofType("AWS::Events::Rule");
    expect(rules).toHaveLength(1);
    const [[ruleId, rule]] = rules as [[string, Resource]];
    expect(ruleId).toBe("RetentionScheduleRule");
    const [target] = rule.Properties.Targets as Record<string, unknown>[];
    expect(target?.Arn).toEqual(getAtt("RetentionScanLambdaFunction"));
    expect(target?.RetryPolicy).toEqual({
      MaximumRetryAttempts: PARAMS.retentionScheduleMaximumRetryAttempts,
      MaximumEventAgeInSeconds: PARAMS.retentionScheduleMaximumEventAgeSeconds,
    });
    expect(target?.DeadLetterConfig).toEqual({ Arn: getAtt(DLQ) });
    // EventBridge's limits.
    expect(PARAMS.retentionScheduleMaximumRetryAttempts as number).toBeLessThanOrEqual(185);
    expect(PARAMS.retentionScheduleMaximumEventAgeSeconds as number).toBeGreaterThanOrEqual(60);
    expect(PARAMS.retentionScheduleMaximumEventAgeSeconds as number).toBeLessThanOrEqual(86_400);
  });

  it("retries a scheduled run that failed, then sends it to the same queue", () => {
    const configs = ofType("AWS::Lambda::EventInvokeConfig");
    expect(configs).toHaveLength(1);
    const [[, config]] = configs as [[string, Resource]];
    expect(config.Properties.FunctionName).toEqual(ref("RetentionScanLambdaFunction"));
    expect(config.Properties.Qualifier).toBe("$LATEST");
    expect(config.Properties.MaximumRetryAttempts).toBe(PARAMS.retentionScanMaximumRetryAttempts);
    expect(PARAMS.retentionScanMaximumRetryAttempts as number).toBeLessThanOrEqual(2);
    expect(config.Properties.MaximumEventAgeInSeconds).toBe(
      PARAMS.retentionScheduleMaximumEventAgeSeconds,
    );
    // Each try may take the whole timeout: the retries must fit in the event's age.
    const timeout = resource("RetentionScanLambdaFunction").Properties.Timeout as number;
    expect(
      (1 + (PARAMS.retentionScanMaximumRetryAttempts as number)) * timeout,
    ).toBeLessThanOrEqual(PARAMS.retentionScheduleMaximumEventAgeSeconds as number);
    expect(config.Properties.DestinationConfig).toEqual({
      OnFailure: { Destination: getAtt(DLQ) },
    });
    // Lambda sends the failure record with the function's role.
    const role = resource("RetentionScanRole").Properties.Policies as {
      PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] };
    }[];
    const sends = role
      .flatMap((p) => p.PolicyDocument.Statement)
      .filter((s) => [s.Action].flat().includes("sqs:SendMessage"))
      .flatMap((s) => [s.Resource].flat());
    expect(sends).toContainEqual(getAtt(DLQ));
  });

  it("keeps what it receives 14 days, encrypted, and takes EventBridge's messages for this rule only", () => {
    const queue = resource(DLQ).Properties;
    expect(queue.MessageRetentionPeriod).toBe(14 * 24 * 60 * 60);
    expect(queue.SqsManagedSseEnabled).toBe(true);
    const policies = ofType("AWS::SQS::QueuePolicy").filter(([, p]) =>
      (p.Properties.Queues as unknown[]).some(
        (q) => JSON.stringify(q) === JSON.stringify(ref(DLQ)),
      ),
    );
    expect(policies).toHaveLength(1);
    const statements = (
      (policies[0] as [string, Resource])[1].Properties.PolicyDocument as {
        Statement: Record<string, unknown>[];
      }
    ).Statement;
    expect(statements.filter((s) => s.Effect === "Allow")).toEqual([
      {
        Sid: "AllowTheScheduleRuleToDeadLetter",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: getAtt(DLQ),
        Condition: { ArnEquals: { "aws:SourceArn": getAtt("RetentionScheduleRule") } },
      },
    ]);
    expect(
      statements.some(
        (s) =>
          s.Effect === "Deny" &&
          evaluate(s.Condition) !== undefined &&
          JSON.stringify(s.Condition) ===
            JSON.stringify({ Bool: { "aws:SecureTransport": "false" } }),
      ),
    ).toBe(true);
  });

  it("is in the stack's outputs", () => {
    expect(template.Outputs.RetentionScheduleDeadLetterQueueUrl?.Value).toEqual(ref(DLQ));
    expect(template.Outputs.RetentionScheduleDeadLetterQueueArn?.Value).toEqual(getAtt(DLQ));
    expect(template.Outputs.AlarmTopicArn?.Value).toEqual(ref("AlarmTopic"));
    expect(existsSync(join(REPO_ROOT, "docs", "operations.md"))).toBe(true);
  });
});
