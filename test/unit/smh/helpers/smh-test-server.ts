import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the test server received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** The raw (still percent-encoded) path, without the query. */
  readonly rawPath: string;
  /** The path with each segment decoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The raw query string, without `?`. */
  readonly rawQuery: string;
  /** The JSON body, when there was one. */
  readonly body: unknown;
  readonly headers: IncomingMessage["headers"];
  /** Milliseconds since the server started. */
  readonly receivedAt: number;
}

/** What a route answers. */
export interface Reply {
  readonly status: number;
  /** Sent as `application/json`. */
  readonly json?: unknown;
  /** Sent as is (with `text/plain` unless `headers` says otherwise). */
  readonly text?: string;
  readonly headers?: Record<string, string>;
  /** Wait this long before answering. */
  readonly delayMs?: number;
  /** Drop the connection instead of answering (a network error for the client). */
  readonly destroy?: boolean;
}

export type Route = (request: ReceivedRequest, index: number) => Reply | Promise<Reply>;

interface RouteEntry {
  readonly method: string;
  readonly path: string | RegExp;
  readonly route: Route;
  calls: number;
}

/**
 * A scripted SMH stand-in on 127.0.0.1, port 0 (like ky's create-http-test-server). Routes match
 * on method and decoded path (string: exact; RegExp: test); the newest matching route wins. The
 * token endpoint mints `acctk-TOKEN-<n>` tokens unless a test replaces it.
 */
export class SmhTestServer {
  readonly requests: ReceivedRequest[] = [];
  /** The most requests handled at the same time. */
  maxInFlight = 0;
  #inFlight = 0;
  #tokens = 0;
  readonly #routes: RouteEntry[] = [];
  readonly #server: Server;
  readonly #started = performance.now();
  url = "";

  private constructor() {
    this.#server = createServer((request, response) => {
      void this.#handle(request, response);
    });
    this.on("POST", "/api/v1/token", () => ({
      status: 200,
      json: { accessToken: `acctk-TOKEN-${++this.#tokens}`, expiresIn: 3600 },
    }));
  }

  /** Starts a server; close it in `afterAll`/`afterEach`. */
  static async start(): Promise<SmhTestServer> {
    const server = new SmhTestServer();
    await new Promise<void>((resolve) => server.#server.listen(0, "127.0.0.1", resolve));
    const { port } = server.#server.address() as AddressInfo;
    server.url = `http://127.0.0.1:${port}`;
    return server;
  }

  /** Adds a route; it wins over older routes for the same requests. */
  on(method: string, path: string | RegExp, route: Route): this {
    this.#routes.unshift({ method, path, route, calls: 0 });
    return this;
  }

  /** Requests to paths matching `path` (and `method`, when given). */
  received(path: string | RegExp, method?: string): ReceivedRequest[] {
    return this.requests.filter(
      (request) => (!method || request.method === method) && matches(path, request.path),
    );
  }

  /** Token requests received so far. */
  tokenRequests(): ReceivedRequest[] {
    return this.received("/api/v1/token", "POST");
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    this.#inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
    response.on("close", () => this.#inFlight--);
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(`http://127.0.0.1${incoming.url ?? "/"}`);
    const rawPath = url.pathname;
    const request: ReceivedRequest = {
      method: incoming.method ?? "GET",
      rawPath,
      path: rawPath.split("/").map(decodeURIComponent).join("/"),
      query: url.searchParams,
      rawQuery: url.search.replace(/^\?/, ""),
      body: text === "" ? undefined : JSON.parse(text),
      headers: incoming.headers,
      receivedAt: performance.now() - this.#started,
    };
    this.requests.push(request);
    const entry = this.#routes.find(
      (candidate) => candidate.method === request.method && matches(candidate.path, request.path),
    );
    const reply: Reply = entry
      ? await entry.route(request, entry.calls++)
      : { status: 404, json: { code: "RouteNotFound", message: "no such route" } };
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (reply.destroy) {
      response.socket?.destroy();
      return;
    }
    const headers: Record<string, string> = { ...reply.headers };
    let body: string | undefined;
    if (reply.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(reply.json);
    } else if (reply.text !== undefined) {
      headers["content-type"] ??= "text/plain";
      body = reply.text;
    }
    if (response.destroyed) return;
    response.writeHead(reply.status, headers);
    response.end(body);
  }
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === "string" ? pattern === path : pattern.test(path);
}
