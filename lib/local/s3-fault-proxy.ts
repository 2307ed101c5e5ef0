/**
 * A fault-injecting S3 proxy on loopback: it forwards every request to an S3-compatible endpoint
 * (fauxqs's S3) and hands back its answer, except that it can make calls fail the ways S3 does:
 *
 * - **500 InternalError** and **503 ServiceUnavailable**: answered without being forwarded (nothing
 *   is written). The AWS SDK retries them itself;
 * - **503 SlowDown**: S3's throttling answer, not forwarded; the SDK retries it with a longer
 *   backoff;
 * - **latency**: a call held for a while before it is forwarded — a slow S3. Longer than the
 *   client's attempt timeout, the client gives up and tries again while the held call may still be
 *   written: the ledger then holds the object more than once, which readers allow for.
 *
 * Which calls: those whose HTTP method is in `methods` (`PUT` by default: object writes) and, when
 * `pathContains` is set, whose path (`/<bucket>/<key>`, path-style) contains that text. Faults are
 * drawn from a seeded PRNG in request order. Like the SQS proxy, it is a test tool for endpoints
 * that check no signatures (fauxqs, MinIO without auth): never to be put in front of AWS.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
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
  methods: z
    .union([z.literal("*"), z.array(z.string().min(1)).readonly()])
    .meta({ description: "HTTP methods faulted (`PUT`, `GET`, …); `*` = every one." }),
  pathContains: z.string().min(1).nullable().meta({
    description: "Only calls whose path (`/<bucket>/<key>`) contains this text; null = every call.",
  }),
  latencyMs: z.number().int().min(0).max(120_000).meta({
    description: "How long a selected call is held before it is handled.",
  }),
  error500Ratio: ratio.meta({ description: "Chance of `500 InternalError`, not forwarded." }),
  error503Ratio: ratio.meta({ description: "Chance of `503 ServiceUnavailable`, not forwarded." }),
  slowDownRatio: ratio.meta({ description: "Chance of `503 SlowDown`, not forwarded." }),
});

/** What the proxy injects, and where. */
export type S3Faults = z.output<typeof faultsSchema>;
/** A change to {@link S3Faults}: absent keys are left as they are. */
export type S3FaultsPatch = Partial<S3Faults>;

/** No faults: the proxy is transparent. */
export const NO_S3_FAULTS: S3Faults = {
  methods: ["PUT"],
  pathContains: null,
  latencyMs: 0,
  error500Ratio: 0,
  error503Ratio: 0,
  slowDownRatio: 0,
};

/** What the proxy has done since it started (or since `resetCounters`). */
export interface S3FaultCounters {
  requests: number;
  forwarded: number;
  /** Calls the faults applied to (held for `latencyMs`, then drawn for). */
  selected: number;
  errors500: number;
  errors503: number;
  slowDowns: number;
}

/** A running proxy. */
export interface S3FaultProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to give S3 clients (`S3_ENDPOINT`). */
  readonly url: string;
  readonly port: number;
  /** Sets where requests go; until then they are answered 503. */
  setUpstream(endpoint: string): void;
  faults(): S3Faults;
  /** Changes the faults from the next request on (validated; throws a ZodError when invalid). */
  setFaults(patch: S3FaultsPatch): S3Faults;
  counters(): S3FaultCounters;
  resetCounters(): void;
  /** Stops listening and ends open connections. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link startS3FaultProxy}. */
export interface S3FaultProxyOptions {
  /** The S3 endpoint to forward to; may be set later with {@link S3FaultProxy.setUpstream}. */
  upstream?: string;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Seed of the PRNG fault draws come from. @default "s3-fault-proxy" */
  randomSeed?: string | number;
  /** Initial faults. Default: none. */
  faults?: S3FaultsPatch;
}

/**
 * Starts the proxy on 127.0.0.1. Close it with {@link S3FaultProxy.close}.
 *
 * @example
 * const proxy = await startS3FaultProxy({ faults: { slowDownRatio: 0.2 } });
 * const stack = await startLocalStack({ env: { S3_ENDPOINT: proxy.url } });
 * proxy.setUpstream(stack.s3Endpoint);
 */
export async function startS3FaultProxy(options: S3FaultProxyOptions = {}): Promise<S3FaultProxy> {
  const state = faultProxyState<S3Faults, S3FaultsPatch, S3FaultCounters>(
    faultsSchema,
    { ...NO_S3_FAULTS, ...definedOnly(options.faults ?? {}) },
    zeroCounters,
  );
  const random = createRandom(options.randomSeed ?? "s3-fault-proxy");
  const { counters } = state;

  const selects = (method: string, path: string): boolean =>
    (state.faults.methods === "*" || state.faults.methods.includes(method)) &&
    (state.faults.pathContains === null || path.includes(state.faults.pathContains));

  const handle = async (exchange: ProxyExchange): Promise<void> => {
    const { req, res } = exchange;
    counters.requests++;
    if (selects(req.method ?? "GET", req.url ?? "/")) {
      counters.selected++;
      if (state.faults.latencyMs > 0) await exchange.hold(state.faults.latencyMs);
      if (exchange.closed()) {
        res.destroy();
        return;
      }
      if (random.chance(state.faults.error500Ratio)) {
        counters.errors500++;
        return replyError(res, 500, "InternalError", "We encountered an internal error.");
      }
      if (random.chance(state.faults.error503Ratio)) {
        counters.errors503++;
        return replyError(res, 503, "ServiceUnavailable", "Service is unable to handle request.");
      }
      if (random.chance(state.faults.slowDownRatio)) {
        counters.slowDowns++;
        return replyError(res, 503, "SlowDown", "Please reduce your request rate.");
      }
    }
    counters.forwarded++;
    reply(res, await exchange.forward(exchange.body));
  };

  const server = await startFaultProxyServer({
    service: "S3",
    upstream: options.upstream,
    port: options.port,
    handle,
    onUnreachable: (res, message) => replyError(res, 503, "ServiceUnavailable", message),
  });

  return state.controls(server);
}

function zeroCounters(): S3FaultCounters {
  return { requests: 0, forwarded: 0, selected: 0, errors500: 0, errors503: 0, slowDowns: 0 };
}

/** An error as S3 writes it: XML with the code, the message and a request ID. */
function replyError(res: ServerResponse, status: number, code: string, message: string): void {
  const requestId = randomUUID();
  const body = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(`${message} (injected by the S3 fault proxy)`)}</Message><RequestId>${requestId}</RequestId></Error>`,
  );
  reply(res, {
    status,
    headers: { "content-type": "application/xml", "x-amz-request-id": requestId },
    body,
  });
}

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
