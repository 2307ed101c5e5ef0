/**
 * The queues and SQS-triggered functions of `serverless.yml`, read for the local stack.
 *
 * `serverless.yml` is the single source of truth for queue names, timeouts, retention and redrive
 * settings: the local stack creates the same queues from what this module returns instead of
 * restating them. It resolves the subset of osls variables the file uses — `${self:…}`,
 * `${sls:stage}`, `${opt:stage|region}`, `${param:…}` (CLI-style overrides, then the stage's
 * params, then `params.default`), with `, 'fallback'` values — and the CloudFormation short tags.
 * Any other variable source, or a reference with no value, throws {@link ServerlessConfigError}
 * naming the property: a wrong queue setting must stop the local stack, not be guessed at.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type CollectionTag,
  parseDocument,
  type ScalarTag,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import * as z from "zod";

/** One SQS queue of the stack. */
export interface QueueDefinition {
  /** CloudFormation logical id, e.g. `JobsQueue`. */
  logicalId: string;
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
  /** As written in serverless.yml, e.g. `handlers/delete-directories.handler`. */
  handler: string;
  /** Key of the queue it consumes. */
  queueKey: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
  functionTimeoutSeconds: number;
}

/** One function run on a schedule (an EventBridge `schedule` event). */
export interface ScheduledFunction {
  /** The function's key under `functions:`, e.g. `retentionScan`. */
  functionName: string;
  /** As written in serverless.yml, e.g. `handlers/retention-scan.handler`. */
  handler: string;
  /** Its schedule expressions (`cron(0 2 * * ? *)`, `rate(1 day)`), as resolved for the stage. */
  schedules: string[];
  functionTimeoutSeconds: number;
}

/** What {@link readServerlessDefinitions} returns. */
export interface ServerlessDefinitions {
  service: string;
  queues: QueueDefinition[];
  sqsFunctions: SqsEventMapping[];
  /**
   * Functions with `schedule` events. The local stack invokes them on demand
   * (`stack.invokeScheduled`) with the event EventBridge would send; a schedule with an `input`
   * (which replaces that event) is refused, since the local invocation could not match it.
   */
  scheduledFunctions: ScheduledFunction[];
  /**
   * `provider.environment` (shared by every function), literal values only: entries that are
   * CloudFormation intrinsics (`!Ref ResultsQueue`) exist only once deployed and are left out.
   */
  environment: Record<string, string>;
  /**
   * Names of `provider.environment` entries left out of {@link environment} because they need a
   * `${param:…}` that has no value for this stage (e.g. `SMH_POLICY`, which every deployment passes
   * with `--param`). Pass them in `opts.params`, or set the variables yourself.
   */
  environmentWithoutValue: string[];
}

export interface ReadServerlessOptions {
  /** Like `--stage`; defaults to what `provider.stage` resolves to (`dev`). */
  stage?: string;
  /** Like `--region`, for `${opt:region}`. */
  region?: string;
  /** Like `--param='name=value'`: wins over the stage's and the default params. */
  params?: Record<string, string>;
}

/** serverless.yml could not be read into queue definitions; the message names the property. */
export class ServerlessConfigError extends Error {
  override readonly name = "ServerlessConfigError";
}

/** A `${param:…}` with no value for the stage and no fallback. */
class MissingParamError extends ServerlessConfigError {}

/** The repository's serverless.yml. */
export const DEFAULT_SERVERLESS_PATH = fileURLToPath(
  new URL("../../serverless.yml", import.meta.url),
);

// SQS defaults for attributes a queue leaves out (AWS::SQS::Queue documentation).
const SQS_DEFAULT_VISIBILITY_TIMEOUT = 30;
const SQS_DEFAULT_RETENTION = 345_600;
// osls defaults for an sqs event and a function.
const OSLS_DEFAULT_BATCH_SIZE = 10;
const OSLS_DEFAULT_TIMEOUT = 6;

/**
 * Reads the queues, the SQS-triggered functions and the literal environment from serverless.yml,
 * for one stage.
 *
 * @example
 * const { queues } = readServerlessDefinitions();
 * queues.find((q) => q.key === "jobs")?.deadLetter; // { key: "jobs-dlq", maxReceiveCount: 5 }
 */
export function readServerlessDefinitions(
  path: string = DEFAULT_SERVERLESS_PATH,
  opts: ReadServerlessOptions = {},
): ServerlessDefinitions {
  const resolver = new VariableResolver(
    parseServerlessYaml(readFileSync(path, "utf8"), path),
    opts,
  );
  const service = resolver.string(["service"]);
  const stage = resolver.stage();

  const queueKeys = readQueueKeys(resolver, `${service}-${stage}-`);
  const { environment, environmentWithoutValue } = readEnvironment(resolver);
  const parsed = definitionsSchema.safeParse({
    service,
    queues: readQueues(resolver, queueKeys),
    sqsFunctions: readSqsFunctions(resolver, queueKeys),
    scheduledFunctions: readScheduledFunctions(resolver),
    environment,
    environmentWithoutValue,
  });
  if (!parsed.success) {
    throw new ServerlessConfigError(
      `${path} (stage "${stage}") does not describe valid queues: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

/** Queue key by logical id, for every AWS::SQS::Queue of `resources`. */
class QueueKeys {
  readonly byLogicalId = new Map<string, string>();

  /** The key of the queue `{ "Fn::GetAtt": [id, "Arn"] }` points at; throws for anything else. */
  ofArn(reference: unknown, where: string): string {
    const id = getAttArnTarget(reference);
    const key = id === undefined ? undefined : this.byLogicalId.get(id);
    if (key === undefined) {
      throw new ServerlessConfigError(
        `${where} must be !GetAtt <queue>.Arn of a queue defined in resources; got ${JSON.stringify(reference)}`,
      );
    }
    return key;
  }
}

function readQueueKeys(resolver: VariableResolver, prefix: string): QueueKeys {
  const keys = new QueueKeys();
  const resources = asRecord(resolver.raw(["resources", "Resources"]) ?? {}, "resources.Resources");
  for (const [id, resource] of Object.entries(resources)) {
    if (asRecord(resource, `resources.Resources.${id}`).Type !== "AWS::SQS::Queue") continue;
    const name = resolver.string(["resources", "Resources", id, "Properties", "QueueName"]);
    if (!name.startsWith(prefix)) {
      throw new ServerlessConfigError(
        `resources.Resources.${id}.Properties.QueueName "${name}" does not start with "${prefix}"`,
      );
    }
    keys.byLogicalId.set(id, name.slice(prefix.length));
  }
  return keys;
}

/** The queues, unvalidated. */
function readQueues(resolver: VariableResolver, keys: QueueKeys): unknown[] {
  return [...keys.byLogicalId].map(([id, key]) => {
    const at = ["resources", "Resources", id, "Properties"];
    const redrive = resolver.value([...at, "RedrivePolicy"]);
    let deadLetter: unknown;
    if (redrive !== undefined) {
      const policy = asRecord(redrive, `${at.join(".")}.RedrivePolicy`);
      deadLetter = {
        key: keys.ofArn(policy.deadLetterTargetArn, `${id} RedrivePolicy.deadLetterTargetArn`),
        maxReceiveCount: policy.maxReceiveCount,
      };
    }
    return {
      logicalId: id,
      key,
      visibilityTimeoutSeconds:
        resolver.value([...at, "VisibilityTimeout"]) ?? SQS_DEFAULT_VISIBILITY_TIMEOUT,
      messageRetentionSeconds:
        resolver.value([...at, "MessageRetentionPeriod"]) ?? SQS_DEFAULT_RETENTION,
      ...(deadLetter === undefined ? {} : { deadLetter }),
    };
  });
}

/** One entry per `sqs` event of every function, unvalidated. */
function readSqsFunctions(resolver: VariableResolver, keys: QueueKeys): unknown[] {
  const functions = asRecord(resolver.raw(["functions"]) ?? {}, "functions");
  const providerTimeout = resolver.value(["provider", "timeout"]);
  const mappings: unknown[] = [];
  for (const functionName of Object.keys(functions)) {
    const at = ["functions", functionName];
    if (resolver.raw([...at, "environment"]) !== undefined) {
      throw new ServerlessConfigError(
        `functions.${functionName}.environment is not supported here: put environment variables in provider.environment, or teach lib/local/queue-definitions.ts to merge them`,
      );
    }
    const events = resolver.raw([...at, "events"]) ?? [];
    if (!Array.isArray(events)) {
      throw new ServerlessConfigError(`${at.join(".")}.events is not a list`);
    }
    events.forEach((event, index) => {
      const where = `${at.join(".")}.events[${index}].sqs`;
      if (asRecord(event, `${at.join(".")}.events[${index}]`).sqs === undefined) return;
      const sqs = resolver.value([...at, "events", index, "sqs"]);
      if (typeof sqs === "string") {
        throw new ServerlessConfigError(
          `${where} names a queue by ARN; the local stack can only create queues defined in resources (use arn: !GetAtt <queue>.Arn)`,
        );
      }
      const mapping = asRecord(sqs, where);
      mappings.push({
        functionName,
        handler: resolver.value([...at, "handler"]),
        queueKey: keys.ofArn(mapping.arn, `${where}.arn`),
        batchSize: mapping.batchSize ?? OSLS_DEFAULT_BATCH_SIZE,
        maximumBatchingWindowSeconds: mapping.maximumBatchingWindow ?? 0,
        reportBatchItemFailures: mapping.functionResponseType === "ReportBatchItemFailures",
        ...(mapping.maximumConcurrency === undefined
          ? {}
          : { maximumConcurrency: mapping.maximumConcurrency }),
        functionTimeoutSeconds:
          resolver.value([...at, "timeout"]) ?? providerTimeout ?? OSLS_DEFAULT_TIMEOUT,
      });
    });
  }
  return mappings;
}

/** One entry per function with `schedule` events, unvalidated. */
function readScheduledFunctions(resolver: VariableResolver): unknown[] {
  const functions = asRecord(resolver.raw(["functions"]) ?? {}, "functions");
  const providerTimeout = resolver.value(["provider", "timeout"]);
  const scheduled: unknown[] = [];
  for (const functionName of Object.keys(functions)) {
    const at = ["functions", functionName];
    const events = resolver.raw([...at, "events"]) ?? [];
    if (!Array.isArray(events)) continue;
    const schedules: unknown[] = [];
    events.forEach((event, index) => {
      if (asRecord(event, `${at.join(".")}.events[${index}]`).schedule === undefined) return;
      const where = `${at.join(".")}.events[${index}].schedule`;
      const schedule = resolver.value([...at, "events", index, "schedule"]);
      if (typeof schedule === "string") {
        schedules.push(schedule);
        return;
      }
      const settings = asRecord(schedule, where);
      for (const replaced of ["input", "inputPath", "inputTransformer"]) {
        if (settings[replaced] !== undefined) {
          throw new ServerlessConfigError(
            `${where}.${replaced} replaces the scheduled event, which the local stack cannot reproduce; trigger the function from the event's time instead`,
          );
        }
      }
      schedules.push(...[settings.rate].flat());
    });
    if (schedules.length === 0) continue;
    scheduled.push({
      functionName,
      handler: resolver.value([...at, "handler"]),
      schedules,
      functionTimeoutSeconds:
        resolver.value([...at, "timeout"]) ?? providerTimeout ?? OSLS_DEFAULT_TIMEOUT,
    });
  }
  return scheduled;
}

/** `provider.environment`'s literal values, and the names that wait for a deploy-time param. */
function readEnvironment(resolver: VariableResolver): {
  environment: Record<string, unknown>;
  environmentWithoutValue: string[];
} {
  const environment: Record<string, unknown> = {};
  const environmentWithoutValue: string[] = [];
  const names = Object.keys(
    asRecord(resolver.raw(["provider", "environment"]) ?? {}, "provider.environment"),
  );
  for (const name of names) {
    let value: unknown;
    try {
      value = resolver.value(["provider", "environment", name]);
    } catch (error) {
      if (!(error instanceof MissingParamError)) throw error;
      environmentWithoutValue.push(name);
      continue;
    }
    // Objects are CloudFormation intrinsics (!Ref ResultsQueue): values that exist once deployed.
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      environment[name] = String(value);
    }
  }
  return { environment, environmentWithoutValue };
}

// ---------------------------------------------------------------------------------------------
// Validation

// CloudFormation accepts numbers written as strings ("720"); so do we, but nothing else.
const integer = (min: number, max: number) =>
  z
    .union([z.number(), z.string().regex(/^\d+$/, "expected an integer").transform(Number)])
    .pipe(z.number().int().min(min).max(max));

const queueSchema = z.object({
  logicalId: z.string().min(1),
  key: z.string().min(1),
  visibilityTimeoutSeconds: integer(0, 43_200),
  messageRetentionSeconds: integer(60, 1_209_600),
  deadLetter: z.object({ key: z.string().min(1), maxReceiveCount: integer(1, 1000) }).optional(),
});

const sqsFunctionSchema = z.object({
  functionName: z.string().min(1),
  handler: z.string().regex(/^[^\s]+\.[A-Za-z_$][\w$]*$/, "expected <file path>.<export>"),
  queueKey: z.string().min(1),
  batchSize: integer(1, 10_000),
  maximumBatchingWindowSeconds: integer(0, 300),
  reportBatchItemFailures: z.boolean(),
  maximumConcurrency: integer(2, 1000).optional(),
  functionTimeoutSeconds: integer(1, 900),
});

const scheduledFunctionSchema = z.object({
  functionName: z.string().min(1),
  handler: z.string().regex(/^[^\s]+\.[A-Za-z_$][\w$]*$/, "expected <file path>.<export>"),
  schedules: z
    .array(
      z
        .string()
        .regex(/^(rate|cron)\(.+\)$/, "expected an EventBridge rate(...) or cron(...) expression"),
    )
    .min(1),
  functionTimeoutSeconds: integer(1, 900),
});

const definitionsSchema = z
  .object({
    service: z.string().min(1),
    queues: z.array(queueSchema),
    sqsFunctions: z.array(sqsFunctionSchema),
    scheduledFunctions: z.array(scheduledFunctionSchema),
    environment: z.record(z.string(), z.string()),
    environmentWithoutValue: z.array(z.string()),
  })
  .superRefine((defs, ctx) => {
    const byKey = new Map(defs.queues.map((queue) => [queue.key, queue]));
    if (byKey.size !== defs.queues.length) {
      ctx.addIssue({ code: "custom", path: ["queues"], message: "two queues have the same name" });
    }
    defs.queues.forEach((queue, index) => {
      if (queue.deadLetter === undefined) return;
      const target = byKey.get(queue.deadLetter.key);
      if (target !== undefined && target.messageRetentionSeconds < queue.messageRetentionSeconds) {
        // A dead-lettered message keeps its original enqueue time: a shorter DLQ retention loses it.
        ctx.addIssue({
          code: "custom",
          path: ["queues", index, "deadLetter"],
          message: `dead-letter queue "${target.key}" keeps messages for less time than "${queue.key}"`,
        });
      }
    });
    defs.sqsFunctions.forEach((fn, index) => {
      const queue = byKey.get(fn.queueKey);
      if (queue !== undefined && queue.visibilityTimeoutSeconds < 6 * fn.functionTimeoutSeconds) {
        ctx.addIssue({
          code: "custom",
          path: ["sqsFunctions", index],
          message: `queue "${queue.key}" has a visibility timeout of ${queue.visibilityTimeoutSeconds} s, below 6 × the ${fn.functionTimeoutSeconds} s timeout of ${fn.functionName}`,
        });
      }
      if (fn.batchSize > 10 && fn.maximumBatchingWindowSeconds < 1) {
        ctx.addIssue({
          code: "custom",
          path: ["sqsFunctions", index],
          message: `${fn.functionName}: a batch size above 10 needs a batching window of at least 1 s`,
        });
      }
    });
  });

// ---------------------------------------------------------------------------------------------
// YAML with CloudFormation short tags

// Short form → long form, as CloudFormation expands them.
const INTRINSICS = [
  "Base64",
  "Cidr",
  "FindInMap",
  "GetAZs",
  "ImportValue",
  "Join",
  "Select",
  "Split",
  "Sub",
  "If",
  "Equals",
  "Not",
  "And",
  "Or",
] as const;

const cloudFormationTags: (ScalarTag | CollectionTag)[] = [
  { tag: "!Ref", resolve: (value: string) => ({ Ref: value }) },
  { tag: "!Condition", resolve: (value: string) => ({ Condition: value }) },
  // !GetAtt Resource.Attribute splits at the first dot (attributes may contain dots).
  {
    tag: "!GetAtt",
    resolve: (value: string) => {
      const dot = value.indexOf(".");
      return { "Fn::GetAtt": dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    },
  },
  {
    tag: "!GetAtt",
    collection: "seq",
    resolve: (seq: YAMLSeq.Parsed | YAMLMap.Parsed) => ({ "Fn::GetAtt": seq.toJSON() }),
  },
  ...INTRINSICS.flatMap((name): (ScalarTag | CollectionTag)[] => [
    { tag: `!${name}`, resolve: (value: string) => ({ [`Fn::${name}`]: value }) },
    {
      tag: `!${name}`,
      collection: "seq",
      resolve: (seq: YAMLSeq.Parsed | YAMLMap.Parsed) => ({ [`Fn::${name}`]: seq.toJSON() }),
    },
    {
      tag: `!${name}`,
      collection: "map",
      resolve: (map: YAMLSeq.Parsed | YAMLMap.Parsed) => ({ [`Fn::${name}`]: map.toJSON() }),
    },
  ]),
];

function parseServerlessYaml(text: string, path: string): Record<string, unknown> {
  const doc = parseDocument(text, { customTags: cloudFormationTags, prettyErrors: true });
  // An unknown tag is only a warning to the yaml package; here it would silently drop meaning.
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) throw new ServerlessConfigError(`${path}: ${problem.message}`);
  return asRecord(doc.toJS({ maxAliasCount: 1000 }), path);
}

// ---------------------------------------------------------------------------------------------
// osls variables

type Path = readonly (string | number)[];

const VARIABLE_START = /^[a-z][a-zA-Z0-9]*:/;

/** Resolves the osls variables this repository's serverless.yml uses, lazily and memoised. */
class VariableResolver {
  readonly #config: Record<string, unknown>;
  readonly #opts: ReadServerlessOptions;
  readonly #resolved = new Map<string, unknown>();
  readonly #resolving = new Set<string>();
  #stage: string | undefined;

  constructor(config: Record<string, unknown>, opts: ReadServerlessOptions) {
    this.#config = config;
    this.#opts = opts;
  }

  /** The value at `path` as written (variables not resolved), or undefined. */
  raw(path: Path): unknown {
    let node: unknown = this.#config;
    for (const segment of path) {
      if (node === null || typeof node !== "object") return undefined;
      node = (node as Record<string | number, unknown>)[segment];
    }
    return node;
  }

  /** The value at `path` with every variable in it resolved, or undefined when absent. */
  value(path: Path): unknown {
    const id = path.join(".");
    if (this.#resolved.has(id)) return this.#resolved.get(id);
    if (this.#resolving.has(id)) {
      throw new ServerlessConfigError(`variable cycle through "${id}"`);
    }
    this.#resolving.add(id);
    try {
      const result = this.#deep(this.raw(path), id);
      this.#resolved.set(id, result);
      return result;
    } finally {
      this.#resolving.delete(id);
    }
  }

  string(path: Path): string {
    const value = this.value(path);
    if (typeof value !== "string" || value === "") {
      throw new ServerlessConfigError(`${path.join(".")} must be a non-empty string`);
    }
    return value;
  }

  stage(): string {
    if (this.#stage === undefined) {
      const configured = this.#opts.stage ?? this.value(["provider", "stage"]) ?? "dev";
      if (typeof configured !== "string" || !/^[a-zA-Z0-9-]+$/.test(configured)) {
        throw new ServerlessConfigError(
          `stage ${JSON.stringify(configured)} is not a valid stage name`,
        );
      }
      this.#stage = configured;
    }
    return this.#stage;
  }

  #deep(node: unknown, where: string): unknown {
    if (typeof node === "string") return this.#string(node, where);
    if (Array.isArray(node)) return node.map((item, i) => this.#deep(item, `${where}[${i}]`));
    if (node !== null && typeof node === "object") {
      return Object.fromEntries(
        Object.entries(node).map(([key, item]) => [key, this.#deep(item, `${where}.${key}`)]),
      );
    }
    return node;
  }

  /**
   * Resolves the variables of one string. A string that is exactly one variable takes that
   * variable's value whatever its type; otherwise values are interpolated. `${AWS::Region}` and
   * other CloudFormation `!Sub` placeholders are not osls variables and stay as they are.
   */
  #string(text: string, where: string): unknown {
    const parts: unknown[] = [];
    let literal = "";
    let index = 0;
    while (index < text.length) {
      const start = text.indexOf("${", index);
      if (start < 0) break;
      const end = matchingBrace(text, start, where);
      const body = text.slice(start + 2, end);
      literal += text.slice(index, start);
      if (VARIABLE_START.test(body)) {
        if (literal !== "") parts.push(literal);
        literal = "";
        parts.push(this.#variable(body, where));
      } else {
        literal += text.slice(start, end + 1);
      }
      index = end + 1;
    }
    literal += text.slice(index);
    if (literal !== "") parts.push(literal);
    if (parts.length === 1 && literal === "") return parts[0];
    return parts
      .map((part) => {
        if (typeof part === "string" || typeof part === "number" || typeof part === "boolean") {
          return String(part);
        }
        throw new ServerlessConfigError(`${where}: a variable inside "${text}" is not a string`);
      })
      .join("");
  }

  /** One `${source:address, fallback, …}` body: the first source with a value wins. */
  #variable(body: string, where: string): unknown {
    const sources = splitTopLevel(body, ",").map((source) => source.trim());
    for (const source of sources) {
      const value = this.#source(source, where);
      if (value !== undefined && value !== null) {
        return typeof value === "string" ? this.#string(value, where) : value;
      }
    }
    const message = `${where}: \${${body}} has no value for stage "${this.stage()}"`;
    throw sources.length === 1 && sources[0]?.startsWith("param:")
      ? new MissingParamError(`${message} (pass it as a param, like osls --param)`)
      : new ServerlessConfigError(message);
  }

  #source(source: string, where: string): unknown {
    const quoted = /^'([^']*)'$|^"([^"]*)"$/.exec(source);
    if (quoted !== null) return quoted[1] ?? quoted[2];
    if (/^-?\d+(\.\d+)?$/.test(source)) return Number(source);
    if (!VARIABLE_START.test(source)) {
      throw new ServerlessConfigError(
        `${where}: cannot read "${source}" as a variable or fallback value`,
      );
    }
    const colon = source.indexOf(":");
    const type = source.slice(0, colon);
    const address = this.#string(source.slice(colon + 1), where);
    if (typeof address !== "string") {
      throw new ServerlessConfigError(`${where}: the address of ${type}: is not a string`);
    }
    switch (type) {
      case "self":
        return this.value(address === "" ? [] : address.split("."));
      case "sls":
        if (address === "stage") return this.stage();
        break;
      case "opt":
        if (address === "stage") return this.#opts.stage;
        if (address === "region") return this.#opts.region;
        return undefined;
      case "param":
        return this.#param(address);
    }
    throw new ServerlessConfigError(
      `${where}: \${${source}} is not supported by lib/local/queue-definitions.ts (it reads self:, sls:stage, opt:stage, opt:region and param:)`,
    );
  }

  #param(name: string): unknown {
    const cli = this.#opts.params?.[name];
    if (cli !== undefined) return cli;
    const stage = this.stage();
    for (const scope of [stage, "default"]) {
      const value = this.raw(["params", scope, name]);
      if (value !== undefined && value !== null) return this.value(["params", scope, name]);
    }
    return undefined;
  }
}

/** Index of the `}` closing the `${` at `start`, counting nested `${…}` and skipping quotes. */
function matchingBrace(text: string, start: number, where: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = start; i < text.length; i += 1) {
    const char = text[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if ((char === "'" || char === '"') && depth > 0) {
      quote = char;
    } else if (char === "$" && text[i + 1] === "{") {
      depth += 1;
      i += 1;
    } else if (char === "}") {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new ServerlessConfigError(`${where}: unclosed "\${" in "${text}"`);
}

/** Splits on `separator` outside quotes and nested `${…}`. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let from = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === "$" && text[i + 1] === "{") {
      depth += 1;
      i += 1;
    } else if (char === "}") {
      depth -= 1;
    } else if (char === separator && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts;
}

/** The logical id of `{ "Fn::GetAtt": [id, "Arn"] }`, else undefined. */
function getAttArnTarget(reference: unknown): string | undefined {
  if (reference === null || typeof reference !== "object") return undefined;
  const getAtt = (reference as Record<string, unknown>)["Fn::GetAtt"];
  if (!Array.isArray(getAtt) || getAtt.length !== 2 || getAtt[1] !== "Arn") return undefined;
  return typeof getAtt[0] === "string" ? getAtt[0] : undefined;
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ServerlessConfigError(`${where} must be a mapping`);
  }
  return value as Record<string, unknown>;
}
