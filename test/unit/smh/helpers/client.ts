import { createSmhClient, type SmhClient } from "../../../../lib/smh/client.ts";
import type { SmhEvent } from "../../../../lib/smh/events.ts";
import type { SmhClientOptions } from "../../../../lib/smh/options.ts";
import type { SmhTestServer } from "./smh-test-server.ts";

/** The library every test client talks to. */
export const LIBRARY = "smhtestlib";
/** A library secret distinctive enough to be found anywhere it leaks. */
export const SECRET = "LIBRARY-SECRET-8c1f3e";

/** A client for `server`, with retry and polling delays short enough for tests. */
export function testClient(
  server: SmhTestServer,
  overrides: Partial<SmhClientOptions> = {},
): { client: SmhClient; events: SmhEvent[] } {
  const events: SmhEvent[] = [];
  const client = createSmhClient({
    libraries: [{ libraryId: LIBRARY, librarySecret: SECRET, baseUrl: server.url }],
    retry: { baseDelayMs: 5, maxDelayMs: 40 },
    taskPolling: { initialDelayMs: 10, maxDelayMs: 40 },
    limiter: { initialRate: 2000, maxRate: 5000, burst: 100 },
    onEvent: (event) => events.push(event),
    ...overrides,
  });
  return { client, events };
}

/** A deadline `ms` from now. */
export function inMs(ms: number): number {
  return Date.now() + ms;
}

/** Every page of a paged listing, in order. */
export async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(page);
  return all;
}
