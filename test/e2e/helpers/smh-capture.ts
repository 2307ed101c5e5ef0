/**
 * A loopback HTTP relay between the handler's SMH client and the simulator that remembers every
 * access token it sees: minted (`accessToken` in token answers) or sent (`access_token` in a URL,
 * `Authorization: Bearer`). The simulator's token log only shows fingerprints, so this is how a
 * test learns the raw tokens it must never find in a log line or a result.
 *
 * Everything else passes through unchanged: status, headers, body, and a dropped connection stays
 * a dropped connection.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/** A request that deletes: its method, its path (no query, so no token) and its body. */
export interface DeletionRequest {
  readonly method: string;
  /** Still percent-encoded, as it went over the wire. */
  readonly rawPath: string;
  readonly body: string;
}

export interface SmhCapture {
  readonly url: string;
  /** Sets where requests go (the simulator, once it has started). */
  setUpstream(url: string): void;
  /** Every distinct access token seen so far. */
  tokens(): string[];
  /** Requests relayed so far. */
  requests(): number;
  /** Every directory delete and batch delete relayed so far, in order. */
  deletions(): DeletionRequest[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

/** Starts the relay on 127.0.0.1 (port 0). Close it in afterAll. */
export async function startSmhCapture(): Promise<SmhCapture> {
  let upstream: URL | undefined;
  const tokens = new Set<string>();
  let requests = 0;
  const deletions: DeletionRequest[] = [];
  const agent = new Agent({ keepAlive: true });

  const remember = (token: string | null | undefined) => {
    if (token) tokens.add(token);
  };

  const relay = async (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const body = await readAll(req);
    const target = new URL(req.url ?? "/", "http://relay");
    const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
    if (
      (req.method === "DELETE" && rawPath.startsWith("/api/v1/directory/")) ||
      (req.method === "POST" &&
        rawPath.startsWith("/api/v1/batch/") &&
        /[?&]delete\b/.test(req.url ?? ""))
    ) {
      deletions.push({ method: req.method, rawPath, body: body.toString("utf8") });
    }
    remember(target.searchParams.get("access_token"));
    remember(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1]);
    // Token renewal carries the token in the path: /api/v1/token/{L}/{token}.
    const renew = /^\/api\/v1\/token\/[^/]+\/([^/?]+)$/.exec(target.pathname);
    if (renew?.[1]) remember(decodeURIComponent(renew[1]));
    if (!upstream) throw new Error("the SMH capture relay has no upstream yet");
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers.host = upstream.host;
    headers["content-length"] = String(body.length);
    const answer = await new Promise<{
      status: number;
      headers: IncomingMessage["headers"];
      body: Buffer;
    }>((resolve, reject) => {
      const outgoing = httpRequest(
        {
          agent,
          host: (upstream as URL).hostname,
          port: (upstream as URL).port,
          method: req.method,
          path: req.url,
          headers,
        },
        (incoming) => {
          readAll(incoming).then(
            (data) =>
              resolve({
                status: incoming.statusCode ?? 502,
                headers: incoming.headers,
                body: data,
              }),
            reject,
          );
        },
      );
      outgoing.on("error", reject);
      res.on("close", () => {
        if (!res.writableFinished) outgoing.destroy();
      });
      outgoing.end(body);
    });
    if (target.pathname.startsWith("/api/v1/token")) {
      try {
        const parsed = JSON.parse(answer.body.toString("utf8")) as { accessToken?: unknown };
        if (typeof parsed.accessToken === "string") remember(parsed.accessToken);
      } catch {
        // Not JSON (204, an error page): nothing minted.
      }
    }
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
    }
    out["content-length"] = String(answer.body.length);
    res.writeHead(answer.status, out);
    res.end(answer.body);
  };

  const server = createServer((req, res) => {
    // A connection the simulator dropped (or any relay failure) is dropped here too.
    relay(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    setUpstream(url) {
      upstream = new URL(url);
    },
    tokens: () => [...tokens],
    requests: () => requests,
    deletions: () => [...deletions],
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      return closing;
    },
  };
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}
