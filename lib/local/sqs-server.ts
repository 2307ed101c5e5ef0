import { buildApp } from "fauxqs";

/** A running embedded SQS server. */
export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: pass it as the SQS client's endpoint. */
  endpoint: string;
  port: number;
  /** Closes the server and ends pending long polls. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Options for {@link startLocalSqs}. */
export interface LocalSqsOptions {
  /** 0 (the default) lets the OS pick a free port. */
  port?: number;
  /** Region used when a request does not name one (default `us-east-1`). */
  defaultRegion?: string;
}

/**
 * Starts fauxqs (a real SQS wire-protocol server) in this process, listening on 127.0.0.1 only,
 * with request logging off. State is in memory and dies with the server. `startFauxqs` is not used
 * because it always listens on 0.0.0.0. Queue URLs it returns name the host
 * `sqs.<region>.localhost`; clients built with an explicit endpoint never connect to that host.
 */
export async function startLocalSqs(options: LocalSqsOptions = {}): Promise<LocalSqs> {
  const app = buildApp({
    logger: false,
    ...(options.defaultRegion ? { defaultRegion: options.defaultRegion } : {}),
  });
  await app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") {
    await app.close();
    throw new Error("fauxqs did not report a TCP address");
  }
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${address.address}:${address.port}`,
    port: address.port,
    stop() {
      stopping ??= app.close().then(() => undefined);
      return stopping;
    },
  };
}
