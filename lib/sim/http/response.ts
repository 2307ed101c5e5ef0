import type { IncomingMessage, ServerResponse } from "node:http";
import type { Scheduler } from "../scheduler.ts";

/** A handler's answer before it is written. `body` undefined means no body. */
export interface SimResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** How to trickle a slow body. */
export interface SlowBody {
  readonly chunkBytes: number;
  readonly delayMs: number;
}

/**
 * Writes an answer. Every answer carries `X-Request-Id`; JSON bodies get a `Content-Length`.
 * HEAD requests and 204s get no body. With `slow`, headers go out at once and the body follows in
 * small chunks (the "slow body" fault), each after a pause.
 */
export async function sendResponse(
  res: ServerResponse,
  response: SimResponse,
  options: { requestId: string; head: boolean; slow: SlowBody | null; scheduler: Scheduler },
): Promise<void> {
  if (res.destroyed || res.headersSent) return;
  const hasBody = response.body !== undefined && !options.head && response.status !== 204;
  const payload = hasBody ? Buffer.from(JSON.stringify(response.body), "utf8") : null;
  const headers: Record<string, string | number> = {
    "X-Request-Id": options.requestId,
    ...response.headers,
  };
  if (payload !== null) {
    headers["Content-Type"] = "application/json; charset=utf-8";
    headers["Content-Length"] = payload.length;
  } else if (response.status !== 204 && response.status !== 304) {
    headers["Content-Length"] = 0;
  }
  res.writeHead(response.status, headers);
  if (payload === null) {
    res.end();
    return;
  }
  if (options.slow === null) {
    res.end(payload);
    return;
  }
  res.flushHeaders();
  for (let offset = 0; offset < payload.length; offset += options.slow.chunkBytes) {
    await options.scheduler.sleep(options.slow.delayMs);
    if (res.destroyed) return;
    res.write(payload.subarray(offset, offset + options.slow.chunkBytes));
  }
  res.end();
}

/** Drops the connection without an answer (a TCP reset where the platform allows it). */
export function dropConnection(req: IncomingMessage): void {
  const socket = req.socket;
  if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
  else socket.destroy();
}
