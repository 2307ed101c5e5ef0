/**
 * A fault-injecting SQS proxy on loopback: it forwards every request to an SQS-compatible endpoint
 * (fauxqs) and hands back its answer, except that it can make calls fail the ways SQS does:
 *
 * - **partial batch failure**: a `SendMessageBatch` call that succeeds as a call while some of its
 *   entries are listed in `Failed[]` (`SenderFault: false`, code `InternalError`). The proxy takes
 *   those entries out of the request before forwarding it, so they are really not written;
 * - **whole-call 500**: a call answered `500 InternalError` without being forwarded (nothing
 *   happens upstream). The AWS SDK retries these itself;
 * - **latency**: a call held for a while before it is handled, like a slow or stalled SQS. With a
 *   500 after it, it is a publish that hangs and then fails: how a function that times out while
 *   writing its results looks from outside.
 *
 * Which calls: those to the configured queues (`queueUrls`), of the configured actions (`actions`,
 * `SendMessageBatch` by default) and, when `bodyContains` is set, whose request body contains that
 * text (every one of the texts, when it is a list; for `SendMessageBatch`, some entry's
 * `MessageBody` must contain them all); a partial failure then only takes entries whose
 * `MessageBody` contains them. That lets one test fault the results of one library, or only its
 * `recycled` results, while others share the queue.
 *
 * Point a client at it by configuration alone (`SQS_ENDPOINT=<proxy.url>`, e.g. through
 * `startLocalStack({ env: { SQS_ENDPOINT: proxy.url } })`). Faults are drawn from a seeded PRNG in
 * request order, so a run with the same seed and the same request order fails the same calls.
 *
 * Only the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Action>`, which the AWS SDK v3 speaks)
 * is understood; anything else is forwarded untouched and never faulted. The proxy rewrites request
 * bodies, so it only suits endpoints that do not check signatures (fauxqs, ElasticMQ): it is a test
 * tool, never to be put in front of AWS.
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import * as z from "zod";
import { createRandom } from "../sim/random.ts";
import {
  definedOnly,
  faultProxyState,
  type ProxyExchange,
  reply,
  startFaultProxyServer,
} from "./fault-proxy-http.ts";

const ratio = z.number().min(0).max(1);

const faultsSchema = z.strictObject({
  queueUrls: z
    .union([z.literal("*"), z.array(z.url()).readonly()])
    .meta({ description: "Queues whose calls are faulted, by URL; `*` = every queue." }),
  actions: z
    .union([z.literal("*"), z.array(z.string().min(1)).readonly()])
    .meta({ description: "Actions (`SendMessageBatch`, …) faulted; `*` = every one." }),
  bodyContains: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1).readonly()])
    .nullable()
    .meta({
      description:
        "Only calls whose JSON request body contains this text, or every text of the list (for SendMessageBatch: some entry's MessageBody contains them all; for partial failures, only such entries fail); null = every call.",
    }),
  latencyMs: z.number().int().min(0).max(120_000).meta({
    description: "How long a selected call is held before it is handled.",
  }),
  error500Ratio: ratio.meta({
    description: "Chance that a selected call is answered 500 InternalError, not forwarded.",
  }),
  partialFailureRatio: ratio.meta({
    description: "Chance that a selected SendMessageBatch call loses entries.",
  }),
  failedEntriesPerCall: z.number().int().min(1).max(10).meta({
    description: "Entries such a call loses (at most the eligible entries it has).",
  }),
});

/** What the proxy injects, and where. */
export type SqsFaults = z.output<typeof faultsSchema>;
/** A change to {@link SqsFaults}: absent keys are left as they are. */
export type SqsFaultsPatch = Partial<SqsFaults>;

/** No faults: the proxy is transparent. */
export const NO_SQS_FAULTS: SqsFaults = {
  queueUrls: "*",
  actions: ["SendMessageBatch"],
  bodyContains: null,
  latencyMs: 0,
  error500Ratio: 0,
  partialFailureRatio: 0,
  failedEntriesPerCall: 1,
};

/** What the proxy has done since it started (or since `resetCounters`). */
export interface SqsFaultCounters {
  /** Requests received. */
  requests: number;
  /** Requests passed on to the upstream endpoint (whole or with entries taken out). */
  forwarded: number;
  /** Calls the faults applied to (held for `latencyMs`, then drawn for). */
  selected: number;
  /** SendMessageBatch calls answered with injected `Failed[]` entries. */
  partialFailures: number;
  /** Entries reported failed (and not written) by those calls. */
  failedEntries: number;
  /** Calls answered 500 without being forwarded. */
  errors500: number;
}

/** A running proxy. */
export interface SqsFaultProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to give SQS clients. */
  readonly url: string;
  readonly port: number;
  /** Sets where requests go (e.g. once fauxqs has started); until then they are answered 502. */
  setUpstream(endpoint: string): void;
  /** The current faults. */
  faults(): SqsFaults;
  /** Changes the faults from the next request on (validated; throws a ZodError when invalid). */
  setFaults(patch: SqsFaultsPatch): SqsFaults;
  /** A snapshot of the counters. */
  counters(): SqsFaultCounters;
  resetCounters(): void;
  /** Stops listening, ends open connections (pending long polls included). Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link startSqsFaultProxy}. */
export interface SqsFaultProxyOptions {
  /**
   * The SQS endpoint to forward to, e.g. fauxqs's `http://127.0.0.1:<port>`. May be set later with
   * {@link SqsFaultProxy.setUpstream}, so a stack can be configured with the proxy's URL before
   * its SQS server exists.
   */
  upstream?: string;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Seed of the PRNG fault draws come from. @default "sqs-fault-proxy" */
  randomSeed?: string | number;
  /** Initial faults. Default: none. */
  faults?: SqsFaultsPatch;
}

const JSON_CONTENT_TYPE = "application/x-amz-json-1.0";
const TARGET_PREFIX = "AmazonSQS.";

const sendBatchRequestSchema = z.looseObject({
  QueueUrl: z.string(),
  Entries: z.array(z.looseObject({ Id: z.string(), MessageBody: z.unknown() })).min(1),
});
const sendBatchResponseSchema = z.looseObject({
  Successful: z.array(z.unknown()).optional(),
  Failed: z.array(z.unknown()).optional(),
});
const queueUrlOnly = z.looseObject({ QueueUrl: z.string() });

/**
 * Starts the proxy on 127.0.0.1. Close it with {@link SqsFaultProxy.close}.
 *
 * @example
 * const proxy = await startSqsFaultProxy({});
 * const stack = await startLocalStack({ env: { SQS_ENDPOINT: proxy.url } });
 * proxy.setUpstream(stack.sqsEndpoint);
 * proxy.setFaults({ queueUrls: [resultsUrl], partialFailureRatio: 0.5, failedEntriesPerCall: 2 });
 */
export async function startSqsFaultProxy(
  options: SqsFaultProxyOptions = {},
): Promise<SqsFaultProxy> {
  const state = faultProxyState<SqsFaults, SqsFaultsPatch, SqsFaultCounters>(
    faultsSchema,
    { ...NO_SQS_FAULTS, ...definedOnly(options.faults ?? {}) },
    zeroCounters,
  );
  const random = createRandom(options.randomSeed ?? "sqs-fault-proxy");
  const { counters } = state;

  /** Whether `text` contains every marker of `bodyContains` (always, without one). */
  const marked = (text: string): boolean => {
    const markers = state.faults.bodyContains;
    if (markers === null) return true;
    return (typeof markers === "string" ? [markers] : markers).every((marker) =>
      text.includes(marker),
    );
  };

  /**
   * Whether the current faults apply to this call. The body check is on the raw JSON text, or for
   * a batch on each entry's `MessageBody` (where the markers are not JSON-escaped twice).
   */
  const selects = (
    action: string,
    queueUrl: string | undefined,
    body: string,
    entries: readonly { MessageBody: unknown }[] | undefined,
  ): boolean => {
    const queueOk =
      state.faults.queueUrls === "*" ||
      (queueUrl !== undefined && state.faults.queueUrls.some((url) => sameQueue(url, queueUrl)));
    const actionOk = state.faults.actions === "*" || state.faults.actions.includes(action);
    const bodyOk =
      entries === undefined
        ? marked(body)
        : entries.some((entry) => marked(String(entry.MessageBody ?? "")));
    return queueOk && actionOk && bodyOk;
  };

  const passOn = async (exchange: ProxyExchange) => {
    counters.forwarded++;
    reply(exchange.res, await exchange.forward(exchange.body));
  };

  const handle = async (exchange: ProxyExchange): Promise<void> => {
    const { req, res, body } = exchange;
    counters.requests++;
    const target = header(req.headers["x-amz-target"]);
    const action = target?.startsWith(TARGET_PREFIX)
      ? target.slice(TARGET_PREFIX.length)
      : undefined;
    if (action === undefined) return passOn(exchange);
    const text = body.toString("utf8");
    const parsedBody = parseJson(text);
    const queueUrl = queueUrlOnly.safeParse(parsedBody).data?.QueueUrl;
    const batch =
      action === "SendMessageBatch" ? sendBatchRequestSchema.safeParse(parsedBody) : undefined;
    if (!selects(action, queueUrl, text, batch?.data?.Entries)) return passOn(exchange);

    counters.selected++;
    if (state.faults.latencyMs > 0) await exchange.hold(state.faults.latencyMs);
    if (exchange.closed()) {
      res.destroy();
      return;
    }
    if (random.chance(state.faults.error500Ratio)) {
      counters.errors500++;
      return replyJson(res, 500, {
        __type: "com.amazonaws.sqs#InternalError",
        message: "injected by the SQS fault proxy: the call was not forwarded",
      });
    }
    if (!batch?.success || !random.chance(state.faults.partialFailureRatio)) {
      return passOn(exchange);
    }

    const entries = batch.data.Entries;
    const eligible = entries.flatMap((entry, index) =>
      marked(String(entry.MessageBody ?? "")) ? [index] : [],
    );
    const dropped = new Set(
      pickIndices(eligible.length, state.faults.failedEntriesPerCall, random.int).map(
        (position) => eligible[position] as number,
      ),
    );
    const injected = entries
      .filter((_, index) => dropped.has(index))
      .map(({ Id }) => ({
        Id,
        SenderFault: false,
        Code: "InternalError",
        Message: "injected by the SQS fault proxy: this entry was not written",
      }));
    if (injected.length > 0) counters.partialFailures++;
    counters.failedEntries += injected.length;
    const kept = entries.filter((_, index) => !dropped.has(index));
    if (kept.length === 0) {
      return replyJson(res, 200, { Successful: [], Failed: injected });
    }
    counters.forwarded++;
    const answer = await exchange.forward(
      Buffer.from(JSON.stringify({ ...batch.data, Entries: kept })),
    );
    const upstreamBody =
      answer.status === 200 ? parseJson(answer.body.toString("utf8")) : undefined;
    const parsedAnswer = sendBatchResponseSchema.safeParse(upstreamBody);
    if (!parsedAnswer.success) return reply(res, answer);
    const merged = {
      ...parsedAnswer.data,
      Successful: parsedAnswer.data.Successful ?? [],
      Failed: [...(parsedAnswer.data.Failed ?? []), ...injected],
    };
    return reply(res, { ...answer, body: Buffer.from(JSON.stringify(merged)) });
  };

  const server = await startFaultProxyServer({
    service: "SQS",
    upstream: options.upstream,
    port: options.port,
    handle,
    onUnreachable: (res, message) =>
      // A 5xx the SDK treats as transient.
      replyJson(res, 502, { __type: "com.amazonaws.sqs#ServiceUnavailable", message }),
  });

  return state.controls(server);
}

function zeroCounters(): SqsFaultCounters {
  return {
    requests: 0,
    forwarded: 0,
    selected: 0,
    partialFailures: 0,
    failedEntries: 0,
    errors500: 0,
  };
}

/** The same queue: equal URLs, or equal paths (`/<account>/<name>`) under different hosts. */
function sameQueue(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return new URL(a).pathname === new URL(b).pathname;
  } catch {
    return false;
  }
}

/** `count` distinct indices below `length` (all of them when `count >= length`). */
function pickIndices(length: number, count: number, int: (max: number) => number): number[] {
  const indices = Array.from({ length }, (_, index) => index);
  const wanted = Math.min(count, length);
  // Partial Fisher–Yates: the first `wanted` slots end up a uniform sample.
  for (let i = 0; i < wanted; i++) {
    const j = i + int(length - i);
    [indices[i], indices[j]] = [indices[j] as number, indices[i] as number];
  }
  return indices.slice(0, wanted);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function replyJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  const headers: IncomingHttpHeaders = {
    "content-type": JSON_CONTENT_TYPE,
    "x-amzn-requestid": randomUUID(),
  };
  // SQS's JSON protocol names the query-protocol error code too; the SDK reads either.
  const type = (body as { __type?: unknown }).__type;
  if (typeof type === "string") headers["x-amzn-query-error"] = `${type.split("#").pop()};Receiver`;
  reply(res, { status, headers, body: payload });
}
