/**
 * The queue topology of `topology.yml`, read for the local stack: the queues, the functions they
 * feed and the environment every function gets.
 *
 * `topology.yml` is the one source of truth for these: `serverless.yml` takes every value from it
 * (`${self:custom.topology.…}`, resolved by osls), and the local stack creates the same queues from
 * what this module returns. The file is plain data — no osls variables, no CloudFormation tags —
 * so reading it is parsing YAML and checking it with a schema; nothing of osls is re-implemented.
 * A file that breaks the schema, or the rules SQS and Lambda would enforce once deployed (a
 * visibility timeout under 6 × its function's timeout, a dead-letter queue that keeps messages
 * for less time than its source), throws {@link TopologyError} naming the property.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import * as z from "zod";

/** One SQS queue of the stack. */
export interface QueueDefinition {
  /** The queue name without the `<service>-<stage>-` prefix: `jobs`, `jobs-dlq`, `results`, … */
  key: string;
  visibilityTimeoutSeconds: number;
  messageRetentionSeconds: number;
  /** Where messages go after `maxReceiveCount` receives (the key of another queue here). */
  deadLetter?: { key: string; maxReceiveCount: number };
}

/** One function fed by an SQS event source mapping. */
export interface SqsEventMapping {
  /** The function's key under `functions:`, e.g. `deleteDirectories`. */
  functionName: string;
  /** `<module path>.<export>`, e.g. `handlers/delete-directories.handler`. */
  handler: string;
  /** Key of the queue it consumes. */
  queueKey: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  /** Always true: every mapping reports partial batch failures (`ReportBatchItemFailures`). */
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
  functionTimeoutSeconds: number;
}

/** One function run on a schedule (an EventBridge `schedule` event). */
export interface ScheduledFunction {
  /** The function's key under `functions:`, e.g. `retentionScan`. */
  functionName: string;
  /** `<module path>.<export>`, e.g. `handlers/retention-scan.handler`. */
  handler: string;
  /** Its schedule expression (`cron(0 2 * * ? *)`) by default; a deployment may set another. */
  schedules: string[];
  functionTimeoutSeconds: number;
}

/** One function of the stack, whatever triggers it. */
export interface FunctionDefinition {
  /** The function's key under `functions:`, e.g. `deleteDirectories`. */
  functionName: string;
  /** `<module path>.<export>`, e.g. `handlers/delete-directories.handler`. */
  handler: string;
  functionTimeoutSeconds: number;
}

/** What {@link readTopology} returns. */
export interface Topology {
  /** Every function, in file order. */
  functions: FunctionDefinition[];
  queues: QueueDefinition[];
  sqsFunctions: SqsEventMapping[];
  /**
   * Functions with a schedule. The local stack invokes them on demand (`stack.invokeScheduled`)
   * with the event EventBridge would send.
   */
  scheduledFunctions: ScheduledFunction[];
  /** The environment every function gets whatever the deployment (values as strings). */
  environment: Record<string, string>;
}

/** topology.yml could not be read; the message names the property. */
export class TopologyError extends Error {
  override readonly name = "TopologyError";
}

/** The repository's topology.yml. */
export const DEFAULT_TOPOLOGY_PATH = fileURLToPath(new URL("../../topology.yml", import.meta.url));

const integer = (min: number, max: number) => z.int().min(min).max(max);
const queueKey = z.string().regex(/^[a-z0-9-]{1,60}$/, "expected a queue key like jobs-dlq");
const handler = z.string().regex(/^[^\s]+\.[A-Za-z_$][\w$]*$/, "expected <file path>.<export>");

const QueueSchema = z.strictObject({
  visibilityTimeoutSeconds: integer(0, 43_200),
  messageRetentionSeconds: integer(60, 1_209_600),
  deadLetter: z.strictObject({ queue: queueKey, maxReceiveCount: integer(1, 1000) }).optional(),
});

const FunctionSchema = z.strictObject({
  handler,
  timeoutSeconds: integer(1, 900),
  schedule: z
    .string()
    .regex(/^(rate|cron)\(.+\)$/, "expected an EventBridge rate(...) or cron(...) expression")
    .optional(),
  sqs: z
    .strictObject({
      queue: queueKey,
      batchSize: integer(1, 10_000),
      maximumBatchingWindowSeconds: integer(0, 300).default(0),
      maximumConcurrency: integer(2, 1000).optional(),
    })
    .optional(),
});

const TopologySchema = z
  .strictObject({
    queues: z.record(queueKey, QueueSchema),
    functions: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/), FunctionSchema),
    environment: z.record(
      z.string().regex(/^[A-Z][A-Z0-9_]*$/),
      z.union([z.string(), z.number(), z.boolean()]).transform(String),
    ),
  })
  .superRefine((topology, ctx) => {
    const queues = topology.queues;
    for (const [key, queue] of Object.entries(queues)) {
      if (queue.deadLetter === undefined) continue;
      const target = queues[queue.deadLetter.queue];
      const path = ["queues", key, "deadLetter", "queue"];
      if (target === undefined) {
        ctx.addIssue({ code: "custom", path, message: "names no queue of this file" });
      } else if (target.messageRetentionSeconds < queue.messageRetentionSeconds) {
        // A dead-lettered message keeps its original enqueue time: a shorter DLQ retention loses it.
        ctx.addIssue({
          code: "custom",
          path,
          message: `dead-letter queue "${queue.deadLetter.queue}" keeps messages for less time than "${key}"`,
        });
      }
    }
    for (const [name, fn] of Object.entries(topology.functions)) {
      if (fn.sqs === undefined) continue;
      const path = ["functions", name, "sqs"];
      const queue = queues[fn.sqs.queue];
      if (queue === undefined) {
        ctx.addIssue({ code: "custom", path: [...path, "queue"], message: "names no queue" });
      } else if (queue.visibilityTimeoutSeconds < 6 * fn.timeoutSeconds) {
        ctx.addIssue({
          code: "custom",
          path: [...path, "queue"],
          message: `queue "${fn.sqs.queue}" has a visibility timeout of ${queue.visibilityTimeoutSeconds} s, below 6 × the ${fn.timeoutSeconds} s timeout of ${name}`,
        });
      }
      if (fn.sqs.batchSize > 10 && fn.sqs.maximumBatchingWindowSeconds < 1) {
        ctx.addIssue({
          code: "custom",
          path,
          message: "a batch size above 10 needs a batching window of at least 1 s",
        });
      }
    }
  });

/**
 * Parses and checks topology.yml's text. Throws {@link TopologyError} naming every problem.
 *
 * @example
 * const { queues } = parseTopology(readFileSync("topology.yml", "utf8"));
 */
export function parseTopology(text: string, source = "topology.yml"): Topology {
  let document: unknown;
  try {
    // No custom tags: a CloudFormation tag (!Ref) or any other is an error here, not a string.
    document = parse(text, { prettyErrors: true });
  } catch (error) {
    throw new TopologyError(`${source} is not valid YAML: ${(error as Error).message}`);
  }
  const variable = JSON.stringify(document ?? null).match(/\$\{[^}]*\}/)?.[0];
  if (variable !== undefined) {
    throw new TopologyError(
      `${source} must hold plain values, not osls variables: found ${variable} (serverless.yml reads this file; put deployment-dependent values there)`,
    );
  }
  const parsed = TopologySchema.safeParse(document);
  if (!parsed.success) {
    throw new TopologyError(`${source} is not a valid topology: ${z.prettifyError(parsed.error)}`);
  }
  const { queues, functions, environment } = parsed.data;
  const entries = Object.entries(functions);
  return {
    functions: entries.map(([functionName, fn]) => ({
      functionName,
      handler: fn.handler,
      functionTimeoutSeconds: fn.timeoutSeconds,
    })),
    queues: Object.entries(queues).map(([key, queue]) => ({
      key,
      visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
      messageRetentionSeconds: queue.messageRetentionSeconds,
      ...(queue.deadLetter
        ? {
            deadLetter: {
              key: queue.deadLetter.queue,
              maxReceiveCount: queue.deadLetter.maxReceiveCount,
            },
          }
        : {}),
    })),
    sqsFunctions: entries.flatMap(([functionName, fn]) =>
      fn.sqs === undefined
        ? []
        : [
            {
              functionName,
              handler: fn.handler,
              queueKey: fn.sqs.queue,
              batchSize: fn.sqs.batchSize,
              maximumBatchingWindowSeconds: fn.sqs.maximumBatchingWindowSeconds,
              reportBatchItemFailures: true,
              ...(fn.sqs.maximumConcurrency === undefined
                ? {}
                : { maximumConcurrency: fn.sqs.maximumConcurrency }),
              functionTimeoutSeconds: fn.timeoutSeconds,
            },
          ],
    ),
    scheduledFunctions: entries.flatMap(([functionName, fn]) =>
      fn.schedule === undefined
        ? []
        : [
            {
              functionName,
              handler: fn.handler,
              schedules: [fn.schedule],
              functionTimeoutSeconds: fn.timeoutSeconds,
            },
          ],
    ),
    environment,
  };
}

/**
 * Reads the repository's topology.yml (or `path`): what the local stack creates and runs.
 *
 * @example
 * const { queues } = readTopology();
 * queues.find((q) => q.key === "jobs")?.deadLetter; // { key: "jobs-dlq", maxReceiveCount: 5 }
 */
export function readTopology(path: string = DEFAULT_TOPOLOGY_PATH): Topology {
  return parseTopology(readFileSync(path, "utf8"), path);
}
