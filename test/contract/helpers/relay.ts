import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { Socket } from "node:net";

/** One request as the relay forwarded it. */
export interface RelayedRequest {
  readonly method: string;
  /** The path as the client sent it (still percent-encoded). */
  readonly rawPath: string;
  readonly query: URLSearchParams;
}

/**
 * A loopback HTTP relay between the client and the simulator. It forwards every request as is
 * (streaming both ways, resets included) and remembers what went through: the requests, and every
 * secret the client sent or received (`library_secret`, `access_token`, bearer tokens, the
 * `accessToken` of mint answers). This is how the contract tests see the real access tokens
 * without the simulator ever handing one out.
 *
 * `rewrite` may change a request's URL before it is forwarded, to stage what a broken proxy or a
 * misrouted domain would do (a dropped token, another library's path).
 */
export class LoopbackRelay {
  readonly url: string;
  readonly requests: RelayedRequest[] = [];
  /** Every access token and library secret that crossed the relay. */
  readonly secrets = new Set<string>();
  rewrite: ((url: URL) => URL) | undefined;
  /**
   * Requests for which this returns true are held: never forwarded and never answered, until the
   * client gives up on them. It freezes a client at a known point (to interrupt it there).
   */
  holdWhen: ((request: RelayedRequest) => boolean) | undefined;
  readonly #holdWaiters: Array<(request: RelayedRequest) => void> = [];
  readonly #server: ReturnType<typeof createServer>;
  readonly #sockets: Set<Socket>;

  private constructor(url: string, server: ReturnType<typeof createServer>, sockets: Set<Socket>) {
    this.url = url;
    this.#server = server;
    this.#sockets = sockets;
  }

  /** Starts a relay on 127.0.0.1, port 0, in front of `target` (`http://127.0.0.1:<port>`). */
  static async start(target: string): Promise<LoopbackRelay> {
    const upstream = new URL(target);
    const sockets = new Set<Socket>();
    let relay: LoopbackRelay | undefined;
    const server = createServer((req, res) => {
      if (relay) relay.#forward(upstream, req, res);
      else res.destroy();
    });
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("relay has no address");
    relay = new LoopbackRelay(`http://127.0.0.1:${address.port}`, server, sockets);
    return relay;
  }

  /** Resolves with the next request the relay holds (see {@link holdWhen}). */
  nextHold(): Promise<RelayedRequest> {
    return new Promise((resolve) => this.#holdWaiters.push(resolve));
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
    });
  }

  #remember(value: string | null | undefined): void {
    if (value) this.secrets.add(value);
  }

  #forward(upstream: URL, req: IncomingMessage, res: ServerResponse): void {
    const original = new URL(req.url ?? "/", "http://relay.invalid");
    this.#remember(original.searchParams.get("access_token"));
    this.#remember(original.searchParams.get("library_secret"));
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    this.#remember(bearer?.[1]);
    const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
    const relayed = { method: req.method ?? "GET", rawPath, query: original.searchParams };
    this.requests.push(relayed);
    if (this.holdWhen?.(relayed)) {
      req.resume();
      for (const waiter of this.#holdWaiters.splice(0)) waiter(relayed);
      return;
    }
    const rewritten = this.rewrite ? this.rewrite(new URL(original.href)) : undefined;
    const isMint = (rewritten ?? original).pathname === "/api/v1/token";
    const proxied = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        // Unless rewritten, forward the target exactly as the client encoded it.
        path: rewritten ? `${rewritten.pathname}${rewritten.search}` : (req.url ?? "/"),
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        if (!isMint) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on("error", () => res.socket?.destroy());
          return;
        }
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("error", () => res.socket?.destroy());
        answer.on("end", () => {
          const body = Buffer.concat(chunks);
          try {
            const parsed = JSON.parse(body.toString("utf8")) as { accessToken?: string };
            this.#remember(parsed.accessToken);
          } catch {
            // Not a token answer (an error body, or nothing).
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
      },
    );
    // The simulator dropped the connection: drop the client's too, so it sees a reset as well.
    proxied.on("error", () => {
      const socket = res.socket;
      if (socket && typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
      else socket?.destroy();
    });
    req.pipe(proxied);
  }
}
