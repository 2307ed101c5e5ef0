import { onStopSignals, STOP_SIGNALS } from "./stop-signals.ts";

/**
 * Runs `stop` once when the process receives SIGINT or SIGTERM, then exits with 128 + the signal
 * number. A second signal while `stop` runs exits at once (not a copy of the first: see
 * `stop-signals.ts`). Returns a function that removes the handlers (call it when the resource was
 * stopped some other way). Scripts use this so that the servers they start never outlive them;
 * in-process servers close with the process on any exit.
 */
export function stopOnSignals(stop: () => Promise<unknown>): () => void {
  return onStopSignals({
    first(signal) {
      stop().then(
        () => process.exit(STOP_SIGNALS[signal]),
        (error: unknown) => {
          process.stderr.write(
            `shutdown failed: ${error instanceof Error ? error.message : error}\n`,
          );
          process.exit(STOP_SIGNALS[signal]);
        },
      );
    },
    again(signal) {
      process.exit(STOP_SIGNALS[signal]);
    },
  });
}
