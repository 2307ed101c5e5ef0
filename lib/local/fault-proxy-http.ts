/**
 * The HTTP plumbing the fault proxies share (`sqs-fault-proxy.ts`, `s3-fault-proxy.ts`): a loopback
 * server that reads each request whole, forwards it to an upstream endpoint with the same method,
 * path and headers, and hands the answer back — or answers itself, when a fault says so. Each proxy
 * decides which calls to fault and how its service spells an error.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

const HOST = "127.0.0.1";

// Hop-by-hop or recomputed headers: never copied between the two legs.
const DROPPED_HEADERS = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "accept-encoding",
  "proxy-connection",
  "upgrade",
]);

/** An answer to hand back: the upstream's, or one the proxy made up. */
export interface ProxyAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What a proxy's request handler is given. */
export interface ProxyExchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The request body, read whole. */
  readonly body: Buffer;
  /** Forwards `body` (the request's own, or a rewritten one) upstream; resolves to the answer. */
  forward(body: Buffer): Promise<ProxyAnswer>;
  /** Waits `ms`, or less when the proxy closes meanwhile. */
  hold(ms: number): Promise<void>;
  /** Whether the proxy is closing (a held call should then be dropped). */
  closed(): boolean;
}

/** A running proxy server. */
export interface FaultProxyServer {
  readonly url: string;
  readonly port: number;
  setUpstream(endpoint: string): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 that calls `handle` for each request; `onUnreachable` answers when
 * `handle` throws before answering (the upstream could not be reached).
 */
export async function startFaultProxyServer(options: {
  /** The name in error messages (`SQS`, `S3`). */
  readonly service: string;
  readonly upstream?: string | undefined;
  readonly port?: number | undefined;
  readonly handle: (exchange: ProxyExchange) => Promise<void>;
  readonly onUnreachable: (res: ServerResponse, message: string) => void;
}): Promise<FaultProxyServer> {
  const check = (endpoint: string) => checkUpstream(options.service, endpoint);
  let upstream = options.upstream === undefined ? undefined : check(options.upstream);
  const agent = new Agent({ keepAlive: true });
  const waits = new Set<() => void>();
  let closed = false;

  const hold = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waits.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waits.add(done);
    });

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) =>
    new Promise<ProxyAnswer>((resolve, reject) => {
      if (upstream === undefined) {
        reject(new Error("no upstream endpoint is set yet"));
        return;
      }
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !DROPPED_HEADERS.has(name)) headers[name] = value;
      }
      headers["content-length"] = String(body.length);
      const outgoing = httpRequest(
        {
          agent,
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
          incoming.on("end", () =>
            resolve({
              status: incoming.statusCode ?? 502,
              headers: incoming.headers,
              body: Buffer.concat(chunks),
            }),
          );
          incoming.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      // A caller that gives up (an aborted long poll) must not leave the upstream call running.
      res.on("close", () => {
        if (!res.writableFinished) outgoing.destroy();
      });
      outgoing.end(body);
    });

  const server = createServer((req, res) => {
    readBody(req)
      .then((body) =>
        options.handle({
          req,
          res,
          body,
          forward: (forwarded) => forward(req, res, forwarded),
          hold,
          closed: () => closed,
        }),
      )
      .catch((error: unknown) => {
        if (res.headersSent || closed) {
          res.destroy();
          return;
        }
        options.onUnreachable(
          res,
          `the ${options.service} fault proxy could not forward the call: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${port}`,
    port,
    setUpstream(endpoint) {
      upstream = check(endpoint);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        for (const done of [...waits]) done();
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      return closing;
    },
  };
}

function checkUpstream(service: string, endpoint: string): URL {
  const url = new URL(endpoint);
  if (url.protocol !== "http:") {
    throw new Error(
      `the ${service} fault proxy forwards to http:// endpoints only, got ${url.href}`,
    );
  }
  return url;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Hands `answer` back (hop-by-hop headers dropped, the length recomputed), unless the caller left. */
export function reply(res: ServerResponse, answer: ProxyAnswer): void {
  if (res.destroyed) return;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && !DROPPED_HEADERS.has(name)) headers[name] = value;
  }
  headers["content-length"] = String(answer.body.length);
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/** `patch` without its undefined keys (so a patch leaves them as they are). */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** What every fault proxy hands out: its server, its faults (changed through a patch), its counters. */
export interface FaultProxyControls<Faults, Patch, Counters> extends FaultProxyServer {
  faults(): Faults;
  setFaults(patch: Patch): Faults;
  counters(): Counters;
  resetCounters(): void;
}

/**
 * A fault proxy's changeable state: `faults` (read by its handler on each request; a patch is
 * validated by `schema`) and `counters` (counted in place), and the controls it hands out.
 *
 * @example const state = faultProxyState(faultsSchema, { ...NO_FAULTS, ...patch }, zeroCounters);
 */
export function faultProxyState<
  Faults extends object,
  Patch extends object,
  Counters extends object,
>(schema: { parse(value: unknown): Faults }, initial: object, zero: () => Counters) {
  const state = {
    faults: schema.parse(initial),
    counters: zero(),
    controls(server: FaultProxyServer): FaultProxyControls<Faults, Patch, Counters> {
      return {
        url: server.url,
        port: server.port,
        setUpstream: (endpoint) => server.setUpstream(endpoint),
        faults: () => state.faults,
        setFaults(patch) {
          state.faults = schema.parse({ ...state.faults, ...definedOnly(patch) });
          return state.faults;
        },
        counters: () => ({ ...state.counters }),
        resetCounters() {
          Object.assign(state.counters, zero());
        },
        close: () => server.close(),
      };
    },
  };
  return state;
}
