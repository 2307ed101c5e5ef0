import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** The simulator only ever listens on loopback. */
export const SIMULATOR_HOST = "127.0.0.1";

/** A listening HTTP server that can be closed with every connection it holds. */
export interface ListeningServer {
  readonly port: number;
  /** Stops listening and destroys every open socket. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a `node:http` server on 127.0.0.1:`port` (0 = any free port). Open sockets are tracked
 * so `close()` ends keep-alive and in-flight connections at once instead of waiting for them.
 */
export async function listen(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  port: number,
): Promise<ListeningServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ keepAliveTimeout: 5_000 }, handle);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, SIMULATOR_HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("server has no TCP address");
  let closing: Promise<void> | null = null;
  return {
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
